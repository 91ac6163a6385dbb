import CamindexCore
import Foundation
import PostgresNIO

/// The province's PostgreSQL as an `IndexReader`: every read command answers across the
/// published counties with the county store's logic (the same bounded overlap scans, window
/// merging and keyframe search), on the province's tables. Calls that read more than once do
/// so in one repeatable-read transaction (one snapshot).
public final class ProvinceReader: IndexReader, @unchecked Sendable {
    let db: ProvinceDatabase
    /// The county of each camera read so far. Reads by camera join (county, ID) pairs and name
    /// the counties, so that PostgreSQL scans only those counties' partitions (a camera ID alone
    /// prunes none) and plans a join rather than `camera_id = ANY(array)`, whose cost grows
    /// with the array times the partitions (0.7 s of planning for a county's 2,300 cameras
    /// over 22 counties).
    private var countyOf: [String: String] = [:]
    private let countyLock = NSLock()
    /// Holes up to this are bridged in stored windows (the county store's tolerance).
    static let windowToleranceMs = Windows.defaultMaxGapMs

    public init(url: ProvinceURL) throws {
        db = try ProvinceDatabase(url: url)
        try db.checkSchema()
    }

    public var location: String { db.url.description }

    private func snapshot<T>(_ body: () throws -> T) throws -> T {
        try db.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        defer { try? db.execute("COMMIT") }
        return try body()
    }

    /// The longest run and segment any county stored: bounds for overlap scans.
    private func bounds() throws -> (maxRun: Int64, maxSegment: Int64) {
        let row = try db.query("SELECT coalesce(max(max_run_ms), 0)::bigint, coalesce(max(max_segment_ms), 0)::bigint FROM county_publish").first
        return try row.map { try $0.decode((Int64, Int64).self) } ?? (0, 0)
    }

    // MARK: Registry

    private static let regionColumns = "code, name, level, parent_code"

    /// A county's region: its parent on a province is its city (the county store has none).
    private static func region(_ row: PostgresRow) throws -> Region {
        let (code, name, level, parent) = try row.decode((String, String, Int64, String?).self)
        let up = parent ?? (Int(level) == RegionCode.Level.county.rawValue ? String(code.prefix(RegionCode.Level.city.rawValue)) : nil)
        return Region(code: code, name: name, level: Int(level), parentCode: up)
    }

    /// The provinces and cities: above every published county (by its code) and every one
    /// `region add` named, with the name given there, else an empty one.
    private func regionsAboveCounties() throws -> [String: Region] {
        var named: [String: String] = [:]
        if try db.query("SELECT to_regclass('region_above_county') IS NOT NULL").first?.decode(Bool.self) == true {
            for row in try db.query("SELECT code, name FROM region_above_county") {
                let (code, name) = try row.decode((String, String).self)
                named[code] = name
            }
        }
        let counties = try db.query("SELECT county FROM county_publish").map { try $0.decode(String.self) }
        var out: [String: Region] = [:]
        for text in Set(counties + named.keys) {
            guard let code = try? RegionCode(text) else { continue }
            for c in code.ancestors + [code] where c.isAboveCounty {
                out[c.rawValue] = Region(code: c, name: named[c.rawValue] ?? "")
            }
        }
        return out
    }

    public func region(code: String) throws -> Region? {
        if let c = try? RegionCode(code), c.isAboveCounty { return try regionsAboveCounties()[code] }
        return try db.query("SELECT code, name, level, parent_code FROM region WHERE code = \(code) LIMIT 1").first.map(Self.region)
    }

