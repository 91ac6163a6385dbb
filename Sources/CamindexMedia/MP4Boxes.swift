import CamindexCore
import Foundation

/// The top-level boxes of an ISO base media file (MP4, MOV), read from their headers only:
/// enough to tell an MP4 whose recorder never wrote its `moov` (still writing, or killed)
/// from a file that is not media at all, and to find what its `mdat` holds.
public enum MP4Boxes {
    /// Box types that may stand at the top level of an MP4/MOV.
    static let topLevel: Set<String> = ["ftyp", "moov", "mdat", "free", "skip", "wide", "uuid", "moof", "mfra", "styp", "sidx", "pdin", "meta", "prfl"]

    /// A top-level box: its type and where its payload lies (clipped to the file).
    struct Box {
        var type: String
        var payload: Range<UInt64>
    }

    /// The top-level boxes up to the first header that is not one; nil when the file does not
    /// start like an MP4. A box whose size runs past the end of the file (a recorder that died
    /// before fixing it) or is 0 (to the end) ends at the end of the file.
    static func boxes(_ path: String) -> [Box]? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        guard let end = try? handle.seekToEnd() else { return nil }
        var offset: UInt64 = 0
        var out: [Box] = []
        while offset + 8 <= end, out.count < 10_000 {
            guard (try? handle.seek(toOffset: offset)) != nil,
                  let header = try? handle.read(upToCount: 16), header.count >= 8 else { break }
            let bytes = [UInt8](header)
            var size = UInt64(bytes[0]) << 24 | UInt64(bytes[1]) << 16 | UInt64(bytes[2]) << 8 | UInt64(bytes[3])
            let type = String(decoding: bytes[4..<8], as: UTF8.self)
            guard topLevel.contains(type) else { break }
            var headerSize: UInt64 = 8
            if size == 1 {
                guard bytes.count >= 16 else { break }
                size = bytes[8..<16].reduce(0) { $0 << 8 | UInt64($1) }
                headerSize = 16
            } else if size == 0 {
                size = end - offset
            }
            guard size >= headerSize else { break }
            out.append(Box(type: type, payload: (offset + headerSize)..<min(offset + size, end)))
            offset += size
        }
        return out.isEmpty ? nil : out
    }

    /// True when `path` starts like an MP4 (known top-level boxes) but has no `moov` box;
    /// false when it has one; nil when it does not look like an MP4.
    public static func lacksMoov(_ path: String) -> Bool? {
        boxes(path).map { !$0.contains { $0.type == "moov" } }
    }
}

