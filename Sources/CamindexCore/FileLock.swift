import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An exclusive `flock` on a file, held until released or until the process ends however it
/// ends (`kill -9` too: the kernel drops it, so a stale file never blocks), with the holder's
/// pid written in the file for the message of whoever finds it held.
package final class FileLock: @unchecked Sendable {
    // Sendable: the descriptor is set once and only closed in `release`/`deinit`.
    package let path: String
    private var fd: Int32
    /// The file goes when the lock is released (an export's lock in its directory of evidence).
    private let removeOnRelease: Bool

    package enum Failure: Error {
        /// Another process (its pid, when it wrote one) holds it.
        case held(pid: Int32?)
        /// The file cannot be opened or locked: the system's words.
        case failed(String)
    }

    package init(path: String, pid: Int32 = getpid(), removeOnRelease: Bool = false) throws(Failure) {
        self.path = path
        self.removeOnRelease = removeOnRelease
        while true {
            fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
            // A throwing init of a whole object still runs deinit: fd is -1 before any throw.
            guard fd >= 0 else { throw .failed(String(cString: strerror(errno))) }
            guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
                let e = errno
                let holder = Self.readPid(fd)
                close(fd)
                fd = -1
                throw e == EWOULDBLOCK ? .held(pid: holder) : .failed(String(cString: strerror(e)))
            }
            // A holder that removes its file on release may have done so between our open and
            // our lock: the lock is only ours if the path still names the file locked.
            var held = stat(), named = stat()
            if !removeOnRelease || (fstat(fd, &held) == 0 && stat(path, &named) == 0 && held.st_ino == named.st_ino && held.st_dev == named.st_dev) { break }
            close(fd)
        }
        let text = Array("\(pid)\n".utf8)
        // Without the pid the lock still holds; a second process's message just says less.
        _ = ftruncate(fd, 0)
        _ = pwrite(fd, text, text.count, 0)
    }

    /// The pid of the process holding the lock at `path`, nil when nobody holds it; the file is
    /// only read, never created.
    package static func holder(path: String) -> Int32?? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        guard flock(fd, LOCK_SH | LOCK_NB) != 0, errno == EWOULDBLOCK else { return nil }
        return .some(readPid(fd))
    }

    /// The pid last written in the file, held or not.
    package static func writtenPid(path: String) -> Int32? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
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

    /// Releases the lock; the file stays (the next holder overwrites the pid) unless made to go.
    package func release() {
        guard fd >= 0 else { return }
        if removeOnRelease { unlink(path) }
        close(fd)
        fd = -1
    }

    deinit { release() }
}

package enum Paths {
    /// `path` with symbolic links resolved as far as it exists: locks named after a store are
    /// the same whichever link it was reached by, and an output is compared with recordings
    /// directories as the file system sees them.
    package static func real(_ path: String) -> String {
        var existing = URL(fileURLWithPath: path).standardizedFileURL
        var rest: [String] = []
        while !FileManager.default.fileExists(atPath: existing.path), existing.path != "/" {
            rest.insert(existing.lastPathComponent, at: 0)
            existing.deleteLastPathComponent()
        }
        return rest.reduce(existing.resolvingSymlinksInPath()) { $0.appendingPathComponent($1) }.path
    }
}
