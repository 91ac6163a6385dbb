import ArgumentParser
import CamindexCore
import CamindexStore
import Foundation

/// Deterministic pseudo-random numbers (SplitMix64), so a store can be made again identically.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &self) < p }
}

/// A county for the store generator: 7 townships and their villages, cameras spread over them
/// (a fifth at township level, the rest in villages). The default is 临泽县 (620723); the province
/// benchmark makes many counties with `--county`.
struct BenchCounty {
    static let defaultCode = "620723"
    static let townshipNames = ["沙河镇", "新华镇", "蓼泉镇", "平川镇", "板桥镇", "鸭暖镇", "倪家营镇", "沙河街道", "新华街道", "蓼泉街道"]
    /// 2026-11-20T00:00:00+08:00: by default the generated footage ends here.
    static let endMs: Int64 = 1_795_104_000_000
    static let dayMs: Int64 = 86_400_000
    static let hourMs: Int64 = 3_600_000

    let county: String
    var name: String { county == Self.defaultCode ? "临泽县" : "县\(county)" }

    func townshipCode(_ t: Int) -> String { county + String(100 + t) }
    func villageCode(township t: Int, _ v: Int) -> String { townshipCode(t) + String(201 + v) }
    /// GB/T 28181-style: the county's code, then "0000132" (camera type), then a serial.
    func cameraID(_ i: Int) -> String { county + "0000132" + String(format: "%07d", i + 1) }

    /// Villages per township, as even as possible.
    static func villageCounts(townships: Int, villages: Int) -> [Int] {
        (0..<townships).map { villages / townships + ($0 < villages % townships ? 1 : 0) }
    }

    /// Region of camera `i`: every fifth camera at township level, the others in villages.
    func region(ofCamera i: Int, townships: Int, villageCounts: [Int]) -> String {
        let t = i % townships
        let k = i / townships
        if k % 5 == 0 || villageCounts[t] == 0 { return townshipCode(t) }
        return villageCode(township: t, (k / 5 + k) % villageCounts[t])
    }

    /// Camera `i`'s position with `origin` (lat,lon) given: a square grid 0.002° apart (about
    /// 220 m north–south, 170 m east–west at 39°N), row by row from the origin northward.
    static func position(ofCamera i: Int, cameras: Int, origin: (lat: Double, lon: Double)) -> (lat: Double, lon: Double) {
        let side = Int(Double(cameras).squareRoot().rounded(.up))
        return (origin.lat + Double(i / side) * 0.002, origin.lon + Double(i % side) * 0.002)
    }
}

