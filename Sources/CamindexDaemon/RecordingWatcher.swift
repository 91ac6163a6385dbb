import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Tells the recording loop about segment files as soon as their writer closes them or they
/// are renamed into place (inotify), so they are indexed at once rather than at the next scan.
/// The periodic scan stays the safety net: events can be dropped (queue overflow, watch limits).
public final class RecordingWatcher: Sendable {
    private struct State {
        var watches: [Int32: String] = [:]
        var watched: Set<String> = []
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

    /// Watches `root` and every directory under it (new ones are added as they appear).
    /// Returns false when the kernel refuses (watch limit): the scan still covers it.
    @discardableResult
    public func watch(_ root: String) -> Bool {
        if state.withLock({ $0.watched.contains(root) }) { return true }
        var ok = add(root)
        if let e = FileManager.default.enumerator(atPath: root) {
            while let sub = e.nextObject() as? String {
                if (e.fileAttributes?[.type] as? FileAttributeType) == .typeDirectory, !sub.split(separator: "/").contains(where: { $0.hasPrefix(".") }) {
                    ok = add(root + "/" + sub) && ok
                }
            }
        }
        state.withLock { _ = $0.watched.insert(root) }
        return ok
    }

    /// Files closed or moved in since the last call.
    public func takePending() -> [String] {
        state.withLock { s in defer { s.pending.removeAll() }; return s.pending.sorted() }
    }

    private func add(_ dir: String) -> Bool {
        #if os(Linux)
        let wd = inotify_add_watch(fd, dir, UInt32(IN_CLOSE_WRITE) | UInt32(IN_MOVED_TO) | UInt32(IN_CREATE))
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
                guard !name.isEmpty, !name.hasPrefix("."), let dir = state.withLock({ $0.watches[event.wd] }) else { continue }
                let path = dir + "/" + name
                if event.mask & UInt32(IN_ISDIR) != 0 {
                    // A new per-day directory: watch it and whatever was written in it already.
                    if event.mask & UInt32(IN_CREATE) != 0 || event.mask & UInt32(IN_MOVED_TO) != 0 {
                        _ = add(path)
                        let existing = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
                        state.withLock { s in for f in existing where !f.hasPrefix(".") { s.pending.insert(path + "/" + f) } }
                    }
                } else if event.mask & (UInt32(IN_CLOSE_WRITE) | UInt32(IN_MOVED_TO)) != 0 {
                    state.withLock { _ = $0.pending.insert(path) }
                }
            }
        }
        #endif
    }
}
