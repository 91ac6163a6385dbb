import CamindexCore
import Foundation
#if canImport(Glibc)
import Glibc
#endif

// Listing recording directories with the C library: `opendir`/`readdir` with the entry's type,
// one `fstatat` per segment file for its size and mtime. Foundation's enumerator and resource
// values cost ~30× a plain listing (an NSURL per file, every attribute fetched, a second stat).
extension Indexer {
    /// A regular segment file found in a listing, with what `stat` would say of it.
    public struct ListedFile: Sendable, Hashable {
        public var path: String
        public var size: Int64
        public var mtimeMs: Int64
    }

    /// Segment files under `dir`, sorted; hidden files and directories (temp files being
    /// written, such as ZLMediaKit's dot-files) are skipped.
    public static func segmentFiles(under dir: String) -> [String] {
        listSegmentFiles(under: dir).map(\.path)
    }

    /// Segment files under `dir` with their size and mtime, sorted by path; hidden files and
    /// directories skipped, symbolic links not followed, unreadable directories left out.
    public static func listSegmentFiles(under dir: String) -> [ListedFile] {
        listRecordings(under: dir).files
    }

    /// One pass over `dir`: its segment files (as `listSegmentFiles`) and its hidden temp files
    /// (dot-files named like segment files, possibly with a temp suffix: `.x.mp4`, `.x.mp4.tmp`,
    /// not inside hidden directories), which recorders write and rename into place.
    public static func listRecordings(under dir: String) -> (files: [ListedFile], hiddenTemps: [String]) {
        let listing = listRecordings(under: dir, remembered: [:])
        return (listing.files, listing.hiddenTemps)
    }

    /// One listing of a recordings directory.
    struct Listing {
        var files: [ListedFile] = []
        var hiddenTemps: [String] = []
        /// Leaf directories (no subdirectories) read, with their mtimes: what `ListingMemory`
        /// may remember.
        var leaves: [Leaf] = []
        /// Remembered leaf directories whose mtime had not changed, not read: their paths and
        /// how many segment files they held.
        var skipped: [String: Int] = [:]
        /// Directories read.
        var read: [String] = []
        /// Directories that could not be opened or read, and why: the rows of their files are
        /// kept (the files may well be there), and the run says so.
        var unreadable: [String: String] = [:]
        /// Directories holding a camindex export (its manifest): clips, never footage.
        var exports: [String] = []
    }

    struct Leaf {
        var path: String
        var mtime: ListingMemory.Entry
        var hiddenTemps: Int
    }

    /// As `listRecordings(under:)`, except that a leaf directory `remembered` as settled whose
    /// mtime is still the one remembered is not read.
    static func listRecordings(under dir: String, remembered: [String: ListingMemory.Entry]) -> Listing {
        var listing = Listing()
        let root = absolute(dir)
        let fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else {
            listing.unreadable[root] = String(cString: strerror(errno))
            return listing
        }
        list(fd, path: root == "/" ? "" : root, remembered: remembered, into: &listing)
        listing.files.sort { $0.path < $1.path }
        listing.hiddenTemps.sort()
        return listing
    }

    /// Whether the directory `key`, with `dirStat`, is remembered settled at this mtime: then it
    /// is counted as skipped and not read.
    private static func skips(_ key: String, _ dirStat: Glibc.stat, remembered: [String: ListingMemory.Entry], into listing: inout Listing) -> Bool {
        guard let known = remembered[key], known.settled,
              known.mtimeSec == dirStat.st_mtim.tv_sec, known.mtimeNsec == dirStat.st_mtim.tv_nsec else { return false }
        listing.skipped[key] = known.files
        return true
    }

