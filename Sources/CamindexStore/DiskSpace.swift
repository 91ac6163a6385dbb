import CamindexCore
import Foundation

/// Tells a full disk from other I/O errors, so a message says "no space left" when that is
/// the cause, not SQLite's "disk I/O error".
enum DiskSpace {
    /// Bytes left to this process on the device holding `path` when they are too few for
    /// SQLite to grow its files (a page and its WAL frame); nil when there is room or the
    /// device cannot be asked.
    static func exhausted(near path: String) -> Int64? {
        var st = statvfs()
        let dir = (path as NSString).deletingLastPathComponent
        guard statvfs(dir.isEmpty ? "." : dir, &st) == 0 else { return nil }
        let free = Int64(st.f_bavail) * Int64(st.f_frsize)
        return free < 64 * 1024 ? free : nil
    }

    static func error(opening path: String, free: Int64) -> CamindexError {
        .runtime("cannot open store \(path) for writing: no space left on the device holding it (\(free) bytes free); free space there, then run the command again",
                 code: .storeNoSpace, value: path)
    }

    static func error(writing path: String, free: Int64) -> CamindexError {
        .runtime("cannot write store \(path): no space left on the device holding it (\(free) bytes free); free space there and run the command again",
                 code: .storeNoSpace, value: path)
    }
}