/// Fills a store with a county's footage index through the store's own API (`Store.saveSegment`,
/// one transaction per file, windows maintained as the indexer does), and optionally the same
/// segments in a Frigate-style table (one row per file, index on camera and start) for the
/// naive-query comparison.
struct CountyStore: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "county-store",
        abstract: "Generate a county-sized store (cameras × days of segments with gaps) through Store.saveSegment.")

    @Option(help: "The store to create (replaced).") var db: String
    @Option(help: "Also write the same segments into this Frigate-style database (replaced).") var naiveDb: String?
    @Option var cameras = 5000
    @Option var townships = 7
    @Option var villages = 80
    @Option var days = 90
    @Option(help: "Length of one segment file.") var segmentMinutes = 60
    @Option(help: "Keyframe interval stored in each segment's keyframe list (seconds).") var gopSeconds = 2.0
    @Option var seed: UInt64 = 20261120
    @Option(help: "The county's 6-digit code: its regions' and cameras' codes start with it.") var county = BenchCounty.defaultCode
    @Option(help: ArgumentHelp("Give each camera a position on a grid 0.002° apart from this corner.", valueName: "lat,lon")) var origin: String?
    @Option(help: "The footage ends at this UTC millisecond (default 2026-11-20T00:00+08:00).") var endMs = BenchCounty.endMs
    @Flag(help: "Every camera records without a gap (no outages, no missing files): the worst case for window upkeep.")
    var gapless = false

    func validate() throws {
        guard townships >= 1, townships <= BenchCounty.townshipNames.count else {
            throw ValidationError("--townships must be 1...\(BenchCounty.townshipNames.count)")
        }
        guard cameras >= 1, days >= 1, segmentMinutes >= 1, gopSeconds > 0 else { throw ValidationError("sizes must be positive") }
        guard county.count == 6, county.allSatisfy(\.isASCII), county.allSatisfy(\.isNumber) else { throw ValidationError("--county must be 6 digits") }
        guard origin == nil || originPoint != nil else { throw ValidationError("--origin must be lat,lon") }
    }

    var originPoint: (lat: Double, lon: Double)? {
        guard let parts = origin?.split(separator: ","), parts.count == 2, let lat = Double(parts[0]), let lon = Double(parts[1]) else { return nil }
        return (lat, lon)
    }

    /// What a camera's recorder does over the period.
    enum Behaviour { case steady, flaky, deadDays, clockJumps }

    func run() throws {
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: db + suffix) }
        let store = try Store.open(path: db, create: true)
        let clock = ContinuousClock()
        let t0 = clock.now
        let bc = BenchCounty(county: county)
        _ = try store.addRegion(code: RegionCode(bc.county), name: bc.name)
        let vcounts = BenchCounty.villageCounts(townships: townships, villages: villages)
        for t in 0..<townships {
            _ = try store.addRegion(code: RegionCode(bc.townshipCode(t)), name: BenchCounty.townshipNames[t])
            for v in 0..<vcounts[t] {
                _ = try store.addRegion(code: RegionCode(bc.villageCode(township: t, v)),
                                        name: "\(BenchCounty.townshipNames[t].prefix(2))\(v + 1)村")
            }
        }
        var rng = SplitMix(seed: seed)
        var behaviours: [Behaviour] = []
        var deadSpans: [Range<Int>] = []
        for i in 0..<cameras {
            let id = bc.cameraID(i)
            let at = originPoint.map { BenchCounty.position(ofCamera: i, cameras: cameras, origin: $0) }
            try store.addCamera(Camera(id: id, name: "bench \(i)",
                                       regionCode: bc.region(ofCamera: i, townships: townships, villageCounts: vcounts),
                                       url: "rtsp://127.0.0.1:554/\(i)", recordings: "/srv/nvr/\(id)", lat: at?.lat, lon: at?.lon,
                                       at: store.clock.now()))
            let r = Double.random(in: 0..<1, using: &rng)
            let b: Behaviour = gapless || r < 0.85 ? .steady : r < 0.95 ? .flaky : r < 0.98 ? .deadDays : .clockJumps
            behaviours.append(b)
            if b == .deadDays {
                let len = Int.random(in: 2...10, using: &rng)
                let from = Int.random(in: 0..<max(1, days - 1), using: &rng)
                deadSpans.append(from..<min(days, from + len))
            } else {
                deadSpans.append(0..<0)
            }
        }
        let registryS = ms(clock.now - t0) / 1000

        let naive = try naiveDb.map(FrigateStyleBaseline.create(path:))

        let segMs = Int64(segmentMinutes) * 60_000
        let gopMs = Int64((gopSeconds * 1000).rounded())
        let startMs = endMs - Int64(days) * BenchCounty.dayMs
        var segments = 0, missing = 0, outageCuts = 0, jumps = 0, runs = 0
        var storeSeconds = 0.0, naiveSeconds = 0.0
        var dayRates: [Double] = []
        let segmentsPerDay = Int(BenchCounty.dayMs / segMs)
        for day in 0..<days {
            let dayStart = startMs + Int64(day) * BenchCounty.dayMs
            var naiveRows: [(String, String, Int64, Int64)] = []
            let td = clock.now
            var daySegments = 0
            for i in 0..<cameras {
                let id = bc.cameraID(i)
                let b = behaviours[i]
                if deadSpans[i].contains(day) { continue }
                // Flaky cameras: some days an outage of 1–8 hours (network or power), files cut at its edges.
                var outage: Range<Int64>?
                if b == .flaky, rng.chance(0.3) {
                    let os = dayStart + Int64.random(in: 0..<(BenchCounty.dayMs - BenchCounty.hourMs), using: &rng)
                    outage = os..<(os + Int64.random(in: 1...8, using: &rng) * BenchCounty.hourMs + Int64.random(in: 0..<BenchCounty.hourMs, using: &rng))
                }
                for s in 0..<segmentsPerDay {
                    let fileStart = dayStart + Int64(s) * segMs
                    // The recorder closes a file and opens the next with a hole of up to 1.5 s (bridged).
                    let fileEnd = fileStart + segMs - Int64.random(in: 0...1500, using: &rng)
                    if !gapless, rng.chance(b == .steady ? 0.003 : 0.01) { missing += 1; continue }  // file lost or deleted
                    var pieces: [Range<Int64>] = [fileStart..<fileEnd]
                    if let o = outage, o.overlaps(fileStart..<fileEnd) {
                        outageCuts += 1
                        pieces = []
                        if o.lowerBound > fileStart + 1000 { pieces.append(fileStart..<o.lowerBound) }
                        if o.upperBound < fileEnd - 1000 { pieces.append(o.upperBound..<fileEnd) }
                    }
                    for piece in pieces {
                        var pieceRuns = [Interval(startMs: piece.lowerBound, endMs: piece.upperBound)]
                        if b == .clockJumps, rng.chance(0.05), piece.count > 600_000 {
                            // A timestamp jump inside the file: two runs with a hole of 5–60 s.
                            let cut = piece.lowerBound + Int64.random(in: 60_000..<(Int64(piece.count) - 120_000), using: &rng)
                            let hole = Int64.random(in: 5_000...60_000, using: &rng)
                            pieceRuns = [Interval(startMs: piece.lowerBound, endMs: cut), Interval(startMs: cut + hole, endMs: piece.upperBound)]
                            jumps += 1
                        }
                        let path = "/srv/nvr/\(id)/" + Self.fileName(piece.lowerBound)
                        let duration = piece.upperBound - piece.lowerBound
                        let record = SegmentRecord(
                            path: path, size: duration * 500, mtimeMs: piece.upperBound, startMs: piece.lowerBound,
                            endMs: piece.upperBound, startSource: .path, container: "mov", codec: "h264", width: 1920,
                            height: 1080, fps: 25, firstPtsMs: 0,
                            keyframeOffsetsMs: Array(stride(from: 0, to: duration, by: Int(gopMs))),
                            method: "index", verified: day < days - 2, truncated: false, damagedKeyframes: 0, runs: pieceRuns)
                        try store.saveSegment(cameraID: id, record)
                        segments += 1
                        daySegments += 1
                        runs += pieceRuns.count
                        if naive != nil { naiveRows.append((id, path, piece.lowerBound, piece.upperBound)) }
                    }
                }
            }
            let daySeconds = ms(clock.now - td) / 1000
            storeSeconds += daySeconds
            dayRates.append(Double(daySegments) / max(daySeconds, 1e-9))
            if let naive {
                let rows = naiveRows
                let tn = clock.now
                try naive.insert(rows.map { (camera: $0.0, path: $0.1, startMs: $0.2, endMs: $0.3) })
                naiveSeconds += ms(clock.now - tn) / 1000
            }
            FileHandle.standardError.write(Data("county-store: day \(day + 1)/\(days): \(segments) segments, \(Int(dayRates.last!)) /s\n".utf8))
        }
        let tc = clock.now
        try store.checkpoint()
        try naive?.checkpoint()
        let checkpointS = ms(clock.now - tc) / 1000
        let rowCounts = try store.rowCounts()
        let counts = (windows: rowCounts["footage_window"] ?? 0, runs: rowCounts["footage_run"] ?? 0)
        var out: [String: Any] = [
            "cameras": cameras, "townships": townships, "villages": villages, "days": days,
            "segment_minutes": segmentMinutes, "gop_s": gopSeconds, "gapless": gapless,
            "segments_per_s_by_day": dayRates.map { $0.rounded() },
            "segments": segments, "files_missing": missing, "files_cut_by_outage": outageCuts, "clock_jumps": jumps,
            "runs": counts.runs, "windows": counts.windows,
            "registry_s": (registryS * 10).rounded() / 10,
            "store_s": storeSeconds.rounded(), "segments_per_s": (Double(segments) / storeSeconds).rounded(),
            "segments_per_s_first_day": dayRates.first.map { $0.rounded() } ?? 0,
            "segments_per_s_last_day": dayRates.last.map { $0.rounded() } ?? 0,
            "checkpoint_s": (checkpointS * 10).rounded() / 10,
            "store_bytes": fileBytes(db),
        ]
        if let naiveDb {
            out["naive_s"] = (naiveSeconds * 10).rounded() / 10
            out["naive_bytes"] = fileBytes(naiveDb)
        }
        printJSON(out)
    }

    /// `20261120_080000.mp4`, local time (UTC+8) of the piece's start.
    static func fileName(_ ms: Int64) -> String {
        let c = CivilTime(msAsUTC: ms + 8 * BenchCounty.hourMs)
        return String(format: "%04d%02d%02d_%02d%02d%02d.mp4", c.year, c.month, c.day, c.hour, c.minute, c.second)
    }
}