    /// Lists the directory open at `fd` (and closes it).
    private static func list(_ fd: Int32, path: String, remembered: [String: ListingMemory.Entry], into listing: inout Listing) {
        var dirStat = Glibc.stat()
        let hasMtime = fstat(fd, &dirStat) == 0
        let key = path.isEmpty ? "/" : path
        if hasMtime, skips(key, dirStat, remembered: remembered, into: &listing) {
            close(fd)
            return
        }
        if isExport(fd) {
            listing.exports.append(key)
            close(fd)
            return
        }
        guard let d = fdopendir(fd) else {
            listing.unreadable[key] = String(cString: strerror(errno))
            close(fd)
            return
        }
        defer { closedir(d) }
        listing.read.append(key)
        var files = 0, temps = 0, subdirectories = 0
        while let entry = readdir(d) {
            let (name, type) = withUnsafePointer(to: &entry.pointee.d_name) { p in
                p.withMemoryRebound(to: CChar.self, capacity: Int(NAME_MAX) + 1) { (String(cString: $0), entry.pointee.d_type) }
            }
            if name.hasPrefix(".") {  // hidden, and "." and ".."
                if name != ".", name != "..", name.lowercased().split(separator: ".").dropFirst().contains(where: { segmentExtensions.contains(String($0)) }) {
                    var st = Glibc.stat()
                    if fstatat(dirfd(d), name, &st, AT_SYMLINK_NOFOLLOW) == 0, (st.st_mode & S_IFMT) == S_IFREG {
                        listing.hiddenTemps.append(path + "/" + name)
                        temps += 1
                    }
                }
                continue
            }
            var isDir = type == UInt8(DT_DIR)
            var isFile = type == UInt8(DT_REG)
            let segment = isSegmentName(name)
            if type == UInt8(DT_UNKNOWN) || (isFile && segment) {
                var st = Glibc.stat()
                guard fstatat(dirfd(d), name, &st, AT_SYMLINK_NOFOLLOW) == 0 else { continue }
                isDir = (st.st_mode & S_IFMT) == S_IFDIR
                isFile = (st.st_mode & S_IFMT) == S_IFREG
                if isFile && segment {
                    listing.files.append(ListedFile(path: path + "/" + name, size: Int64(st.st_size), mtimeMs: mtimeMs(st.st_mtim)))
                    files += 1
                    continue
                }
            }
            if isDir {
                subdirectories += 1
                let subPath = path + "/" + name
                // A settled day directory is judged by its mtime alone, without opening it: most
                // of a periodic scan is these.
                var subStat = Glibc.stat()
                if !remembered.isEmpty, fstatat(dirfd(d), name, &subStat, AT_SYMLINK_NOFOLLOW) == 0,
                   (subStat.st_mode & S_IFMT) == S_IFDIR, skips(subPath, subStat, remembered: remembered, into: &listing) {
                    continue
                }
                let sub = openat(dirfd(d), name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW)
                if sub >= 0 {
                    list(sub, path: subPath, remembered: remembered, into: &listing)
                } else if errno != ELOOP && errno != ENOTDIR {
                    // ELOOP/ENOTDIR: a symbolic link, not followed.
                    listing.unreadable[subPath] = String(cString: strerror(errno))
                }
            }
        }
        if hasMtime, subdirectories == 0 {
            listing.leaves.append(Leaf(path: key, mtime: ListingMemory.Entry(mtimeSec: dirStat.st_mtim.tv_sec,
                                                                            mtimeNsec: dirStat.st_mtim.tv_nsec, files: files),
                                       hiddenTemps: temps))
        }
    }

    /// Whether the directory open at `fd` holds a camindex export: its `manifest.json` names
    /// `camindex_version`. Its clips are evidence taken from the index, not footage.
    static func isExport(_ fd: Int32) -> Bool {
        let m = openat(fd, "manifest.json", O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard m >= 0 else { return false }
        defer { close(m) }
        var head = [UInt8](repeating: 0, count: 4096)
        let n = read(m, &head, head.count)
        return n > 0 && String(decoding: head[0..<n], as: UTF8.self).contains("\"camindex_version\"")
    }

    /// Whether a file name has a segment file's extension (as `URL.pathExtension`, any case).
    static func isSegmentName(_ name: String) -> Bool {
        guard let dot = name.lastIndex(of: "."), dot > name.startIndex else { return false }
        return segmentExtensions.contains(name[name.index(after: dot)...].lowercased())
    }

    /// Milliseconds since the epoch, rounded exactly as Foundation's `modificationDate` gave
    /// them (the store compares them with what earlier versions recorded): swift-corelibs-
    /// foundation builds the date from the reference date, and on sub-millisecond halves the
    /// other order of the sums rounds differently (ListingTests).
    static func mtimeMs(_ t: timespec) -> Int64 {
        let date = Date(timeIntervalSinceReferenceDate: TimeInterval(t.tv_sec) - Date.timeIntervalBetween1970AndReferenceDate
                        + TimeInterval(t.tv_nsec) / 1_000_000_000)
        return Int64((date.timeIntervalSince1970 * 1000).rounded())
    }

    /// Size and mtime (ms) of a regular file; nil for anything else or what cannot be read.
    public static func stat(_ path: String) -> (size: Int64, mtimeMs: Int64)? {
        var st = Glibc.stat()
        guard lstat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return nil }
        return (Int64(st.st_size), mtimeMs(st.st_mtim))
    }
}
