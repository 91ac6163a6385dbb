import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Tells the recording loop about segment files as soon as their writer closes them or they
/// are renamed into place (inotify), so they are indexed at once rather than at the next scan.
/// A recordings directory deleted and made again (a remount, a technician's `rm -r` and
/// `mkdir`) is watched again as it returns: each one's parent is watched for it. The periodic
/// scan stays the safety net: events can be dropped (queue overflow, watch limits).
public final class RecordingWatcher: Sendable {
    private struct State {
        var watches: [Int32: String] = [:]
        /// The recordings directories asked for, watched again when they come back.
        var roots: Set<String> = []
        var pending: Set<String> = []
        var stopped = false
    }

    private let fd: Int32
    private let state = Mutex(State())

    /// Nil where inotify is not available (or the process is out of instances).
    public init?() {
        #if os(Linux)
        fd = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard fd >= 0 else { return nil }
        let thread = Thread { [self] in self.readEvents() }
        thread.name = "camindex.inotify"
        thread.start()
        #else
        return nil
        #endif
    }

    deinit { close(fd) }

    public func stop() { state.withLock { $0.stopped = true } }

    /// Watches `root`, every directory under it (new ones as they appear) and its parent (for
    /// the root's return once deleted). Called again each scan: a root whose watch was lost
    /// (its parent deleted too) is watched again. Returns false when the kernel refuses (watch
    /// limit): the scan still covers it.
    @discardableResult
    public func watch(_ root: String) -> Bool {
        let known = state.withLock { s -> Bool in
            s.roots.insert(root)
            return s.watches.values.contains(root)
        }
        if known { return true }
        let parent = (root as NSString).deletingLastPathComponent
        if !parent.isEmpty, parent != root, !state.withLock({ $0.watches.values.contains(parent) }) { _ = add(parent) }
        return addTree(root).ok
    }

    /// Files closed or moved in since the last call.
    public func takePending() -> [String] {
        state.withLock { s in defer { s.pending.removeAll() }; return s.pending.sorted() }
    }

    /// Watches `dir` and the directories under it; returns the files already there.
    private func addTree(_ dir: String) -> (ok: Bool, files: [String]) {
        var ok = add(dir)
        var files: [String] = []
        if let e = FileManager.default.enumerator(atPath: dir) {
            while let sub = e.nextObject() as? String {
                let hidden = sub.split(separator: "/").contains { $0.hasPrefix(".") }
                if (e.fileAttributes?[.type] as? FileAttributeType) == .typeDirectory {
                    if hidden { e.skipDescendants() } else { ok = add(dir + "/" + sub) && ok }
                } else if !hidden {
                    files.append(dir + "/" + sub)
                }
            }
        }
        return (ok, files)
    }

    private func add(_ dir: String) -> Bool {
        #if os(Linux)
        let mask = UInt32(IN_CLOSE_WRITE) | UInt32(IN_MOVED_TO) | UInt32(IN_CREATE)
        let wd = inotify_add_watch(fd, dir, mask)
        guard wd >= 0 else { return false }
        state.withLock { $0.watches[wd] = dir }
        return true
        #else
        return false
        #endif
    }

    private func readEvents() {
        #if os(Linux)
        let size = 64 * 1024
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 8)
        defer { buffer.deallocate() }
        var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        while !state.withLock({ $0.stopped }) {
            guard poll(&poller, 1, 500) > 0 else { continue }
            let n = read(fd, buffer, size)
            guard n > 0 else { continue }
            var offset = 0
            while offset + MemoryLayout<inotify_event>.size <= n {
                let event = buffer.load(fromByteOffset: offset, as: inotify_event.self)
                let nameStart = buffer.advanced(by: offset + MemoryLayout<inotify_event>.size).assumingMemoryBound(to: CChar.self)
                let name = event.len > 0 ? String(cString: nameStart) : ""
                offset += MemoryLayout<inotify_event>.size + Int(event.len)
                if event.mask & UInt32(IN_IGNORED) != 0 {
                    // The directory is gone (deleted, unmounted): its parent's watch sees it return.
                    state.withLock { _ = $0.watches.removeValue(forKey: event.wd) }
                    continue
                }
                guard !name.isEmpty, !name.hasPrefix("."), let dir = state.withLock({ $0.watches[event.wd] }) else { continue }
                let path = dir + "/" + name
                if event.mask & UInt32(IN_ISDIR) != 0 {
                    // A new per-day directory, or a recordings directory made again: watched, with
                    // whatever was written in it before the watch was in place.
                    guard event.mask & (UInt32(IN_CREATE) | UInt32(IN_MOVED_TO)) != 0, isWanted(path) else { continue }
                    let files = addTree(path).files
                    state.withLock { s in s.pending.formUnion(files) }
                } else if event.mask & (UInt32(IN_CLOSE_WRITE) | UInt32(IN_MOVED_TO)) != 0, isWanted(path) {
                    state.withLock { _ = $0.pending.insert(path) }
                }
            }
        }
        #endif
    }

    /// A directory under (or being) a recordings directory; not another directory beside one
    /// in a parent watched only for the recordings directory's return.
    private func isWanted(_ path: String) -> Bool {
        state.withLock { s in s.roots.contains { path == $0 || path.hasPrefix($0.hasSuffix("/") ? $0 : $0 + "/") } }
    }
}
