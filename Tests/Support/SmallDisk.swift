import Foundation

/// A small tmpfs mounted for one test, to make a disk full on purpose. Needs the right to mount
/// (root, as CI runs the tests); `available` says whether this machine gives it.
public final class SmallDisk: @unchecked Sendable {
    public let path: String
    private var filler: String { path + "/.filler" }

    public static let available: Bool = {
        guard let probe = try? SmallDisk(bytes: 1 << 20) else { return false }
        _ = probe
        return true
    }()

    public init(bytes: Int) throws {
        let template = FileManager.default.temporaryDirectory.appendingPathComponent("camindex-disk-XXXXXX").path
        var chars = Array(template.utf8CString)
        guard let made = mkdtemp(&chars) else { throw FootageError("mkdtemp failed") }
        path = String(cString: made)
        let status = try Footage.runStatus("mount", ["-t", "tmpfs", "-o", "size=\(bytes),mode=0777", "tmpfs", path])
        guard status == 0 else {
            rmdir(path)
            throw FootageError("cannot mount a tmpfs at \(path) (mount exited \(status))")
        }
    }

    /// Fills the disk, then frees `leaving` bytes (rounded down to whole 4 KiB pages by tmpfs).
    public func fill(leaving: Int = 0) throws {
        let fd = open(filler, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard fd >= 0 else { throw FootageError("cannot create \(filler)") }
        let block = [UInt8](repeating: 0, count: 64 << 10)
        var size = 0
        var chunk = block.count
        while chunk > 0 {
            let n = block.withUnsafeBytes { write(fd, $0.baseAddress, chunk) }
            if n > 0 { size += n } else { chunk /= 2 }
        }
        _ = ftruncate(fd, off_t(max(0, size - leaving)))
        close(fd)
    }

    /// Frees what `fill` took.
    public func empty() { unlink(filler) }

    public var free: Int {
        var st = statvfs()
        guard statvfs(path, &st) == 0 else { return -1 }
        return Int(st.f_bavail) * Int(st.f_frsize)
    }

    public func file(_ name: String) -> String { "\(path)/\(name)" }

    deinit {
        _ = try? Footage.runStatus("umount", ["-l", path])
        rmdir(path)
    }
}
