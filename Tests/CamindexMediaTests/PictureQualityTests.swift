import CamindexCore
import CamindexMedia
import CamindexTestSupport
import Foundation
import Testing

/// Video quality diagnosis on footage made with ffmpeg's test sources and filters: each fault
/// found with its value, clean moving pictures never flagged.
@Suite struct PictureQualityTests {
    static let dir = TempDir("picture-quality")

    static let cases: [(name: String, filter: String, faults: [PictureFault])] = [
        ("clean", "testsrc2=size=640x360:rate=25", []),
        ("fractal", "mandelbrot=size=640x360:rate=25", []),
        ("black", "color=black:size=640x360:rate=25", [.black]),
        ("frozen", "testsrc2=size=640x360:rate=25,trim=end_frame=1,loop=loop=-1:size=1", [.frozen]),
        ("snow", "testsrc2=size=640x360:rate=25,noise=alls=100:allf=t", [.noise]),
        ("blur", "testsrc2=size=640x360:rate=25,boxblur=10", [.blur]),
        ("cast", "testsrc2=size=640x360:rate=25,colorchannelmixer=rr=1:gg=0.3:bb=0.3", [.colourCast]),
        ("covered", "testsrc2=size=640x360:rate=25,drawbox=x=0:y=0:w=iw*0.85:h=ih*0.85:color=gray:t=fill", [.occlusion]),
    ]

    static func footage(_ name: String, _ filter: String) throws -> String {
        let path = dir.file("\(name).mp4")
        if !FileManager.default.fileExists(atPath: path) {
            try Footage.run("ffmpeg", ["-v", "error", "-y", "-f", "lavfi", "-i", filter, "-t", "2.5", "-c:v", "libx264", "-preset", "veryfast",
                                       "-g", "25", "-pix_fmt", "yuv420p", path])
        }
        return path
    }

    @Test(arguments: cases.indices)
    func eachFaultIsFoundAndNothingElse(_ i: Int) throws {
        let c = Self.cases[i]
        let samples = try PictureDecoder.keyframes(path: try Self.footage(c.name, c.filter), count: 2)
        #expect(samples.count == 2)
        #expect(samples.allSatisfy { $0.width == 320 && $0.height == 180 })
        let stats = samples.map(PictureStats.init)
        let verdicts = PictureThresholds().verdicts(stats[1], previous: stats[0])
        #expect(verdicts.map(\.fault) == c.faults, "\(c.name): \(verdicts)")
        for v in verdicts {
            // Each verdict crossed its threshold by its measured value.
            #expect(v.fault == .blur || v.fault == .frozen || v.fault == .noSignal || v.fault == .black ? v.measured < v.threshold : v.measured > v.threshold)
        }
    }

    @Test func thresholdsArePerCamera() throws {
        let stats = PictureStats(try #require(try PictureDecoder.keyframes(path: try Self.footage("cast", Self.cases[6].filter), count: 1).first))
        var lenient = PictureThresholds()
        lenient.colourCast = 60
        #expect(lenient.verdicts(stats).isEmpty)
    }

    @Test func notAVideoFile() throws {
        let path = Self.dir.file("noise.bin")
        try Footage.randomBytes(path, count: 20_000)
        #expect(throws: MediaError.self) { try PictureDecoder.keyframes(path: path) }
    }
}