    public func resolveRegion(_ text: String) throws -> Region {
        let text = text.trimmingCharacters(in: .whitespaces)
        if RegionCode.looksLikeCode(text) {
            let code = try RegionCode(text)
            guard let region = try region(code: code.rawValue) else {
                throw CamindexError.usage("unknown region \(code): no such region code in the store (see 'camindex region list')",
                                          code: .regionUnknown, value: text)
            }
            return region
        }
        let above = try regionsAboveCounties().values.filter { $0.name == text }
        let matches = (try db.query("SELECT code, name, level, parent_code FROM region WHERE name = \(text) ORDER BY code").map(Self.region) + above)
            .sorted { $0.code < $1.code }
        switch matches.count {
        case 1: return matches[0]
        case 0: throw CamindexError.usage("unknown region '\(text)': no region has that name (see 'camindex region list')",
                                          code: .regionUnknown, value: text)
        default:
            let parents = try regions(codes: Set(matches.compactMap(\.parentCode)))
            let list = matches.map { r in "\(r.code) \(r.name)" + (r.parentCode.flatMap { parents[$0] }.map { " in \($0.name)" } ?? "") }
            throw CamindexError.usage("ambiguous region '\(text)': \(matches.count) regions have that name: \(list.joined(separator: ", ")); give the code",
                                      code: .regionAmbiguous, value: text)
        }
    }

    public func regionTree(under root: Region?) throws -> [RegionSummary] {
        try snapshot {
            let lower = root?.code ?? "", upper = root.map { RegionCode.descendantsUpperBound(of: $0.code) } ?? "~"
            var own: [String: Int] = [:]
            for row in try db.query("""
                SELECT region_code, count(*) FROM camera WHERE enabled AND region_code >= \(lower) AND region_code < \(upper)
                GROUP BY region_code
                """) {
                let (code, n) = try row.decode((String, Int64).self)
                own[code] = Int(n)
            }
            // Each code's cameras count for it and every region above it: linear in the codes,
            // where a prefix filter per region is quadratic over a province's ~2,000 regions.
            var total: [String: Int] = [:]
            for (code, n) in own {
                for c in RegionCode.ancestors(of: code) + [code] { total[c, default: 0] += n }
            }
            let above = try regionsAboveCounties().values.filter { $0.code >= lower && $0.code < upper }
            return try (db.query("""
                SELECT code, name, level, parent_code FROM region WHERE code >= \(lower) AND code < \(upper)
                """).map(Self.region) + above).sorted { $0.code < $1.code }.map { r in
                RegionSummary(region: r, ownCameras: own[r.code] ?? 0, totalCameras: total[r.code] ?? 0)
            }
        }
    }

    public func regions(codes: Set<String>) throws -> [String: Region] {
        let rows = try db.query("SELECT code, name, level, parent_code FROM region WHERE code = ANY(\(Array(codes)))").map(Self.region)
        var out = Dictionary(rows.map { ($0.code, $0) }, uniquingKeysWith: { a, _ in a })
        if codes.contains(where: { $0.utf8.count < RegionCode.Level.county.rawValue }) {
            for (code, r) in try regionsAboveCounties() where codes.contains(code) && !r.name.isEmpty { out[code] = r }
        }
        return out
    }

    private static let cameraColumns = """
        id, name, region_code, url, recordings, lat, lon, timezone, path_pattern, path_timezone, enabled, source, created_at_ms, updated_at_ms,
        quality_thresholds, county
        """

    /// Cameras from rows of `cameraColumns`, their counties remembered.
    private func cameras(_ rows: [PostgresRow]) throws -> [Camera] {
        var counties: [(String, String)] = []
        let cameras = try rows.map { row in
            let c = try Self.camera(row)
            counties.append((c.id, try row.makeRandomAccess()[15].decode(String.self)))
            return c
        }
        countyLock.withLock { for (id, county) in counties { countyOf[id] = county } }
        return cameras
    }

