import CamindexCore
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One daemon per store: an exclusive `flock` on `<store>.daemon.lock`, beside the store, held
/// for the daemon's lifetime, with the holder's pid written in the file. The kernel drops the
/// lock when the process ends however it ends (`kill -9` too), so a stale file never blocks a
/// restart. CLI commands do not take it: they keep working beside the daemon.
public final class DaemonLock: @unchecked Sendable {
    // Sendable: the descriptor is set once and only closed in `release`/`deinit`.
    public let path: String
    private var fd: Int32

    /// Takes the lock for the store at `storePath`, or throws a runtime error (exit status 1)
    /// naming the pid that holds it and the lock file.
    public init(storePath: String, pid: Int32 = getpid()) throws {
        path = storePath + ".daemon.lock"
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw CamindexError.runtime("cannot open the daemon lock \(path): \(String(cString: strerror(errno)))", code: .daemonLock, value: path)
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let e = errno
            let holder = Self.readPid(fd)
            close(fd)
            if e == EWOULDBLOCK {
                let who = holder.map { "pid \($0)" } ?? "another process"
                throw CamindexError.runtime("another camindex daemon (\(who)) is running on this store: it holds \(path)", code: .daemonRunning, value: storePath)
            }
            throw CamindexError.runtime("cannot lock \(path): \(String(cString: strerror(e)))", code: .daemonLock, value: path)
        }
        let text = Array("\(pid)\n".utf8)
        if ftruncate(fd, 0) != 0 || pwrite(fd, text, text.count, 0) != text.count {
            // The lock holds without the pid; a second daemon's message just says less.
        }
    }

    /// The pid written in the lock file, if any.
    public static func holder(storePath: String) -> Int32? {
        let fd = open(storePath + ".daemon.lock", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        return readPid(fd)
    }

    private static func readPid(_ fd: Int32) -> Int32? {
        var buffer = [UInt8](repeating: 0, count: 32)
        let n = pread(fd, &buffer, buffer.count, 0)
        guard n > 0 else { return nil }
        return Int32(String(decoding: buffer[0..<n], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// Releases the lock (the file stays; the next daemon overwrites the pid).
    public func release() {
        guard fd >= 0 else { return }
        close(fd)
        fd = -1
    }

    deinit { release() }
}
