import Foundation

/// What `ffprobe` says about a file: the independent check on files camindex writes.
public enum FFprobe {
    public struct Packet: Sendable, Hashable {
        public var pts: Int64
        public var dts: Int64
        public var duration: Int64
        public var size: Int
        /// ffprobe's flags column: `K_` keyframe, `_D` discard, …
        public var flags: String
        /// SHA-256 of the packet's data.
        public var hash: String
        public var isKeyframe: Bool { flags.contains("K") }
    }

    public struct VideoStream: Sendable {
        /// Time base as num/den.
        public var timeBase: (num: Int64, den: Int64)
        public var frameRate: (num: Int64, den: Int64)
        public var codec: String
        public var codecTag: String
        public var width: Int
        public var height: Int
        public var tags: [String: String]
        /// One frame in the stream's time base.
        public var frameTicks: Double { Double(timeBase.den * frameRate.den) / Double(timeBase.num * frameRate.num) }
        /// Ticks to milliseconds.
        public func ms(_ ticks: Int64) -> Double { Double(ticks) * Double(timeBase.num) * 1000 / Double(timeBase.den) }
    }

    /// The first video stream's packets in file (decode) order, with a hash of each one's data.
    public static func packets(_ path: String) throws -> [Packet] {
        let json = try probe(["-select_streams", "v:0", "-show_data_hash", "sha256",
                              "-show_entries", "packet=pts,dts,duration,size,flags,data_hash", path])
        let list = json["packets"] as? [[String: Any]] ?? []
        return list.map { p in
            Packet(pts: int(p["pts"]) ?? Int64.min, dts: int(p["dts"]) ?? Int64.min, duration: int(p["duration"]) ?? 0,
                   size: Int(int(p["size"]) ?? 0), flags: p["flags"] as? String ?? "", hash: p["data_hash"] as? String ?? "")
        }
    }

    public static func videoStream(_ path: String) throws -> VideoStream {
        let json = try probe(["-select_streams", "v:0", "-show_entries",
                              "stream=codec_name,codec_tag_string,width,height,time_base,r_frame_rate:stream_tags", path])
        guard let s = (json["streams"] as? [[String: Any]])?.first else { throw FootageError("\(path): no video stream") }
        return VideoStream(timeBase: ratio(s["time_base"]), frameRate: ratio(s["r_frame_rate"]),
                           codec: s["codec_name"] as? String ?? "", codecTag: s["codec_tag_string"] as? String ?? "",
                           width: Int(int(s["width"]) ?? 0), height: Int(int(s["height"]) ?? 0),
                           tags: s["tags"] as? [String: String] ?? [:])
    }

    /// The container's tags (`creation_time`, …).
    public static func formatTags(_ path: String) throws -> [String: String] {
        let json = try probe(["-show_entries", "format_tags", path])
        return (json["format"] as? [String: Any])?["tags"] as? [String: String] ?? [:]
    }

    /// MD5 of each decoded picture in presentation order, with its PTS: what a player shows.
    public static func pictureHashes(_ path: String) throws -> [String] {
        let out = try Footage.run("ffmpeg", ["-hide_banner", "-loglevel", "error", "-nostdin", "-i", path,
                                             "-map", "0:v:0", "-fps_mode", "passthrough", "-f", "framemd5", "-"])
        return out.split(separator: "\n").filter { !$0.hasPrefix("#") }.compactMap {
            $0.split(separator: ",").last.map { $0.trimmingCharacters(in: .whitespaces) }
        }
    }

    /// The types of an ISO BMFF file's top-level boxes, in file order (`ftyp`, `moov`, `mdat`).
    public static func topLevelBoxes(_ path: String) throws -> [String] {
        let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        let size = try handle.seekToEnd()
        var offset: UInt64 = 0
        var boxes: [String] = []
        while offset + 8 <= size {
            try handle.seek(toOffset: offset)
            let header = [UInt8](try handle.read(upToCount: 16) ?? Data())
            guard header.count >= 8 else { break }
            var length = header[0..<4].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            boxes.append(String(decoding: header[4..<8], as: UTF8.self))
            if length == 1, header.count == 16 { length = header[8..<16].reduce(UInt64(0)) { $0 << 8 | UInt64($1) } }
            if length == 0 { break }  // to the end of the file
            guard length >= 8 else { throw FootageError("\(path): bad box size at \(offset)") }
            offset += length
        }
        return boxes
    }

    private static func probe(_ args: [String]) throws -> [String: Any] {
        let out = try Footage.run("ffprobe", ["-v", "error", "-of", "json"] + args)
        guard let json = try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any] else {
            throw FootageError("ffprobe \(args.joined(separator: " ")): not JSON")
        }
        return json
    }

    private static func int(_ v: Any?) -> Int64? {
        if let n = v as? NSNumber { return n.int64Value }
        if let s = v as? String { return Int64(s) }
        return nil
    }

    private static func ratio(_ v: Any?) -> (num: Int64, den: Int64) {
        let parts = (v as? String ?? "0/1").split(separator: "/").map { Int64($0) ?? 0 }
        return parts.count == 2 ? (parts[0], parts[1]) : (0, 1)
    }
}
