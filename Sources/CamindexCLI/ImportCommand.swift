import ArgumentParser
import CamindexCore
import CamindexStore
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
    @Option(help: ArgumentHelp("Resolve relative 'recordings' paths against this directory instead of the inventory file's.", valueName: "dir"))
    var recordingsRoot: String?
    @Option(help: "table or json.") var format: OutputFormat = .table

    func validate() throws {
        if paths.isEmpty { throw CamindexError.usage("give at least one inventory file or directory") }
    }

    func run() throws {
        let files = try Self.inventoryFiles(paths).map { path throws -> InventoryFile in
            let text: String
            do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
                throw CamindexError.runtime("\(path): cannot read: \(error.localizedDescription)")
            }
            return try InventoryFile.parse(text, path: path)
        }
        let root = recordingsRoot.map(CameraFields.absolute)
        let store = try global.openForWriting()
        let changes = try store.syncInventory(files, dryRun: dryRun) { file, entry in
            guard let rec = entry.recordings else { return nil }
            if rec.hasPrefix("/") { return URL(fileURLWithPath: rec).standardizedFileURL.path }
            let base = root ?? (file.path as NSString).deletingLastPathComponent
            return URL(fileURLWithPath: rec, relativeTo: URL(fileURLWithPath: base, isDirectory: true)).standardizedFileURL.path
        }
        if format == .json {
            struct Result: Encodable {
                var dry_run: Bool
                var files: [String]
                var changes: [InventoryChange]
            }
            try Output.json(Result(dry_run: dryRun, files: files.map(\.path), changes: changes))
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
        let cameras = files.reduce(0) { $0 + $1.cameras.count }
        let counts = Dictionary(grouping: changes, by: \.kind).mapValues(\.count)
        var summary = "\(files.count) file\(files.count == 1 ? "" : "s"), \(cameras) cameras listed: "
        let parts = [
            (InventoryChange.Kind.regionAdded, "regions added"), (.regionRenamed, "regions renamed"),
            (.cameraAdded, "cameras added"), (.cameraUpdated, "cameras updated"), (.cameraDisabled, "cameras disabled"),
        ].compactMap { kind, label in counts[kind].map { "\($0) \(label)" } }
        summary += parts.isEmpty ? "no changes" : parts.joined(separator: ", ")
        print(summary + (dryRun ? " (dry run: nothing written)" : ""))
    }

    /// The YAML files named, directories searched recursively; sorted, each once.
    static func inventoryFiles(_ paths: [String]) throws -> [String] {
        var out: [String] = []
        for path in paths.map(CameraFields.absolute) {
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
                throw CamindexError.usage("no such inventory file or directory: \(path)")
            }
            guard isDir.boolValue else { out.append(path); continue }
            let found = (FileManager.default.enumerator(atPath: path)?.allObjects as? [String] ?? [])
                .filter { ($0.hasSuffix(".yaml") || $0.hasSuffix(".yml")) && !$0.split(separator: "/").contains { $0.hasPrefix(".") } }
                .map { URL(fileURLWithPath: $0, relativeTo: URL(fileURLWithPath: path, isDirectory: true)).standardizedFileURL.path }
            if found.isEmpty { throw CamindexError.usage("no inventory files (*.yaml, *.yml) under \(path)") }
            out += found.sorted()
        }
        var seen = Set<String>()
        return out.filter { seen.insert($0).inserted }
    }
}
