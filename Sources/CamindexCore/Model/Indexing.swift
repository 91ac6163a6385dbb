import Foundation

/// How `camindex index`, `check --repair` and the daemon read recording files.
public struct IndexOptions: Sendable {
    /// Scan every packet of files whose windows rest only on a container index.
    public var verify = false
    /// Read every file again, changed or not.
    public var force = false
    /// Per file: a file that takes longer is recorded as an error.
    public var timeout: Duration = .seconds(60)
    /// Files read at once.
    public var workers = max(1, ProcessInfo.processInfo.activeProcessorCount)
    /// Files modified more recently than this are still being written: left for a later run,
    /// listed in the report's `inProgress`.
    public var settleMs: Int64 = 0
    /// Read a file modified within `settleMs` all the same, and index it when it reads whole
    /// (an MP4 with its moov, an MKV with its cues, a TS ending on a packet): a file copied or
    /// written just now. One that does not read whole yet is in progress, not failed, and is
    /// read again when it changes. Off for the daemon's periodic scan, which learns of closed
    /// files from inotify and must not read growing ones every pass.
    public var readRecentFiles = true
    /// Leaf directories found settled by an earlier scan and unchanged since are not read
    /// again (the daemon's periodic scan); nil reads every directory.
    public var memory: ListingMemory?
    /// The longest a segment may claim: a longer one is clipped, with a warning.
    public var maxSegmentMs: Int64 = 6 * 3_600_000
    /// How far past its file's mtime a segment dated by its path may end (clock skew,
    /// file-system time granularity): beyond, it is clipped, with a warning.
    public var mtimeSlackMs: Int64 = 60_000
    /// Index an MP4 without `moov` from the pictures in its `mdat` (its recorder died).
    /// When false such a file is left for later, listed in `inProgress`: a writer may have
    /// closed it only to open it again (the daemon indexes closed files at once, and
    /// leaves this decision to its periodic scan, after the settle time).
    public var recoverUnfinished = true
    /// Fill the report's `pathZoneOffsetHours` (a query over the camera's latest files):
    /// what `camindex index` warns about; the daemon's scans do not show it.
    public var checkPathZone = true
    /// Told, about once a second while a camera's files are read, how many of how many are
    /// done (`camindex index` shows it on a terminal).
    public var progress: (@Sendable (_ cameraID: String, _ done: Int, _ total: Int) -> Void)?
    /// Stops the run between files, and a file's read where it is (the daemon's SIGTERM): what
    /// is not read is left for the next run, never recorded as failed.
    public var cancel: CancelFlag?

    public init() {}
}

public struct FileFailure: Sendable, Hashable, Codable {
    public var path: String
    public var error: String

    public init(path: String, error: String) {
        self.path = path
        self.error = error
    }
}

/// A file left for a later run: still being written (modified within the settle time) or a
/// hidden temp file waiting for its rename. Not a failure.
public struct PendingFile: Sendable, Hashable, Codable {
    public var path: String
    public var reason: String

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }
}

public struct CameraIndexReport: Sendable, Hashable {
    public var cameraID: String
    public var files = 0
    public var indexed = 0
    public var verified = 0
    public var unchanged = 0
    public var removed = 0
    /// Files still being written (modified within the settle time, or hidden temp files),
    /// left for later.
    public var pending = 0
    /// Those files, and why.
    public var inProgress: [PendingFile] = []
    /// Files another process indexing the same store was reading, or indexed meanwhile: left
    /// to it.
    public var busy = 0
    /// Files not read because the run was stopped: the next run reads them.
    public var stopped = 0
    /// Files whose extent was clipped to their mtime or to the longest segment allowed.
    public var clipped = 0
    /// MP4s without moov whose pictures were recovered from their mdat (indexed, and counted
    /// in `indexed`).
    public var recovered: [String] = []
    /// Of `failures`, those already known from an earlier run.
    public var unchangedFailures = 0
    public var failures: [FileFailure] = []
    /// Why nothing could be done for this camera (no directory).
    public var problem: String?
    /// Most path-dated files end this many whole hours before their mtimes: the path is read in
    /// the wrong zone. See `FootageSummary.pathZoneOffsetHours`.
    public var pathZoneOffsetHours: Int?
    /// How far ahead of now the latest mtime among the files lies, when some lie ahead (the
    /// recorder's clock): they are indexed as settled, and this says so.
    public var mtimeAheadMs: Int64?
    /// Segments indexed this run that start more than a day after now (a recorder's clock set
    /// wrong: footage filed under a day that has not come).
    public var futureSegments = 0

    public init(cameraID: String) { self.cameraID = cameraID }
}
