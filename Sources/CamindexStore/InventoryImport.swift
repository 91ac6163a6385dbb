import CamindexCore
import Foundation

/// Reads inventory files from disk and syncs them: what `camindex import` and the daemon's
/// SIGHUP reload both do.
public struct InventoryImport: Sendable {
    public var paths: [String]
    /// Relative `recordings` entries resolve against this, else the inventory file's directory.
    public var recordingsRoot: String?

    public init(paths: [String], recordingsRoot: String? = nil) {
        self.paths = paths
        self.recordingsRoot = recordingsRoot.map(Self.absolute)
    }

    /// Parses every file first, so that one bad file stops the import before anything is written.
    public func load() throws -> [InventoryFile] {
        try Self.inventoryFiles(paths).map { path throws -> InventoryFile in
            let text: String
            let data: Data
            do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
                throw CamindexError.runtime("\(path): cannot read: \(ErrorText.of(error))", code: .inventoryInvalid, value: path)
            }
            guard let decoded = String(data: data, encoding: .utf8) else {
                throw CamindexError.usage("\(path): not a text file (an inventory is YAML in UTF-8)", code: .inventoryInvalid, value: path)
            }
            text = decoded
            return try InventoryFile.parse(text, path: path)
        }
    }

    /// Syncs loaded files into the registry (see `Store.syncInventory`).
    public func sync(_ files: [InventoryFile], into store: Store, dryRun: Bool = false) throws -> [InventoryChange] {
        let root = recordingsRoot
        let changes = try store.syncInventory(files, dryRun: dryRun) { file, entry in
            guard let rec = entry.recordings else { return nil }
            if rec.hasPrefix("/") { return URL(fileURLWithPath: rec).standardizedFileURL.path }
            let base = root ?? (file.path as NSString).deletingLastPathComponent
            return URL(fileURLWithPath: rec, relativeTo: URL(fileURLWithPath: base, isDirectory: true)).standardizedFileURL.path
        }
        return changes
    }

    /// The YAML files named, directories searched recursively; sorted, each once.
    static func inventoryFiles(_ paths: [String]) throws -> [String] {
        var out: [String] = []
        for path in paths.map(absolute) {
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
                throw CamindexError.usage("no such inventory file or directory: \(path)", code: .inventoryInvalid, value: path)
            }
            guard isDir.boolValue else { out.append(path); continue }
            let found = (FileManager.default.enumerator(atPath: path)?.allObjects as? [String] ?? [])
                .filter { ($0.hasSuffix(".yaml") || $0.hasSuffix(".yml")) && !$0.split(separator: "/").contains { $0.hasPrefix(".") } }
                .map { URL(fileURLWithPath: $0, relativeTo: URL(fileURLWithPath: path, isDirectory: true)).standardizedFileURL.path }
            if found.isEmpty { throw CamindexError.usage("no inventory files (*.yaml, *.yml) under \(path)", code: .inventoryInvalid, value: path) }
            out += found.sorted()
        }
        var seen = Set<String>()
        return out.filter { seen.insert($0).inserted }
    }

    static func absolute(_ path: String) -> String {
        URL(fileURLWithPath: path, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
            .standardizedFileURL.path
    }
}