    /// `ids` (each once, unknown ones left out) with their counties, for `unnest($1, $2) q(county,
    /// id)`, and the counties as `$3`; cameras not read yet are looked up.
    private func scope(_ ids: [String]) throws -> PostgresBindings {
        let wanted = Array(Set(ids))
        let unknown = countyLock.withLock { wanted.filter { countyOf[$0] == nil } }
        if !unknown.isEmpty {
            var seen: [(String, String)] = []
            var b = PostgresBindings()
            b.append(unknown)
            for row in try db.query(PostgresQuery(unsafeSQL: "SELECT id, county FROM camera WHERE id IN (SELECT unnest($1::text[]))", binds: b)) {
                seen.append(try row.decode((String, String).self))
            }
            countyLock.withLock { for (id, county) in seen { countyOf[id] = county } }
        }
        let pairs = countyLock.withLock { wanted.compactMap { id in countyOf[id].map { ($0, id) } } }
        var b = PostgresBindings()
        b.append(pairs.map(\.0))
        b.append(pairs.map(\.1))
        b.append(Array(Set(pairs.map(\.0))))
        return b
    }

    /// Joins `alias` to the cameras of `scope(_:)`'s bindings `$1`–`$3`.
    private static func scoped(_ table: String, _ alias: String) -> String {
        "unnest($1::text[], $2::text[]) q(county, id) JOIN \(table) \(alias) ON \(alias).county = q.county AND \(alias).camera_id = q.id AND \(alias).county = ANY($3)"
    }

    private static func camera(_ row: PostgresRow) throws -> Camera {
        let (id, name, regionCode, url, recordings, lat, lon) = try row.decode((String, String, String, String?, String?, Double?, Double?).self)
        let r = row.makeRandomAccess()
        var c = Camera(id: id, name: name, regionCode: regionCode, url: url, recordings: recordings, lat: lat, lon: lon,
                       timezone: try r[7].decode(String.self), pathPattern: try r[8].decode(String?.self),
                       pathTimezone: try r[9].decode(String?.self), enabled: try r[10].decode(Bool.self),
                       source: try r[11].decode(String?.self), at: Instant(ms: try r[12].decode(Int64.self)))
        c.updatedAtMs = try r[13].decode(Int64.self)
        c.qualityThresholds = try r[14].decode(String?.self).flatMap { Self.json([String: Double].self, $0) } ?? [:]
        return c
    }

    public func camera(id: String) throws -> Camera? {
        try cameras(db.query(PostgresQuery(unsafeSQL: "SELECT \(Self.cameraColumns) FROM camera WHERE id = $1 LIMIT 1", binds: Self.binds(id)))).first
    }

    public func cameras(in region: Region?, includeDisabled: Bool) throws -> [Camera] {
        let lower = region?.code ?? "", upper = region.map { RegionCode.descendantsUpperBound(of: $0.code) } ?? "~"
        return try cameras(db.query(PostgresQuery(unsafeSQL: """
            SELECT \(Self.cameraColumns) FROM camera WHERE region_code >= $1 AND region_code < $2 AND (enabled OR $3) ORDER BY id
            """, binds: Self.binds(lower, upper, includeDisabled))))
    }

    /// Candidates of a radius query from the camera_position index.
    public func cameras(inBox lat: ClosedRange<Double>, _ lon: ClosedRange<Double>, includeDisabled: Bool) throws -> [Camera] {
        try cameras(db.query(PostgresQuery(unsafeSQL: """
            SELECT \(Self.cameraColumns) FROM camera
            WHERE lat IS NOT NULL AND lon IS NOT NULL AND lat BETWEEN $1 AND $2 AND lon BETWEEN $3 AND $4 AND (enabled OR $5) ORDER BY id
            """, binds: Self.binds(lat.lowerBound, lat.upperBound, lon.lowerBound, lon.upperBound, includeDisabled))))
    }

    // MARK: Recorded footage

