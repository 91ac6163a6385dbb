import Foundation
import Synchronization

/// What a periodic scan saw of each leaf directory (one without subdirectories, such as a
/// recorder's day directory), so that the next scan skips one whose files were all settled and
/// indexed while its mtime stays the same, and reads the store's rows only for the directories
/// it reads and those gone since: adding, removing or renaming a file changes a
/// directory's mtime. A file rewritten in place without a new name is not seen until its
/// directory changes (the daemon's inotify watch sees it closed). One memory per kind of pass
/// (indexing, verifying): what is settled for one is not for the other.
public final class ListingMemory: Sendable {
    /// A directory seen: its mtime when listed, how many segment files it held, and whether
    /// they were all settled and indexed then.
    package struct Entry: Sendable, Hashable {
        package var mtimeSec: Int
        package var mtimeNsec: Int
        package var files: Int
        package var settled = false

        package init(mtimeSec: Int, mtimeNsec: Int, files: Int, settled: Bool = false) {
            self.mtimeSec = mtimeSec
            self.mtimeNsec = mtimeNsec
            self.files = files
            self.settled = settled
        }
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

    package func entries(root: String) -> [String: Entry] {
        state.withLock { $0.entries[root] ?? [:] }
    }

    /// After a scan of `root`: the leaf directories it now knows (those gone are forgotten),
    /// and how many directories it read and skipped.
    package func update(root: String, seen: [String: Entry], listed: Int, skipped: Int) {
        state.withLock {
            $0.entries[root] = seen.isEmpty ? nil : seen
            $0.listed += listed
            $0.skipped += skipped
        }
    }
}
