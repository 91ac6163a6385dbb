/// Video quality diagnosis (视频质量诊断) on one decoded keyframe: cheap statistics of its
/// luma (sampled to at most 320 columns) and mean chroma, and verdicts against thresholds, each
/// with its measured value. Plain values: tested without FFmpeg.
public struct PictureSample: Sendable, Hashable {
    /// Luma samples, row by row.
    public var width: Int
    public var height: Int
    public var luma: [UInt8]
    /// Mean Cb and Cr (128 is neutral).
    public var meanCb: Double
    public var meanCr: Double

    public init(width: Int, height: Int, luma: [UInt8], meanCb: Double, meanCr: Double) {
        self.width = width; self.height = height; self.luma = luma; self.meanCb = meanCb; self.meanCr = meanCr
    }
}

public struct PictureStats: Codable, Sendable, Hashable {
    public var meanLuma: Double
    /// Standard deviation of luma: contrast.
    public var lumaSpread: Double
    /// Median over 8×8 blocks of the mean absolute Laplacian: high everywhere means noise (snow).
    public var noise: Double
    /// 90th percentile of the same over blocks that are not flat: low means no sharp edge (blur).
    public var sharpness: Double
    /// Distance of the mean chroma from neutral grey.
    public var colourCast: Double
    /// Share of the frame in its largest run of near-uniform blocks of one level (a lens covered, a wall).
    public var uniformShare: Double
    /// A 32×18 thumbnail, to compare consecutive keyframes (a frozen picture).
    public var signature: [UInt8]

    public init(_ p: PictureSample) {
        let n = Double(max(1, p.luma.count))
        let mean = p.luma.reduce(0.0) { $0 + Double($1) } / n
        meanLuma = mean
        lumaSpread = (p.luma.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / n).squareRoot()
        colourCast = ((p.meanCb - 128) * (p.meanCb - 128) + (p.meanCr - 128) * (p.meanCr - 128)).squareRoot()

        // Per 8×8 block: mean absolute Laplacian, mean and spread.
        let bw = max(1, p.width / 8), bh = max(1, p.height / 8)
        var lap: [Double] = [], means: [Double] = [], spreads: [Double] = []
        for by in 0..<bh {
            for bx in 0..<bw {
                var sum = 0.0, sumSq = 0.0, l = 0.0, count = 0.0, lcount = 0.0
                for y in (by * 8)..<min(p.height, by * 8 + 8) {
                    for x in (bx * 8)..<min(p.width, bx * 8 + 8) {
                        let v = Double(p.luma[y * p.width + x])
                        sum += v; sumSq += v * v; count += 1
                        if x > 0, y > 0, x < p.width - 1, y < p.height - 1 {
                            let c = 4 * v - Double(p.luma[y * p.width + x - 1]) - Double(p.luma[y * p.width + x + 1])
                                - Double(p.luma[(y - 1) * p.width + x]) - Double(p.luma[(y + 1) * p.width + x])
                            l += abs(c); lcount += 1
                        }
                    }
                }
                let m = sum / max(1, count)
                means.append(m)
                spreads.append(max(0, sumSq / max(1, count) - m * m).squareRoot())
                lap.append(l / max(1, lcount))
            }
        }
        let sorted = lap.sorted()
        noise = sorted.isEmpty ? 0 : sorted[sorted.count / 2]
        // Edges are judged where there is something: a covered lens or a wall is not blur. With
        // no textured block at all (colour bars, flat areas meeting on block boundaries) there
        // is no edge to judge: 0, which `verdicts` does not count as blur.
        let textured = zip(lap, spreads).filter { $0.1 >= 4 }.map(\.0).sorted()
        sharpness = textured.isEmpty ? 0 : textured[min(textured.count - 1, textured.count * 9 / 10)]
        uniformShare = Self.largestUniformShare(means: means, spreads: spreads, columns: bw, rows: bh)
        signature = Self.thumbnail(p, columns: 32, rows: 18)
    }