    public func windows(cameraIDs: [String], range: Interval, maxGapMs: Int64) throws -> [String: [FootageSpan]] {
        try snapshot {
            let gap = max(0, maxGapMs)
            let from = range.start.ms - gap, to = range.end.ms + gap
            let table: String, bound: Int64
            if gap >= Self.windowToleranceMs {
                (table, bound) = ("footage_window", Windows.maxStoredWindowMs)
            } else {
                (table, bound) = ("footage_run", try bounds().maxRun)
            }
            var spans: [String: [FootageSpan]] = [:]
            var b = try scope(cameraIDs)
            b.append(from - bound)
            b.append(to)
            b.append(from)
            for row in try db.query(PostgresQuery(unsafeSQL: """
                SELECT w.camera_id, w.start_ms, w.end_ms, w.verified FROM \(Self.scoped(table, "w"))
                WHERE w.start_ms >= $4 AND w.start_ms < $5 AND w.end_ms > $6
                """, binds: b)) {
                let (id, s, e, v) = try row.decode((String, Int64, Int64, Bool).self)
                spans[id, default: []].append(FootageSpan(Interval(startMs: s, endMs: e), verified: v))
            }
            var out: [String: [FootageSpan]] = [:]
            for id in cameraIDs { out[id] = Windows.clip(Windows.merge(spans[id] ?? [], maxGapMs: gap), to: range) }
            return out
        }
    }

    public func timeQuality(_ cameraIDs: [String], range: Interval) throws -> [String: FootageTimeQuality] {
        try snapshot {
            let maxSeg = try bounds().maxSegment
            var out: [String: FootageTimeQuality] = [:]
            var b = try scope(cameraIDs)
            b.append(range.start.ms - maxSeg)
            b.append(range.end.ms)
            b.append(range.start.ms)
            for row in try db.query(PostgresQuery(unsafeSQL: """
                SELECT s.camera_id, s.start_source, count(*), count(*) FILTER (WHERE s.stalled_timestamps > 0) FROM \(Self.scoped("segment", "s"))
                WHERE s.start_ms >= $4 AND s.start_ms < $5 AND s.end_ms > $6 AND s.error IS NULL
                GROUP BY s.camera_id, s.start_source
                """, binds: b)) {
                let (id, source, n, stalled) = try row.decode((String, String?, Int64, Int64).self)
                var q = out[id] ?? FootageTimeQuality()
                if let s = source.flatMap(SegmentRecord.StartSource.init(rawValue:)) { q.sources[s, default: 0] += Int(n) }
                q.stalledSegments += Int(stalled)
                out[id] = q
            }
            return out
        }
    }

    public func keyframes(cameraID: String, at: Instant) throws -> KeyframePair {
        try snapshot {
            let (maxRun, maxSeg) = try bounds()
            let covering = try db.query("""
                SELECT s.path, s.start_ms, s.first_pts_ms, s.keyframes, s.start_source FROM segment s
                WHERE s.camera_id = \(cameraID) AND s.error IS NULL AND s.start_ms >= \(at.ms - maxSeg) AND s.start_ms <= \(at.ms)
                  AND s.end_ms > \(at.ms)
                  AND EXISTS (SELECT 1 FROM footage_run r WHERE r.county = s.county AND r.segment_id = s.id
                              AND r.start_ms <= \(at.ms) AND r.end_ms > \(at.ms))
                ORDER BY s.start_ms DESC
                """)
            return try KeyframePair.search(at: at, covering: try covering.map(Self.locations), bridgedHoleMs: {
                try bridgedHole(cameraID: cameraID, at: at, maxRun: maxRun).map { $0.nextStart - $0.previousEnd }
            }, beforeHole: {
                try db.query("""
                    SELECT path, start_ms, first_pts_ms, keyframes, start_source FROM segment
                    WHERE camera_id = \(cameraID) AND error IS NULL AND start_ms >= \(at.ms - Self.windowToleranceMs - maxSeg)
                      AND start_ms <= \(at.ms)
                    ORDER BY start_ms DESC
                    """).map(Self.locations)
            }, following: {
                try db.query("""
                    SELECT path, start_ms, first_pts_ms, keyframes, start_source FROM segment
                    WHERE camera_id = \(cameraID) AND error IS NULL AND start_ms > \(at.ms) ORDER BY start_ms LIMIT 1
                    """).first.flatMap { try Self.locations($0).first }
            })
        }
    }

