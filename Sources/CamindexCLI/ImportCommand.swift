import ArgumentParser
import CamindexCore
import CamindexService
import Foundation

struct ImportCommand: ParsableCommand, GlobalConfigurable {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Sync inventory files (YAML, see Cameras/README.md) into the registry.",
        discussion: """
            Adds regions and cameras, updates changed ones, and disables cameras that an imported \
            file used to list and no longer does (their footage index is kept). Running it twice \
            changes nothing the second time. Directories are searched for *.yaml and *.yml.

              camindex import Cameras/
              camindex import --dry-run Cameras/620723-linze/shahe.yaml
            """
    )

    @OptionGroup var global: GlobalOptions
    @Argument(help: "Inventory files or directories of them.") var paths: [String]
    @Flag(help: "Print the changes without making them.") var dryRun = false
    @Flag(help: "Refuse cameras whose GB/T 28181 centre code names another county than their region's.") var strict = false
    @Option(help: ArgumentHelp("Resolve relative 'recordings' paths against this directory instead of the inventory file's.", valueName: "dir"))
    var recordingsRoot: String?
    @Option(help: "table or json.") var format: TableOrJSON = .table

    func validate() throws {
        if paths.isEmpty { throw CamindexError.usage("give at least one inventory file or directory") }
    }

    func run() throws {
        let result = try global.service(.create).importInventory(paths: paths, recordingsRoot: recordingsRoot, dryRun: dryRun, strict: strict)
        let changes = result.changes
        if format == .json {
            struct Result: Encodable {
                var dry_run: Bool
                var files: [String]
                var changes: [InventoryChange]
            }
            try Output.json(Result(dry_run: dryRun, files: result.files, changes: changes))
            return
        }
        let verb = dryRun ? "would be " : ""
        for c in changes {
            let what: String = switch c.kind {
            case .regionAdded: "region \(verb)added"
            case .regionRenamed: "region \(verb)renamed"
            case .cameraAdded: "camera \(verb)added"
            case .cameraUpdated: "camera \(verb)updated"
            case .cameraDisabled: "camera \(verb)disabled"
            }
            print("\(what): \(c.subject) \(c.detail)")
        }
        let (files, cameras) = (result.files, result.camerasListed)
        let counts = Dictionary(grouping: changes, by: \.kind).mapValues(\.count)
        var summary = "\(files.count) file\(files.count == 1 ? "" : "s"), \(cameras) camera\(cameras == 1 ? "" : "s") listed: "
        let parts = [
            (InventoryChange.Kind.regionAdded, "regions added"), (.regionRenamed, "regions renamed"),
            (.cameraAdded, "cameras added"), (.cameraUpdated, "cameras updated"), (.cameraDisabled, "cameras disabled"),
        ].compactMap { kind, label in counts[kind].map { "\($0) \(label)" } }
        summary += parts.isEmpty ? "no changes" : parts.joined(separator: ", ")
        print(summary + (dryRun ? " (dry run: nothing written)" : ""))
    }
}