    /// The largest 4-connected region of flat blocks (spread < 4) whose levels stay within 12
    /// of the region's first block, as a share of all blocks.
    static func largestUniformShare(means: [Double], spreads: [Double], columns: Int, rows: Int) -> Double {
        var seen = [Bool](repeating: false, count: means.count)
        var best = 0
        for start in means.indices where !seen[start] && spreads[start] < 4 {
            let level = means[start]
            var stack = [start], size = 0
            seen[start] = true
            while let i = stack.popLast() {
                size += 1
                let x = i % columns, y = i / columns
                for (nx, ny) in [(x - 1, y), (x + 1, y), (x, y - 1), (x, y + 1)] where nx >= 0 && ny >= 0 && nx < columns && ny < rows {
                    let j = ny * columns + nx
                    if !seen[j], spreads[j] < 4, abs(means[j] - level) < 12 {
                        seen[j] = true
                        stack.append(j)
                    }
                }
            }
            best = max(best, size)
        }
        return means.isEmpty ? 0 : Double(best) / Double(means.count)
    }

    static func thumbnail(_ p: PictureSample, columns: Int, rows: Int) -> [UInt8] {
        var out: [UInt8] = []
        for ty in 0..<rows {
            for tx in 0..<columns {
                let x0 = tx * p.width / columns, x1 = max(x0 + 1, (tx + 1) * p.width / columns)
                let y0 = ty * p.height / rows, y1 = max(y0 + 1, (ty + 1) * p.height / rows)
                var sum = 0, count = 0
                for y in y0..<min(y1, p.height) { for x in x0..<min(x1, p.width) { sum += Int(p.luma[y * p.width + x]); count += 1 } }
                out.append(UInt8(count > 0 ? sum / count : 0))
            }
        }
        return out
    }

    /// Mean absolute difference of two signatures, 0–255.
    public func difference(from other: PictureStats) -> Double { Self.difference(signature, other.signature) }

    public static func difference(_ a: [UInt8], _ b: [UInt8]) -> Double {
        guard a.count == b.count, !a.isEmpty else { return 255 }
        return Double(zip(a, b).reduce(0) { $0 + abs(Int($1.0) - Int($1.1)) }) / Double(a.count)
    }
}

/// What can be wrong with the picture.
public enum PictureFault: String, Codable, Sendable, CaseIterable {
    case black, white, noSignal = "no_signal", frozen, noise, blur, colourCast = "colour_cast", occlusion
}

/// One fault found, with the value measured and the threshold it crossed.
public struct PictureVerdict: Codable, Sendable, Hashable {
    public var fault: PictureFault
    public var measured: Double
    public var threshold: Double

    public init(fault: PictureFault, measured: Double, threshold: Double) {
        self.fault = fault; self.measured = measured; self.threshold = threshold
    }

    /// `black 3.2 (< 24)`: the fault, what was measured and the side of the threshold it fell.
    public var text: String {
        let below = [.black, .noSignal, .blur, .frozen].contains(fault)
        return "\(fault.rawValue) \(Self.number(measured)) (\(below ? "<" : ">") \(Self.number(threshold)))"
    }

    /// The faults of one picture in a line; `in good order` when there are none.
    public static func summary(_ verdicts: [PictureVerdict]) -> String {
        verdicts.isEmpty ? "in good order" : verdicts.map(\.text).joined(separator: ", ")
    }

    public static func number(_ v: Double) -> String {
        abs(v) < 10 ? String((v * 100).rounded() / 100) : String((v * 10).rounded() / 10)
    }
}

/// Thresholds, per camera when a county wants (a night scene is darker than a street at noon).
public struct PictureThresholds: Codable, Sendable, Hashable {
    public var blackLuma = 24.0
    public var whiteLuma = 232.0
    /// Below this luma spread the picture holds nothing (with a mid level: a test card, a blank input).
    public var noSignalSpread = 6.0
    /// Two keyframes this close (mean absolute difference of their signatures) are one frozen picture.
    public var frozenDifference = 0.5
    public var noise = 40.0
    public var sharpness = 12.0
    public var colourCast = 30.0
    public var occlusionShare = 0.6

    public init() {}

    /// The names a county sets per camera (`camera update --quality-threshold NAME=VALUE`, the
    /// inventory's `quality_thresholds`), in the order they are listed.
    public static let names = ["black_luma", "white_luma", "no_signal_spread", "frozen_difference", "noise", "sharpness",
                               "colour_cast", "occlusion_share"]