    private func bridgedHole(cameraID: String, at: Instant, maxRun: Int64) throws -> (previousEnd: Int64, nextStart: Int64)? {
        let tol = Self.windowToleranceMs
        guard let previousEnd = try db.query("""
                SELECT max(end_ms) FROM footage_run WHERE camera_id = \(cameraID) AND start_ms >= \(at.ms - tol - maxRun)
                  AND start_ms <= \(at.ms) AND end_ms <= \(at.ms)
                """).first.flatMap({ try $0.decode(Int64?.self) }),
              at.ms - previousEnd <= tol,
              let nextStart = try db.query("""
                SELECT start_ms FROM footage_run WHERE camera_id = \(cameraID) AND start_ms > \(at.ms) ORDER BY start_ms LIMIT 1
                """).first.map({ try $0.decode(Int64.self) }),
              nextStart - previousEnd <= tol
        else { return nil }
        return (previousEnd, nextStart)
    }

    /// A `path, start_ms, first_pts_ms, keyframes, start_source` row's keyframes.
    private static func locations(_ row: PostgresRow) throws -> [KeyframeLocation] {
        let (path, start, firstPts, blob, source) = try row.decode((String, Int64, Int64, ByteBuffer?, String?).self)
        return try KeyframeLocation.all(path: path, startMs: start, firstPtsMs: firstPts, blob: blob.map { Array($0.readableBytesView) } ?? [],
                                        source: source.flatMap(SegmentRecord.StartSource.init(rawValue:)) ?? .path)
    }

    public func footageSummary(cameraID: String) throws -> FootageSummary {
        try snapshot {
            let row = try db.query("""
                SELECT count(*), count(error), count(*) FILTER (WHERE error IS NULL AND NOT verified),
                       count(*) FILTER (WHERE start_source = 'mtime'), min(start_ms), max(end_ms),
                       coalesce(sum(bad_timestamps), 0)::bigint, count(*) FILTER (WHERE stalled_timestamps > 0)
                FROM segment WHERE camera_id = \(cameraID)
                """).first!
            let (n, failed, unverified, low, first, last, bad, stalled) =
                try row.decode((Int64, Int64, Int64, Int64, Int64?, Int64?, Int64, Int64).self)
            let covered = try db.query("SELECT coalesce(sum(end_ms - start_ms), 0)::bigint FROM footage_window WHERE camera_id = \(cameraID)")
                .first.map { try $0.decode(Int64.self) } ?? 0
            var summary = FootageSummary(segments: Int(n), failed: Int(failed), unverified: Int(unverified), lowConfidence: Int(low),
                                         first: first.map(Instant.init(ms:)), last: last.map(Instant.init(ms:)), coveredMs: covered,
                                         badTimestamps: Int(bad))
            summary.stalledSegments = Int(stalled)
            for row in try db.query("""
                SELECT start_source, count(*) FROM segment WHERE camera_id = \(cameraID) AND error IS NULL GROUP BY start_source
                """) {
                let (source, n) = try row.decode((String?, Int64).self)
                if let s = source.flatMap(SegmentRecord.StartSource.init(rawValue:)) { summary.timeSources[s] = Int(n) }
            }
            let diffs = try db.query("""
                SELECT mtime_ms - end_ms FROM segment WHERE camera_id = \(cameraID) AND error IS NULL AND start_source = 'path'
                ORDER BY start_ms DESC LIMIT 200
                """).map { try $0.decode(Int64.self) }
            summary.pathZoneOffsetHours = PathTimestamp.wholeHourOffset(diffs)
            return summary
        }
    }

    public func segmentErrors(cameraID: String?) throws -> [SegmentError] {
        try db.query(PostgresQuery(unsafeSQL: """
            SELECT camera_id, path, error, indexed_at_ms FROM segment WHERE error IS NOT NULL AND ($1::text IS NULL OR camera_id = $1)
            ORDER BY camera_id, path
            """, binds: Self.binds(cameraID))).map {
            let (id, path, error, at) = try $0.decode((String, String, String, Int64).self)
            return SegmentError(cameraID: id, path: path, message: error, indexedAtMs: at)
        }
    }