/// The footage of an MP4 whose recorder died before writing its `moov` (killed, power cut):
/// the pictures are in its `mdat`, the index that times them is gone. The NAL units are found
/// by their length prefixes (or Annex B start codes), each picture by its first slice, and the
/// keyframes by their NAL type (H.264 IDR, H.265 IRAP); times come from the frame rate of
/// another file of the same camera, from the file's first picture.
public enum MoovlessMP4 {
    /// The pictures found, or a `MediaError` (`invalidData`) saying why none were.
    public static func recover(path: String, reference: StreamParameters) throws(MediaError) -> SegmentInfo {
        guard let codec = Codec(reference.codec) else {
            throw MediaError(.invalidData, "\(path): unfinished (no moov); the camera's other files are \(reference.codec), not H.264/H.265")
        }
        guard reference.fps > 0 else { throw MediaError(.invalidData, "\(path): unfinished (no moov); no frame rate known for the camera") }
        guard let mdat = MP4Boxes.boxes(path)?.first(where: { $0.type == "mdat" }) else {
            throw MediaError(.invalidData, "\(path): unfinished (no moov) and no media data box")
        }
        if mdat.payload.isEmpty {
            // Killed before its muxer flushed a picture (ffmpeg's segment muxer leaves 48 bytes):
            // a file with no footage, not a broken one.
            return SegmentInfo(container: "mov", codec: reference.codec, width: reference.width, height: reference.height,
                               fps: reference.fps, keyframesMs: [], runs: [], firstPtsMs: 0, creationTime: nil, method: .recovered,
                               truncated: true, damagedKeyframes: 0)
        }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
        } catch {
            throw MediaError(.notFound, "\(path): not readable")
        }
        let pictures = data.withUnsafeBytes { raw -> Pictures in
            let bytes = raw.bindMemory(to: UInt8.self)
            let range = Int(mdat.payload.lowerBound)..<min(Int(mdat.payload.upperBound), bytes.count)
            return Pictures.find(in: UnsafeBufferPointer(rebasing: bytes[range]), codec: codec)
        }
        guard pictures.count > 0, let firstKey = pictures.keyframes.first else {
            throw MediaError(.invalidData, "\(path): unfinished (no moov) and no \(reference.codec) pictures found in its media data")
        }
        // A player starts at a keyframe: pictures before the first one cannot be shown.
        let frameMs = 1000 / reference.fps
        func ms(_ picture: Int) -> Int64 { Int64((Double(picture - firstKey) * frameMs).rounded()) }
        return SegmentInfo(
            container: "mov", codec: reference.codec, width: reference.width, height: reference.height, fps: reference.fps,
            keyframesMs: pictures.keyframes.map(ms), runs: [.init(startMs: 0, endMs: ms(pictures.count))],
            firstPtsMs: 0, creationTime: nil, method: .recovered, truncated: true, damagedKeyframes: 0)
    }

    enum Codec {
        case h264, hevc

        init?(_ name: String) {
            switch name {
            case "h264": self = .h264
            case "hevc", "h265": self = .hevc
            default: return nil
            }
        }
    }

    /// Pictures (access units) in a run of NAL units, and which of them are keyframes.
    struct Pictures {
        var count = 0
        var keyframes: [Int] = []

        /// NAL units chained by 4-byte lengths (what MP4 muxers write); where the chain breaks
        /// (another track's samples interleaved, damage) the next place where three units chain
        /// again; Annex B start codes when the data has no length chain at all.
        static func find(in data: UnsafeBufferPointer<UInt8>, codec: Codec) -> Pictures {
            var out = Pictures()
            var i = 0
            var chained = false
            while i < data.count {
                if let n = unit(at: i, in: data, codec: codec), chains(from: i, in: data, codec: codec) || chained {
                    out.add(data[(i + 4)..<(i + 4 + n)], codec: codec)
                    i += 4 + n
                    chained = true
                } else {
                    chained = false
                    i += 1
                }
            }
            if out.count == 0 { out = annexB(data, codec: codec) }
            return out
        }

        /// The length of a plausible NAL unit with a 4-byte length prefix at `i`.
        static func unit(at i: Int, in data: UnsafeBufferPointer<UInt8>, codec: Codec) -> Int? {
            guard i + 6 <= data.count else { return nil }
            let n = Int(data[i]) << 24 | Int(data[i + 1]) << 16 | Int(data[i + 2]) << 8 | Int(data[i + 3])
            guard n >= 2, n <= data.count - i - 4, validHeader(data[(i + 4)...], codec: codec) else { return nil }
            return n
        }

        /// Three units chain from `i` (or the data ends after fewer).
        static func chains(from i: Int, in data: UnsafeBufferPointer<UInt8>, codec: Codec) -> Bool {
            var j = i
            for _ in 0..<3 {
                if j == data.count { return true }
                guard let n = unit(at: j, in: data, codec: codec) else { return false }
                j += 4 + n
            }
            return true
        }

        static func validHeader(_ nal: Slice<UnsafeBufferPointer<UInt8>>, codec: Codec) -> Bool {
            guard let first = nal.first, first & 0x80 == 0 else { return false }
            switch codec {
            case .h264:
                return (1...23).contains(first & 0x1F)
            case .hevc:
                guard nal.count >= 2 else { return false }
                let second = nal[nal.startIndex + 1]
                // layer 0, temporal ID plus 1 not 0
                return (first >> 1) & 0x3F <= 40 && first & 1 == 0 && second & 0xF8 == 0 && second & 7 != 0
            }
        }

        mutating func add(_ nal: Slice<UnsafeBufferPointer<UInt8>>, codec: Codec) {
            guard nal.count >= 3 else { return }
            let header = nal[nal.startIndex]
            let firstSliceOfPicture: Bool
            let key: Bool
            switch codec {
            case .h264:
                let type = header & 0x1F
                guard type == 1 || type == 5 else { return }
                // first_mb_in_slice is ue(v): 0 is the single bit 1.
                firstSliceOfPicture = nal[nal.startIndex + 1] & 0x80 != 0
                key = type == 5
            case .hevc:
                let type = (header >> 1) & 0x3F
                guard type <= 31 else { return }
                firstSliceOfPicture = nal[nal.startIndex + 2] & 0x80 != 0
                key = (16...21).contains(type)
            }
            guard firstSliceOfPicture else { return }
            if key { keyframes.append(count) }
            count += 1
        }

        static func annexB(_ data: UnsafeBufferPointer<UInt8>, codec: Codec) -> Pictures {
            var out = Pictures()
            AnnexB.forEachUnit(data) { unit in
                if validHeader(data[unit], codec: codec) { out.add(data[unit], codec: codec) }
                return true
            }
            return out
        }
    }
}