extension Int64 {
    func dividedRoundingDown(by d: Int64) -> Int64 {
        let q = self / d
        return (self % d != 0 && (self < 0) != (d < 0)) ? q - 1 : q
    }
}

/// Bytes of a SQLite file with its WAL and shared-memory files.
func fileBytes(_ path: String) -> Int64 {
    ["", "-wal", "-shm"].reduce(0) { total, suffix in
        let size = (try? FileManager.default.attributesOfItem(atPath: path + suffix))?[.size] as? NSNumber
        return total + (size?.int64Value ?? 0)
    }
}

/// What the daemon would have left in a county store besides the index, so that `camindex
/// health` has camera states to check and a province has probe history to hold: by default one
/// light probe per camera (7% failing) at the end of the footage; with `--days`, a full probe
/// per camera every `--full-every-minutes` over that many days before it (most cameras always
/// answer, some fail now and then, a few are down for days; every picture judged, one camera in
/// 33 blurred), then the light one. A heartbeat
/// at the end. Skips a store that already has camera states.
struct CountyLive: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "county-live",
        abstract: "Add probe results (optionally days of full-probe history) and a daemon heartbeat to a county store.")

    @Option var db: String
    @Option var seed: UInt64 = 11
    @Option(help: "Days of full-probe history before the end of the footage (0: none).") var days = 0
    @Option(help: "Minutes between one camera's full probes in the history.") var fullEveryMinutes = 240

    func validate() throws {
        guard days >= 0, fullEveryMinutes >= 1 else { throw ValidationError("--days must be ≥ 0 and --full-every-minutes ≥ 1") }
    }

    func run() throws {
        let store = try Store.open(path: db, create: false)
        let ids = try store.cameras(in: nil, includeDisabled: true).map(\.id)
        let endMs = try store.footageExtent()?.end.ms ?? store.clock.now().ms
        let states = try store.rowCounts()["camera_state"] ?? 0
        guard states == 0 else {
            printJSON(["cameras": ids.count, "probes_added": 0, "note": "camera states already present"])
            return
        }
        var rng = SplitMix(seed: seed)
        var batch: [(cameraID: String, result: ProbeResult)] = []
        var added = 0, failed = 0
        func record(_ id: String, _ r: ProbeResult) throws {
            batch.append((cameraID: id, result: r))
            added += 1
            if !r.ok { failed += 1 }
            if batch.count == 64 { _ = try store.recordProbes(batch); batch.removeAll() }
        }
        let clock = ContinuousClock()
        let t0 = clock.now
        if days > 0 {
            // Per camera: 0 always answers, 1 fails a fifth of its probes, 2 is down over a span of days.
            let kinds = ids.map { _ -> Int in
                let r = Double.random(in: 0..<1, using: &rng)
                return r < 0.9 ? 0 : r < 0.97 ? 1 : 2
            }
            let stepMs = Int64(fullEveryMinutes) * 60_000
            let startMs = endMs - Int64(days) * BenchCounty.dayMs
            let downFrom = startMs + Int64(days) * BenchCounty.dayMs / 3, downTo = downFrom + 2 * BenchCounty.dayMs
            for at in stride(from: startMs, to: endMs - 60_000, by: Int(stepMs)) {
                for (i, id) in ids.enumerated() {
                    let t = at + Int64(i % 600) * 100  // spread over the first minute of the step
                    let ok: Bool
                    switch kinds[i] {
                    case 1: ok = !rng.chance(0.2)
                    case 2: ok = !(downFrom..<downTo).contains(t)
                    default: ok = true
                    }
                    var p = ProbeResult(at: Instant(ms: t), depth: .full, ok: ok, error: ok ? nil : .timeout, durationMs: ok ? 1_200 : 10_000)
                    if ok {
                        p.codec = "h264"; p.profile = "Main"; p.width = 1920; p.height = 1080; p.fps = 25; p.bitrateKbps = 4096
                        p.keyframeIntervalS = 2; p.firstKeyframeMs = 300; p.clockOffsetS = Double(i % 7) - 3
                        // Judged as the daemon judges every full probe's keyframe: a few blurred.
                        p.quality = i % 33 == 0 ? [PictureVerdict(fault: .blur, measured: 12.5, threshold: 40)] : []
                    }
                    try record(id, p)
                }
            }
        }
        for (i, id) in ids.enumerated() {
            let ok = !rng.chance(0.07)
            try record(id, ProbeResult(at: Instant(ms: endMs - 60_000 + Int64(i % 60) * 1000), depth: .light, ok: ok,
                                       error: ok ? nil : .timeout, durationMs: ok ? 250 : 10_000))
        }
        if !batch.isEmpty { _ = try store.recordProbes(batch) }
        try store.writeHeartbeat(Heartbeat(pid: 1, started: Instant(ms: endMs - 60_000), ended: Instant(ms: endMs),
                                           cameras: ids.count, probes: ids.count, probeFailures: failed,
                                           filesIndexed: 0, filesFailed: 0))
        try store.checkpoint()
        let counts = try store.rowCounts()
        printJSON(["cameras": ids.count, "probes_added": added, "failed": failed, "at_ms": endMs,
                   "probe_rows": counts["probe"] ?? 0, "live_windows": counts["live_window"] ?? 0,
                   "seconds": (ms(clock.now - t0) / 100).rounded() / 10])
    }
}
