import CamindexCore
import CamindexIndexer
import CamindexStore
import Foundation

/// `camindex check`: an fsck of the store against the files on disk, and its repair.
public struct IndexCheck: Sendable {
    public struct Problem: Encodable, Hashable, Sendable {
        public enum Kind: String, Encodable, Sendable { case integrity, missing, unreadable, changed, unindexed, windows }
        public var kind: Kind
        public var camera: String?
        public var path: String?
        public var detail: String
        public var repaired: Bool
    }

    /// A file some of whose timestamps the indexer did not believe (left out of its footage):
    /// not a fault of the index, a file to look at.
    public struct TimestampNote: Encodable, Hashable, Sendable {
        public var camera: String
        public var path: String
        public var bad_timestamps: Int
    }

    /// Not a fault of the index against the files, but worth a look: path times in the wrong
    /// zone, segments whose timestamps stalled.
    public struct Warning: Encodable, Hashable, Sendable {
        public var camera: String
        public var detail: String
    }

    /// An MP4 whose recorder died before writing its `moov`, indexed from the pictures found
    /// in its `mdat` (timed from the frame rate): footage to handle with care.
    public struct RecoveredFile: Encodable, Hashable, Sendable {
        public var camera: String
        public var path: String
    }

    public struct Result: Sendable {
        public var cameras: Int
        public var problems: [Problem]
        public var badTimestamps: [TimestampNote]
        public var warnings: [Warning] = []
        public var recovered: [RecoveredFile] = []
        /// Every problem found was repaired (or there were none).
        public var ok: Bool { problems.allSatisfy(\.repaired) }
    }

    public let store: Store
    /// Files modified more recently are still being written: neither reported nor read.
    public let settleMs: Int64

    public init(store: Store, settleMs: Int64 = 15_000) {
        self.store = store
        self.settleMs = settleMs
    }

