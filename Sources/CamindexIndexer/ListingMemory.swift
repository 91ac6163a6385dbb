import Foundation
import Synchronization

/// What a periodic scan saw of each leaf directory (one without subdirectories, such as a
/// recorder's day directory) whose files were all settled and indexed, so that the next scan
/// skips it while its mtime stays the same: adding, removing or renaming a file changes a
/// directory's mtime. A file rewritten in place without a new name is not seen until its
/// directory changes (the daemon's inotify watch sees it closed). One memory per kind of pass
/// (indexing, verifying): what is settled for one is not for the other.
public final class ListingMemory: Sendable {
    /// A remembered directory: its mtime when listed, and how many segment files it held.
    struct Entry: Sendable, Hashable {
        var mtimeSec: Int
        var mtimeNsec: Int
        var files: Int
    }

    private struct State {
        /// Per recordings directory (camera), per leaf directory under it.
        var entries: [String: [String: Entry]] = [:]
        var listed = 0
        var skipped = 0
    }

    private let state = Mutex(State())

    public init() {}

    /// Directories read, and skipped as unchanged, since this memory was made.
    public var listedDirectories: Int { state.withLock { $0.listed } }
    public var skippedDirectories: Int { state.withLock { $0.skipped } }

    func entries(root: String) -> [String: Entry] {
        state.withLock { $0.entries[root] ?? [:] }
    }

    /// After a scan of `root`: what it now knows (directories not settled, or gone, are
    /// forgotten), and how many directories it read and skipped.
    func update(root: String, settled: [String: Entry], listed: Int, skipped: Int) {
        state.withLock {
            $0.entries[root] = settled.isEmpty ? nil : settled
            $0.listed += listed
            $0.skipped += skipped
        }
    }
}
