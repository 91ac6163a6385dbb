import CamindexCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Claims on files being indexed, shared by every process indexing one store (the daemon,
/// `camindex index` run by hand, `check --repair`), so that no two read the same file at once:
/// a byte-range lock (Linux open-file-description lock, `F_OFD_SETLK`) on `<store>.index.lock`
/// beside the store's real file (links resolved), at an offset hashed from the camera and the file. The lock goes with the
/// process (or the descriptor), so a killed indexer leaves no stale claim. Where such locks are
/// not to be had (another OS, a file system without them), every claim succeeds and the store's
/// own check inside the write transaction is what keeps work from doubling.
final class IndexClaims: @unchecked Sendable {
    // Sendable: the descriptor never changes after init, and fcntl is thread-safe.
    private let fd: Int32

    /// Nil when the lock file cannot be opened (claims then always succeed).
    init?(storePath: String) {
        #if os(Linux)
        let fd = open(Paths.real(storePath) + ".index.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return nil }
        self.fd = fd
        #else
        return nil
        #endif
    }

    deinit { close(fd) }

    /// False when another indexer (in this process or another) holds the file.
    func claim(cameraID: String, path: String) -> Bool {
        lock(Self.offset(cameraID, path), type: Int16(F_WRLCK)) != EAGAIN
    }

    func release(cameraID: String, path: String) {
        _ = lock(Self.offset(cameraID, path), type: Int16(F_UNLCK))
    }

    /// 0 on success, else errno. Errors other than a conflict (EAGAIN) count as success: no
    /// locking to be had is not a reason to skip a file.
    private func lock(_ offset: Int64, type: Int16) -> Int32 {
        #if os(Linux)
        var fl = flock()
        fl.l_type = type
        fl.l_whence = Int16(SEEK_SET)
        fl.l_start = __off_t(offset)
        fl.l_len = 1
        fl.l_pid = 0
        // F_OFD_SETLK (Linux 3.15), not exported to Swift by Glibc's headers.
        let ofdSetLock: Int32 = 37
        if fcntl(fd, ofdSetLock, &fl) == 0 { return 0 }
        let e = errno
        return e == EAGAIN || e == EACCES ? EAGAIN : e
        #else
        return 0
        #endif
    }

    /// FNV-1a of camera and path, kept positive for `off_t`. A collision only makes one of two
    /// files wait for the next run.
    static func offset(_ cameraID: String, _ path: String) -> Int64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in cameraID.utf8 + [0] + path.utf8 {
            h ^= UInt64(b)
            h = h &* 0x0000_0100_0000_01b3
        }
        return Int64(bitPattern: h & 0x3fff_ffff_ffff_ffff)
    }
}