    public func failedFileCounts() throws -> [String: Int] {
        try perCamera("SELECT camera_id, count(*) FROM segment WHERE error IS NOT NULL GROUP BY camera_id")
    }

    public func stalledFileCounts() throws -> [String: Int] {
        try perCamera("SELECT camera_id, count(*) FROM segment WHERE stalled_timestamps > 0 GROUP BY camera_id")
    }

    /// A `camera_id, count` query's answer.
    private func perCamera(_ sql: PostgresQuery) throws -> [String: Int] {
        var out: [String: Int] = [:]
        for row in try db.query(sql) {
            let (id, n) = try row.decode((String, Int64).self)
            out[id] = Int(n)
        }
        return out
    }

    public func indexTotals() throws -> IndexTotals {
        let (all, failed, unverified) = try db.query("""
            SELECT count(*), count(error), count(*) FILTER (WHERE error IS NULL AND NOT verified) FROM segment
            """).first!.decode((Int64, Int64, Int64).self)
        return IndexTotals(segments: Int(all - failed), failed: Int(failed), unverified: Int(unverified))
    }

    // MARK: Live

    private static let probeColumns = """
        at_ms, depth, ok, error, message, duration_ms, codec, profile, width, height, fps, bitrate_kbps, keyframe_interval_s,
        first_keyframe_ms, clock_offset_s, quality
        """

    /// The county's JSON text of a column.
    private static func json<T: Decodable>(_ type: T.Type, _ text: String) -> T? {
        try? JSONDecoder().decode(type, from: Data(text.utf8))
    }

    /// A probe from the 16 columns of `probeColumns` starting at `i`.
    private static func probe(_ r: PostgresRandomAccessRow, from i: Int) throws -> ProbeResult {
        var p = ProbeResult(at: Instant(ms: try r[i].decode(Int64.self)), depth: ProbeResult.Depth(rawValue: try r[i + 1].decode(String.self)) ?? .full,
                            ok: try r[i + 2].decode(Bool.self), error: try r[i + 3].decode(String?.self).flatMap(ProbeResult.ErrorClass.init(rawValue:)),
                            message: try r[i + 4].decode(String?.self), durationMs: try r[i + 5].decode(Int64.self))
        p.codec = try r[i + 6].decode(String?.self); p.profile = try r[i + 7].decode(String?.self)
        p.width = try r[i + 8].decode(Int64?.self).map(Int.init); p.height = try r[i + 9].decode(Int64?.self).map(Int.init)
        p.fps = try r[i + 10].decode(Double?.self); p.bitrateKbps = try r[i + 11].decode(Double?.self)
        p.keyframeIntervalS = try r[i + 12].decode(Double?.self); p.firstKeyframeMs = try r[i + 13].decode(Int64?.self)
        p.clockOffsetS = try r[i + 14].decode(Double?.self)
        p.quality = try r[i + 15].decode(String?.self).flatMap { Self.json([PictureVerdict].self, $0) }
        return p
    }