    /// The defaults with `overrides` (name → value) applied; an unknown name or a value out of
    /// range is refused, naming it.
    public init(overrides: [String: Double]) throws(CamindexError) {
        for (name, value) in overrides { try set(name, value) }
    }

    public func value(_ name: String) -> Double? {
        switch name {
        case "black_luma": blackLuma
        case "white_luma": whiteLuma
        case "no_signal_spread": noSignalSpread
        case "frozen_difference": frozenDifference
        case "noise": noise
        case "sharpness": sharpness
        case "colour_cast": colourCast
        case "occlusion_share": occlusionShare
        default: nil
        }
    }

    public mutating func set(_ name: String, _ value: Double) throws(CamindexError) {
        guard let _ = self.value(name) else {
            throw CamindexError.usage("unknown quality threshold '\(name)' (one of \(Self.names.joined(separator: ", ")))",
                                      code: .qualityThresholdInvalid, value: name)
        }
        let limit = name == "occlusion_share" ? 1.0 : 255.0
        guard value.isFinite, value >= 0, value <= limit else {
            throw CamindexError.usage("quality threshold \(name)=\(value): must be between 0 and \(limit == 1 ? "1" : "255")",
                                      code: .qualityThresholdInvalid, value: "\(name)=\(value)")
        }
        switch name {
        case "black_luma": blackLuma = value
        case "white_luma": whiteLuma = value
        case "no_signal_spread": noSignalSpread = value
        case "frozen_difference": frozenDifference = value
        case "noise": noise = value
        case "sharpness": sharpness = value
        case "colour_cast": colourCast = value
        default: occlusionShare = value
        }
    }

    /// `NAME=VALUE`, as given on the command line.
    public static func parseOverride(_ text: String) throws(CamindexError) -> (name: String, value: Double) {
        let parts = text.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.count == 2, let value = Double(parts[1]) else {
            throw CamindexError.usage("--quality-threshold '\(text)': expected NAME=VALUE, e.g. black_luma=16", code: .qualityThresholdInvalid, value: text)
        }
        var probe = PictureThresholds()
        try probe.set(parts[0], value)
        return (parts[0], value)
    }

    /// The faults of `stats`; `previous` is the keyframe before it (a frozen picture needs two).
    public func verdicts(_ stats: PictureStats, previous: PictureStats?) -> [PictureVerdict] {
        verdicts(stats, previousSignature: previous?.signature)
    }

    /// The faults of `stats`; `previousSignature` is the thumbnail of the keyframe before it
    /// (on a live camera, that of the previous full probe).
    public func verdicts(_ stats: PictureStats, previousSignature: [UInt8]? = nil) -> [PictureVerdict] {
        var out: [PictureVerdict] = []
        let flat = stats.lumaSpread < noSignalSpread
        if stats.meanLuma < blackLuma, stats.lumaSpread < 3 * noSignalSpread {
            out.append(.init(fault: .black, measured: stats.meanLuma, threshold: blackLuma))
        } else if stats.meanLuma > whiteLuma, stats.lumaSpread < 3 * noSignalSpread {
            out.append(.init(fault: .white, measured: stats.meanLuma, threshold: whiteLuma))
        } else if flat {
            out.append(.init(fault: .noSignal, measured: stats.lumaSpread, threshold: noSignalSpread))
        }
        if !flat, stats.noise > noise { out.append(.init(fault: .noise, measured: stats.noise, threshold: noise)) }
        if !flat, stats.noise <= noise, stats.sharpness > 0, stats.sharpness < sharpness {
            out.append(.init(fault: .blur, measured: stats.sharpness, threshold: sharpness))
        }
        if stats.colourCast > colourCast { out.append(.init(fault: .colourCast, measured: stats.colourCast, threshold: colourCast)) }
        if !flat, stats.uniformShare > occlusionShare {
            out.append(.init(fault: .occlusion, measured: stats.uniformShare, threshold: occlusionShare))
        }
        if let previousSignature, !flat {
            let d = PictureStats.difference(stats.signature, previousSignature)
            if d < frozenDifference { out.append(.init(fault: .frozen, measured: d, threshold: frozenDifference)) }
        }
        return out
    }
}
