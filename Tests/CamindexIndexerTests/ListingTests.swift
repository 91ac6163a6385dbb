import CamindexIndexer
import CamindexTestSupport
import Foundation
import Testing

/// The C-library listing finds what Foundation's enumerator found, with the size and mtime
/// `FileManager` gave (stored mtimes must still compare equal after the change).
@Suite struct ListingTests {
    let dir = TempDir("listing")

    /// What `Indexer.segmentFiles(under:)` and `Indexer.stat` did with Foundation.
    static func foundationListing(_ root: String) -> [(String, Int64, Int64)] {
        guard let e = FileManager.default.enumerator(at: URL(fileURLWithPath: root), includingPropertiesForKeys: [.isRegularFileKey],
                                                     options: [.skipsHiddenFiles]) else { return [] }
        var out: [(String, Int64, Int64)] = []
        for case let url as URL in e where Indexer.segmentExtensions.contains(url.pathExtension.lowercased()) {
            guard (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true else { continue }
            let path = url.standardizedFileURL.path
            let a = try! FileManager.default.attributesOfItem(atPath: path)
            out.append((path, (a[.size] as! NSNumber).int64Value,
                        Int64(((a[.modificationDate] as! Date).timeIntervalSince1970 * 1000).rounded())))
        }
        return out.sorted { $0.0 < $1.0 }
    }

    @Test func listingEqualsFoundations() throws {
        let fm = FileManager.default
        var rng = SystemRandomNumberGenerator()
        let names = ["a.mp4", "B.MP4", "c.ts", "d.mkv", "notes.txt", "e", ".hidden.mp4", "f.mp4.part", "g.m2ts", "h.", "ü 文件.mov"]
        for sub in ["", "2026-11-20", "2026-11-20/08", ".tmp", "2026-11-21"] {
            try fm.createDirectory(atPath: dir.file(sub), withIntermediateDirectories: true)
            for name in names {
                let path = dir.file(sub.isEmpty ? name : sub + "/" + name)
                try Data(repeating: 1, count: Int.random(in: 0..<5000, using: &rng)).write(to: URL(fileURLWithPath: path))
                // Assorted sub-millisecond mtimes, where rounding differs.
                var times = [timespec(tv_sec: 1_795_132_800 + Int.random(in: 0..<86_400, using: &rng), tv_nsec: Int.random(in: 0..<1_000_000_000, using: &rng)),
                             timespec(tv_sec: 1_795_132_800 + Int.random(in: 0..<86_400, using: &rng), tv_nsec: Int.random(in: 0..<1_000_000_000, using: &rng))]
                if Bool.random(using: &rng) { times[1].tv_nsec = 500_000 * Int.random(in: 0..<2000, using: &rng) }
                #expect(utimensat(AT_FDCWD, path, &times, 0) == 0)
            }
        }
        try fm.createSymbolicLink(atPath: dir.file("link.mp4"), withDestinationPath: dir.file("a.mp4"))
        try fm.createSymbolicLink(atPath: dir.file("linkdir"), withDestinationPath: dir.file("2026-11-20"))
        let expected = Self.foundationListing(dir.file(""))
        let listed = Indexer.listSegmentFiles(under: dir.file(""))
        #expect(listed.map(\.path) == expected.map(\.0))
        #expect(listed.map(\.size) == expected.map(\.1))
        #expect(listed.map(\.mtimeMs) == expected.map(\.2))
        #expect(Indexer.segmentFiles(under: dir.file("") + "/") == expected.map(\.0))
        for (path, size, mtime) in expected {
            #expect(Indexer.stat(path).map { [$0.size, $0.mtimeMs] } == [size, mtime])
        }
        #expect(Indexer.stat(dir.file("link.mp4")) == nil && Indexer.stat(dir.file("2026-11-20")) == nil)
        #expect(expected.count == 4 * 6)
    }
}
