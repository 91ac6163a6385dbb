#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What says a file is still the one read before: its size, its modification time to the
/// nanosecond and its inode (a file replaced under the same name has another).
public struct FileIdentity: Sendable, Hashable {
    public var size: Int64
    public var mtimeNs: Int64
    public var inode: Int64

    public init(size: Int64, mtimeNs: Int64, inode: Int64) {
        self.size = size
        self.mtimeNs = mtimeNs
        self.inode = inode
    }

    /// The identity of the file at `path` now, nil when it cannot be read (missing, no access).
    public static func of(_ path: String) -> FileIdentity? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return FileIdentity(size: Int64(st.st_size), mtimeNs: Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec),
                            inode: Int64(bitPattern: UInt64(st.st_ino)))
    }
}