    /// Checks SQLite's integrity, then every indexed file of `cameraID` (or of every camera):
    /// missing, changed (size or mtime), windows against runs, and segment files on disk not
    /// in the index. With `repair`, drops missing files' rows, re-reads changed and unindexed
    /// files, and rebuilds windows that disagree.
    public func run(cameraID: String?, repair: Bool) throws -> Result {
        var notes: [TimestampNote] = []
        let integrity: [String]
        do { integrity = try store.integrityProblems() } catch let error as CamindexError where error.code == .storeDamaged {
            integrity = [try store.damage() ?? error.message]
        }
        // A damaged file is not compared with the recordings, nor repaired: its rows are not to
        // be trusted, and writing into it spreads the damage.
        if let first = integrity.first {
            if try store.damage() == nil { store.markDamaged("integrity_check: " + first) }
            return Result(cameras: 0, problems: integrity.map { Problem(kind: .integrity, camera: nil, path: nil, detail: $0, repaired: false) },
                          badTimestamps: [], warnings: [], recovered: [])
        }
        store.clearDamage()
        var problems: [Problem] = []
        let cameras = try cameraID.map { [try store.requireCamera(id: $0)] } ?? store.cameras(in: nil, includeDisabled: true)
        var options = IndexOptions()
        options.settleMs = settleMs
        let indexer = Indexer(store: store, options: options)
        let now = store.clock.now().ms
        var warnings: [Warning] = []
        for cam in cameras {
            var missing: [String] = [], changed: [String] = [], unreadable: [(path: String, why: String)] = []
            let stored = try store.storedFiles(cameraID: cam.id)
            notes += stored.filter { $0.badTimestamps > 0 }.map { TimestampNote(camera: cam.id, path: $0.path, bad_timestamps: $0.badTimestamps) }
            for file in stored {
                guard let (size, mtime) = Indexer.stat(file.path) else {
                    // Only a file that is gone is missing: one this user cannot reach (a
                    // directory without permission) keeps its row.
                    var st = stat()
                    if lstat(file.path, &st) != 0, errno != ENOENT, errno != ENOTDIR {
                        unreadable.append((file.path, String(cString: strerror(errno))))
                    } else {
                        missing.append(file.path)
                    }
                    continue
                }
                if size != file.size || mtime != file.mtimeMs { changed.append(file.path) }
            }
            let known = Set(stored.map(\.path))
            let unindexed = cam.recordings.map {
                Indexer.segmentFiles(under: $0).filter { path in
                    !known.contains(path) && Indexer.stat(path).map { now - $0.mtimeMs >= settleMs } ?? true
                }
            } ?? []
            let windowsOK = try store.windowsMatchRuns(cameraID: cam.id)
            if repair {
                try store.deleteSegments(cameraID: cam.id, paths: missing)
                if !changed.isEmpty || !unindexed.isEmpty { _ = try indexer.indexFiles(changed + unindexed, of: cam) }
                if !windowsOK { try store.rebuildWindows(cameraID: cam.id) }
            }
            problems += missing.map { Problem(kind: .missing, camera: cam.id, path: $0, detail: "indexed file no longer exists", repaired: repair) }
            problems += unreadable.map {
                Problem(kind: .unreadable, camera: cam.id, path: $0.path, detail: "cannot be reached (\($0.why)): its row is kept", repaired: false)
            }
            problems += changed.map { Problem(kind: .changed, camera: cam.id, path: $0, detail: "size or mtime differ from the index", repaired: repair) }
            problems += unindexed.map { Problem(kind: .unindexed, camera: cam.id, path: $0, detail: "segment file not in the index", repaired: repair) }
            let summary = try store.footageSummary(cameraID: cam.id)
            if let h = summary.pathZoneOffsetHours {
                warnings.append(Warning(camera: cam.id, detail: FootageSummary.pathZoneWarning(hours: h)))
            }
            if let ms = summary.mtimeAheadMs(of: Instant(ms: now)) {
                warnings.append(Warning(camera: cam.id, detail: FootageSummary.mtimeAheadWarning(aheadMs: ms)))
            }
            let ahead = try store.segmentCount(cameraID: cam.id, startingAfter: Instant(ms: now + Indexer.futureMarginMs))
            if ahead > 0 {
                warnings.append(Warning(camera: cam.id, detail: "\(ahead) segment\(ahead == 1 ? "" : "s") dated more than a day ahead of now (the recorder's clock?)"))
            }
            if summary.stalledSegments > 0 {
                warnings.append(Warning(camera: cam.id, detail: "\(summary.stalledSegments) segment\(summary.stalledSegments == 1 ? "" : "s") with timestamps: stalled (re-timed from the frame rate, low confidence)"))
            }
            if !windowsOK { problems.append(Problem(kind: .windows, camera: cam.id, path: nil, detail: "stored windows differ from the runs", repaired: repair)) }
        }
        let recovered = try store.recoveredSegments(cameraID: cameraID).map { RecoveredFile(camera: $0.cameraID, path: $0.path) }
        return Result(cameras: cameras.count, problems: problems, badTimestamps: notes, warnings: warnings, recovered: recovered)
    }
}

/// `camindex index`: one camera's files or directory, or every camera's recordings directory.
public struct IndexRun: Sendable {
    public let store: Store
    public let options: IndexOptions

    public init(store: Store, options: IndexOptions) {
        self.store = store
        self.options = options
    }

    /// With `cameraID` and `paths`, those files (or directories) for that camera; with
    /// `cameraID` alone, its recordings directory; with neither, every enabled camera's.
    public func run(cameraID: String?, paths: [String]) throws -> [CameraIndexReport] {
        let indexer = Indexer(store: store, options: options)
        guard let cameraID else {
            return try store.cameras(in: nil, includeDisabled: false).filter { $0.recordings != nil }.map { try indexer.indexRecordings(of: $0) }
        }
        let cam = try store.requireCamera(id: cameraID)
        guard paths.isEmpty else { return [try indexer.indexFiles(paths, of: cam)] }
        guard cam.recordings != nil else {
            throw CamindexError.usage("camera \(cam.id) has no recordings directory: set one with 'camindex camera update \(cam.id) --recordings DIR' or give files",
                                      code: .cameraNoRecordings, value: cam.id)
        }
        return [try indexer.indexRecordings(of: cam)]
    }
}