    public func liveStates(cameraIDs: [String]?) throws -> [String: CameraLiveState] {
        let rows = try db.query(PostgresQuery(unsafeSQL: """
            SELECT s.camera_id, s.state, s.since_ms, s.last_probe_ms, s.last_depth, s.last_ok, s.last_error, s.last_message,
                   s.last_duration_ms, s.consecutive_failures, p.id,
                   \(Self.probeColumns.split(separator: ",").map { "p." + $0.trimmingCharacters(in: .whitespacesAndNewlines) }.joined(separator: ", "))
            FROM \(cameraIDs == nil ? "camera_state s" : Self.scoped("camera_state", "s"))
            LEFT JOIN probe p ON p.county = s.county AND p.id = s.last_full_probe_id
            """, binds: try cameraIDs.map { try scope($0) } ?? PostgresBindings()))
        var out: [String: CameraLiveState] = [:]
        for row in rows {
            let r = row.makeRandomAccess()
            let id = try r[0].decode(String.self)
            var last = ProbeResult(at: Instant(ms: try r[3].decode(Int64.self)), depth: ProbeResult.Depth(rawValue: try r[4].decode(String.self)) ?? .light,
                                   ok: try r[5].decode(Bool.self), error: try r[6].decode(String?.self).flatMap(ProbeResult.ErrorClass.init(rawValue:)),
                                   message: try r[7].decode(String?.self), durationMs: try r[8].decode(Int64.self))
            let full: ProbeResult? = try r[10].decode(Int64?.self) == nil ? nil : try Self.probe(r, from: 11)
            if let full, full.at == last.at { last = full }
            out[id] = CameraLiveState(cameraID: id, state: CameraLiveState.State(rawValue: try r[1].decode(String.self)) ?? .offline,
                                      since: Instant(ms: try r[2].decode(Int64.self)), lastProbe: last, lastFullProbe: full,
                                      consecutiveFailures: Int(try r[9].decode(Int64.self)))
        }
        return out
    }

    public func liveWindows(cameraIDs: [String], range: Interval) throws -> [String: [Interval]] {
        var out: [String: [Interval]] = [:]
        for id in cameraIDs { out[id] = [] }
        var b = try scope(cameraIDs)
        b.append(range.end.ms)
        b.append(range.start.ms)
        for row in try db.query(PostgresQuery(unsafeSQL: """
            SELECT l.camera_id, l.start_ms, l.end_ms FROM \(Self.scoped("live_window", "l"))
            WHERE l.start_ms <= $4 AND l.end_ms >= $5 ORDER BY l.camera_id, l.start_ms
            """, binds: b)) {
            let (id, s, e) = try row.decode((String, Int64, Int64).self)
            let w = Interval(startMs: s, endMs: e)
            let clipped = w.isEmpty ? (range.start <= w.start && w.start < range.end ? w : nil) : w.clipped(to: range)
            if let clipped { out[id, default: []].append(clipped) }
        }
        return out
    }

    public func probeHistory(cameraID: String, limit: Int) throws -> [ProbeResult] {
        try db.query(PostgresQuery(unsafeSQL: "SELECT \(Self.probeColumns) FROM probe WHERE camera_id = $1 ORDER BY at_ms DESC LIMIT $2",
                                   binds: Self.binds(cameraID, Int64(limit)))).map { try Self.probe($0.makeRandomAccess(), from: 0) }
    }

    /// Each county's daemon beats on its own: the province's heartbeat is the stalest
    /// county's latest, so a county whose index went stale makes the province's stale.
    public func lastHeartbeat() throws -> Heartbeat? {
        try db.query("""
            SELECT pid, started_ms, ended_ms, cameras, probes, probe_failures, files_indexed, files_failed FROM (
                SELECT DISTINCT ON (county) * FROM daemon_cycle ORDER BY county, id DESC
            ) latest ORDER BY ended_ms LIMIT 1
            """).first.map {
            let (pid, s, e, c, p, pf, fi, ff) = try $0.decode((Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64).self)
            return Heartbeat(pid: Int(pid), started: Instant(ms: s), ended: Instant(ms: e), cameras: Int(c), probes: Int(p),
                             probeFailures: Int(pf), filesIndexed: Int(fi), filesFailed: Int(ff))
        }
    }

    private static func binds(_ values: any PostgresDynamicTypeEncodable...) -> PostgresBindings {
        var b = PostgresBindings()
        for v in values { b.append(v) }
        return b
    }

    private static func binds(_ value: String?) -> PostgresBindings {
        var b = PostgresBindings()
        b.append(value)
        return b
    }

    private static func binds(_ value: [String]?) -> PostgresBindings {
        var b = PostgresBindings()
        b.append(value)
        return b
    }
}
