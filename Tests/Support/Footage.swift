import Foundation

/// Makes small test footage with the `ffmpeg` CLI: known GOP, frame rate and length.
public enum Footage {
    public enum Codec: String, Sendable { case h264, h265 }

    public struct Spec: Sendable {
        public var seconds: Double
        public var fps: Int = 25
        public var gop: Int = 50
        public var codec: Codec = .h264
        public var bframes: Int = 0
        public var size = "160x120"
        /// Extra output options, e.g. ["-output_ts_offset", "10"] or ["-movflags", "+faststart"].
        public var options: [String] = []
        /// A frame rate `fps` cannot say, e.g. "30000/1001"; nil: `fps`.
        public var rate: String?
        /// Seconds into the test pattern: consecutive files of one "recording" show different
        /// pictures (its clock), while each file's timestamps start again at zero.
        public var patternOffset: Double = 0

        public init(seconds: Double, fps: Int = 25, gop: Int = 50, codec: Codec = .h264, bframes: Int = 0, options: [String] = []) {
            self.seconds = seconds
            self.fps = fps
            self.gop = gop
            self.codec = codec
            self.bframes = bframes
            self.options = options
        }
    }

    /// Writes `path`; the container follows the extension (.mp4, .ts, .mkv, .flv, .mov).
    public static func make(_ path: String, _ spec: Spec) throws {
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        var args = ["-hide_banner", "-loglevel", "error", "-nostdin", "-y",
                    "-f", "lavfi"]
        if spec.patternOffset > 0 { args += ["-ss", String(spec.patternOffset)] }
        args += ["-i", "testsrc2=size=\(spec.size):rate=\(spec.rate ?? String(spec.fps))",
                 "-t", String(spec.seconds), "-pix_fmt", "yuv420p"]
        // Timestamps from zero, as a recorder starts each file.
        if spec.patternOffset > 0 { args += ["-vf", "setpts=PTS-STARTPTS"] }
        switch spec.codec {
        case .h264:
            args += ["-c:v", "libx264", "-preset", "veryfast", "-g", "\(spec.gop)", "-keyint_min", "\(spec.gop)",
                     "-sc_threshold", "0", "-bf", "\(spec.bframes)"]
        case .h265:
            args += ["-c:v", "libx265", "-preset", "ultrafast", "-tag:v", "hvc1",
                     "-x265-params", "keyint=\(spec.gop):min-keyint=\(spec.gop):scenecut=0:bframes=\(spec.bframes):log-level=error"]
        }
        if path.hasSuffix(".flv") && spec.codec == .h265 { throw FootageError("FLV holds H.264 only") }
        args += spec.options + [path]
        try run("ffmpeg", args)
    }

    /// Copies `source` to `path` (the container follows the extension) with the video packets'
    /// timestamps rewritten by FFmpeg's `setts` bitstream filter: expressions of `N` (packet
    /// number), `PTS`, `DTS` and `TB`, e.g. `pts: "if(eq(N,2),PTS+83500/TB,PTS)"`. A rewritten
    /// DTS that goes backwards is clamped by the ffmpeg CLI to the previous one plus a tick, so
    /// one bad forward DTS drags every later packet's DTS with it.
    public static func retime(_ source: String, to path: String, pts: String? = nil, dts: String? = nil) throws {
        func escaped(_ e: String) -> String { e.replacingOccurrences(of: ",", with: "\\,") }
        let options = [dts.map { "dts=" + escaped($0) }, pts.map { "pts=" + escaped($0) }].compactMap { $0 }
        var args = ["-hide_banner", "-loglevel", "error", "-nostdin", "-y", "-i", source, "-map", "0:v", "-c", "copy",
                    "-bsf:v", "setts=" + options.joined(separator: ":")]
        if path.hasSuffix(".ts") { args += ["-f", "mpegts"] }
        try run("ffmpeg", args + [path])
    }

    /// A file whose timestamps stall after `goodFrames` frames, as ffmpeg-based recorders
    /// write after an RTSP source restarts: `frames` frames at `fps`, presentation times frozen
    /// by `setpts`, which libx264's muxer turns into decode times one tick apart.
    public static func stalled(_ path: String, frames: Int, goodFrames: Int, fps: Int = 25, gop: Int = 50) throws {
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try run("ffmpeg", ["-hide_banner", "-loglevel", "error", "-nostdin", "-y", "-f", "lavfi",
                           "-i", "testsrc2=size=160x120:rate=\(fps)", "-frames:v", "\(frames)",
                           "-vf", "setpts='if(lt(N,\(goodFrames)),N,\(goodFrames))/(\(fps)*TB)'", "-fps_mode", "passthrough",
                           "-pix_fmt", "yuv420p", "-c:v", "libx264", "-preset", "veryfast", "-g", "\(gop)", "-keyint_min", "\(gop)",
                           "-sc_threshold", "0", "-bf", "0", path])
    }

    /// Runs a command, throwing with its stderr when it fails.
    @discardableResult
    public static func run(_ tool: String, _ args: [String]) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = [tool] + args
        let result = try p.runCollectingOutput()
        guard result.status == 0 else {
            throw FootageError("\(tool) \(args.joined(separator: " ")) failed: \(result.stderr)")
        }
        return result.stdout
    }

    /// Keeps the first `fraction` of a file: a recording cut off by a crash or a full disk.
    public static func truncate(_ path: String, keeping fraction: Double) throws {
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: path))
        let size = try handle.seekToEnd()
        try handle.truncate(atOffset: UInt64(Double(size) * fraction))
        try handle.close()
    }

    /// Keeps the first `bytes` bytes of a file.
    public static func truncate(_ path: String, toBytes bytes: UInt64) throws {
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: path))
        try handle.truncate(atOffset: bytes)
        try handle.close()
    }

    public static func size(_ path: String) throws -> UInt64 {
        (try FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.uint64Value ?? 0
    }

    /// Overwrites `count` bytes at `fraction` of the file with zeros: damage inside the media.
    public static func zeroOut(_ path: String, at fraction: Double, count: Int) throws {
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: path))
        let size = try handle.seekToEnd()
        try handle.seek(toOffset: UInt64(Double(size) * fraction))
        handle.write(Data(count: count))
        try handle.close()
    }

    /// The same bytes every run (a fixed-seed generator): about 1 in 100 random blobs probes as
    /// raw H.263, which made tests that expect "not a media file" fail now and then.
    public static func randomBytes(_ path: String, count: Int) throws {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        let bytes = (0..<count).map { _ -> UInt8 in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt8(truncatingIfNeeded: state >> 56)
        }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    /// Sets a file's modification time.
    public static func setMtime(_ path: String, _ date: Date) throws {
        try FileManager.default.setAttributes([.modificationDate: date], ofItemAtPath: path)
    }
}

public struct FootageError: Error, CustomStringConvertible {
    public var description: String
    public init(_ d: String) { description = d }
}

/// A temporary directory removed when the value goes away.
public final class TempDir: @unchecked Sendable {
    public let path: String

    public init(_ label: String = "camindex") {
        let base = FileManager.default.temporaryDirectory.path
        path = "\(base)/\(label)-\(UUID().uuidString.prefix(8))"
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    public func file(_ name: String) -> String { "\(path)/\(name)" }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}
