import CamindexCore
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One daemon per store: an exclusive lock (`FileLock`) on `<store>.daemon.lock`, beside the
/// store's real file (symbolic links resolved, so a daemon started through a link meets the
/// one started on the file), held for the daemon's lifetime with its pid in the file. CLI
/// commands do not take it: they keep working beside the daemon.
public final class DaemonLock: Sendable {
    public let path: String
    private let lock: FileLock

    /// Takes the lock for the store at `storePath`, or throws a runtime error (exit status 1)
    /// naming the pid that holds it and the lock file.
    public init(storePath: String, pid: Int32 = getpid()) throws {
        path = Self.lockPath(storePath)
        do {
            lock = try FileLock(path: path, pid: pid)
        } catch .held(let holder) {
            let who = holder.map { "pid \($0)" } ?? "another process"
            throw CamindexError.runtime("another camindex daemon (\(who)) is running on this store: it holds \(path)", code: .daemonRunning, value: storePath)
        } catch .failed(let why) {
            throw CamindexError.runtime("cannot lock \(path): \(why)", code: .daemonLock, value: path)
        }
    }

    static func lockPath(_ storePath: String) -> String { Paths.real(storePath) + ".daemon.lock" }

    /// The pid written in the lock file, if any.
    public static func holder(storePath: String) -> Int32? { FileLock.writtenPid(path: lockPath(storePath)) }

    /// Releases the lock (the file stays; the next daemon overwrites the pid).
    public func release() { lock.release() }
}
