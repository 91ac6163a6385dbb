import ArgumentParser
import CamindexCore
import CamindexIndexer
import CamindexStore
import Foundation

struct CheckCommand: ParsableCommand, GlobalConfigurable {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Verify the index against the files on disk; --repair fixes what it finds.",
        discussion: """
            Checks SQLite's integrity, then every indexed file: missing (deleted since), changed \
            (size or mtime differ), and each camera's windows against its runs; and lists segment \
            files in recording directories that are not indexed. --repair drops the rows of missing \
            files, re-reads changed and unindexed ones, and rebuilds windows that disagree. Exit \
            status 1 when problems remain.
            """
    )

    @OptionGroup var global: GlobalOptions
    @Option(help: ArgumentHelp("Only this camera.", valueName: "id")) var camera: String?
    @Flag(help: "Fix what is found.") var repair = false
    @Option(help: "table or json.") var format: OutputFormat = .table

    struct Problem: Encodable, Hashable {
        var kind: String
        var camera: String?
        var path: String?
        var detail: String
        var repaired: Bool
    }

    func run() throws {
        let store = try global.openForReading()
        var problems = try store.integrityProblems().map { Problem(kind: "integrity", camera: nil, path: nil, detail: $0, repaired: false) }
        let cameras = try camera.map { [try store.requireCamera(id: $0)] } ?? store.cameras(includeDisabled: true)
        let indexer = Indexer(store: store)
        for cam in cameras {
            var missing: [String] = [], changed: [String] = []
            let stored = try store.storedFiles(cameraID: cam.id)
            for file in stored {
                var isDir: ObjCBool = false
                guard FileManager.default.fileExists(atPath: file.path, isDirectory: &isDir), !isDir.boolValue else {
                    missing.append(file.path)
                    continue
                }
                let attrs = try? FileManager.default.attributesOfItem(atPath: file.path)
                let size = (attrs?[.size] as? NSNumber)?.int64Value
                let mtime = (attrs?[.modificationDate] as? Date).map { Int64(($0.timeIntervalSince1970 * 1000).rounded()) }
                if size != file.size || mtime != file.mtimeMs { changed.append(file.path) }
            }
            let known = Set(stored.map(\.path))
            let unindexed = cam.recordings.map { Indexer.segmentFiles(under: $0).filter { !known.contains($0) } } ?? []
            let windowsOK = try store.windowsMatchRuns(cameraID: cam.id)
            if repair {
                try store.deleteSegments(cameraID: cam.id, paths: missing)
                if !changed.isEmpty || !unindexed.isEmpty { _ = try indexer.indexFiles(changed + unindexed, of: cam) }
                if !windowsOK { try store.rebuildWindows(cameraID: cam.id) }
            }
            problems += missing.map { Problem(kind: "missing", camera: cam.id, path: $0, detail: "indexed file no longer exists", repaired: repair) }
            problems += changed.map { Problem(kind: "changed", camera: cam.id, path: $0, detail: "size or mtime differ from the index", repaired: repair) }
            problems += unindexed.map { Problem(kind: "unindexed", camera: cam.id, path: $0, detail: "segment file not in the index", repaired: repair) }
            if !windowsOK { problems.append(Problem(kind: "windows", camera: cam.id, path: nil, detail: "stored windows differ from the runs", repaired: repair)) }
        }
        if format == .json {
            struct Result: Encodable { var ok: Bool; var problems: [Problem] }
            try Output.json(Result(ok: problems.allSatisfy(\.repaired), problems: problems))
        } else if problems.isEmpty {
            print("ok: store sound, \(cameras.count) cameras checked, index matches the files")
        } else {
            print(Output.table(header: ["PROBLEM", "CAMERA", "FILE", "DETAIL"], rows: problems.map {
                [$0.kind + ($0.repaired ? " (repaired)" : ""), $0.camera ?? "-", $0.path ?? "-", $0.detail]
            }))
        }
        if !problems.allSatisfy(\.repaired) { throw ExitCode(1) }
    }
}
