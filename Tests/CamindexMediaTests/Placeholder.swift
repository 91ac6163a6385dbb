import Testing
import CamindexMedia
import CamindexTestSupport

@Test func explore() throws {
    let dir = TempDir()
    let cases: [(String, Footage.Spec)] = [
        ("a.mp4", .init(seconds: 10)),
        ("b.mp4", .init(seconds: 10, codec: .h265, bframes: 3)),
        ("c.mp4", .init(seconds: 10, bframes: 2)),
        ("d.mkv", .init(seconds: 10, bframes: 2)),
        ("e.ts", .init(seconds: 10, bframes: 2)),
        ("f.flv", .init(seconds: 10)),
        ("g.mkv", .init(seconds: 10, codec: .h265, bframes: 3)),
    ]
    for (name, spec) in cases {
        try Footage.make(dir.file(name), spec)
        for mode in [SegmentReader.Mode.fast, .scan] {
            let i = try SegmentReader.read(path: dir.file(name), mode: mode)
            print(name, mode, i.container, i.codec, i.width, i.height, i.fps ?? -1, i.method, i.runs, i.firstPtsMs, i.truncated, i.damagedKeyframes, i.keyframesMs)
        }
    }
}
