import CamindexCore
import Foundation
import PostgresNIO

/// The province's PostgreSQL as an `IndexReader`: every read command answers across the
/// published counties with the county store's logic (the same bounded overlap scans, window
/// merging and keyframe search), on the province's tables. Calls that read more than once do
/// so in one repeatable-read transaction (one snapshot).
public final class ProvinceReader: IndexReader, @unchecked Sendable {
    let db: ProvinceDatabase
    /// The county of each camera read so far, and each county's number of cameras: reads by
    /// camera name their counties (`scope(_:)`).
    private var countyOf: [String: String] = [:]
    private var countyCameras: [String: Int] = [:]
    private var lastScope: (ids: [String], scope: CameraScope)?
    private let countyLock = NSLock()
    /// Holes up to this are bridged in stored windows (the county store's tolerance).
    static let windowToleranceMs = Windows.defaultMaxGapMs

    public init(url: ProvinceURL) throws {
        db = try ProvinceDatabase(url: url)
        try db.checkSchema()
    }

    public var location: String { db.url.description }

    private func snapshot<T>(_ body: () throws -> T) throws -> T { try db.snapshot(body) }

    /// The longest run and segment any county stored: bounds for overlap scans.
    private func bounds() throws -> (maxRun: Int64, maxSegment: Int64) {
        let row = try db.query("SELECT coalesce(max(max_run_ms), 0)::bigint, coalesce(max(max_segment_ms), 0)::bigint FROM county_publish").first
        return try row.map { try $0.decode((Int64, Int64).self) } ?? (0, 0)
    }

    // MARK: Registry

    private static let regionColumns = "code, name, level, parent_code"

    /// A county's region: its parent on a province is its city (the county store has none).
    private static func region(_ row: PostgresRow) throws -> Region {
        var c = row.cells
        let code: String = try c.next(), name: String = try c.next(), level: Int64 = try c.next(), parent: String? = try c.next()
        let up = parent ?? (Int(level) == RegionCode.Level.county.rawValue ? String(code.prefix(RegionCode.Level.city.rawValue)) : nil)
        return Region(code: code, name: name, level: Int(level), parentCode: up)
    }

    private func publishedCounties() throws -> [String] {
        try db.query("SELECT county FROM county_publish").map { try $0.decode(String.self) }
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
        let counties = try publishedCounties()
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

    public func consistently<T>(_ body: () throws -> T) throws -> T { try snapshot(body) }

    public func regions(named name: String) throws -> [Region] {
        let above = try regionsAboveCounties().values.filter { $0.name == name }
        return try db.query("SELECT code, name, level, parent_code FROM region WHERE name = \(name) ORDER BY code").map(Self.region) + above
    }

    /// The counties' regions and the named or derived ones above them.
    public func regionList(under root: Region?) throws -> [Region] {
        let lower = root?.code ?? "", upper = root.map { RegionCode.descendantsUpperBound(of: $0.code) } ?? "~"
        let above = try regionsAboveCounties().values.filter { $0.code >= lower && $0.code < upper }
        return try db.query("SELECT code, name, level, parent_code FROM region WHERE code >= \(lower) AND code < \(upper)").map(Self.region) + above
    }

    public func enabledCameraCounts(under root: Region?) throws -> [String: Int] {
        let lower = root?.code ?? "", upper = root.map { RegionCode.descendantsUpperBound(of: $0.code) } ?? "~"
        var own: [String: Int] = [:]
        var b = Self.binds(lower, upper)
        for row in try db.query(PostgresQuery(unsafeSQL: """
            SELECT region_code, count(*) FROM camera WHERE enabled AND region_code >= $1 AND region_code < $2\(try counties(of: root, &b))
            GROUP BY region_code
            """, binds: b)) {
            var c = row.cells
            own[try c.next(String.self)] = Int(try c.next(Int64.self))
        }
        return own
    }

    public func regions(codes: Set<String>) throws -> [String: Region] {
        let rows = try db.query("SELECT code, name, level, parent_code FROM region WHERE code = ANY(\(Array(codes)))").map(Self.region)
        var out = Dictionary(rows.map { ($0.code, $0) }, uniquingKeysWith: { a, _ in a })
        if codes.contains(where: { $0.utf8.count < RegionCode.Level.county.rawValue }) {
            for (code, r) in try regionsAboveCounties() where codes.contains(code) && !r.name.isEmpty { out[code] = r }
        }
        return out
    }

    /// The published camera columns, then the county the row belongs to.
    private static let cameraColumns = ColumnList(ColumnList.published(.camera) + ["county"])

    /// Cameras from rows of `cameraColumns`, their counties remembered.
    private func cameras(_ rows: [PostgresRow]) throws -> [Camera] {
        var counties: [(String, String)] = []
        counties.reserveCapacity(rows.count)
        let cameras = try rows.map { row in
            let cells = NamedCells(row, Self.cameraColumns)
            let c = try Self.camera(cells)
            counties.append((c.id, try cells("county")))
            return c
        }
        countyLock.withLock { for (id, county) in counties { countyOf[id] = county } }
        return cameras
    }

    /// How a statement over a per-camera table reads the rows of a list of cameras.
    private struct CameraScope {
        /// Whole counties, their other cameras' rows dropped by `wants`; else (county, ID) pairs
        /// joined to the table.
        let wholeCounties: Bool
        let binds: PostgresBindings
        /// The cameras whose rows to keep (nil: all the statement returns).
        let wanted: Set<String>?

        /// `table` as `alias`, for `FROM`.
        func from(_ table: String, _ alias: String) -> String {
            wholeCounties ? "\(table) \(alias)"
                : "unnest($1::text[], $2::text[]) q(county, id) JOIN \(table) \(alias) ON \(alias).county = q.county AND \(alias).camera_id = q.id"
        }

        /// The condition naming the counties (PostgreSQL then scans only their partitions).
        func condition(_ alias: String) -> String { "\(alias).county = ANY($\(wholeCounties ? 1 : 3))" }

        /// The number of the statement's next parameter.
        var next: Int { wholeCounties ? 2 : 4 }

        func wants(_ id: String) -> Bool { wanted?.contains(id) ?? true }
    }

    /// The rows of `ids` (unknown cameras left out; cameras not read yet are looked up). When
    /// they are at least half of every county they are in (a county's or a city's query, health
    /// over a province), whole counties are read: a time-range scan of those partitions, where
    /// joining 50,000 (county, ID) pairs took 0.3–0.5 s for health's windows. Otherwise the
    /// pairs are joined: a camera ID alone prunes no partition, and `camera_id = ANY(array)`
    /// costs planning time growing with the array times the partitions (0.7 s for a county's
    /// 2,300 cameras over 22 counties).
    private func scope(_ ids: [String]) throws -> CameraScope {
        // A footage query scopes its windows, time quality and live windows to the same cameras.
        if let last = countyLock.withLock({ lastScope }), last.ids == ids { return last.scope }
        let wanted = Set(ids)
        func pairs() -> (known: [(county: String, id: String)], unknown: [String]) {
            countyLock.withLock {
                var known: [(String, String)] = [], unknown: [String] = []
                known.reserveCapacity(wanted.count)
                for id in wanted {
                    if let county = countyOf[id] { known.append((county, id)) } else { unknown.append(id) }
                }
                return (known, unknown)
            }
        }
        var (known, unknown) = pairs()
        if !unknown.isEmpty {
            var seen: [(String, String)] = []
            var b = PostgresBindings()
            b.append(unknown)
            for row in try db.query(PostgresQuery(unsafeSQL: "SELECT id, county FROM camera WHERE id IN (SELECT unnest($1::text[]))", binds: b)) {
                var c = row.cells
                seen.append((try c.next(), try c.next()))
            }
            countyLock.withLock { for (id, county) in seen { countyOf[id] = county } }
            known = pairs().known
        }
        var perCounty: [String: Int] = [:]
        for (county, _) in known { perCounty[county, default: 0] += 1 }
        let counties = Array(perCounty.keys)
        let totals = try cameraCounts(counties)
        let whole = perCounty.allSatisfy { county, n in 2 * n >= totals[county] ?? 0 }
        var b = PostgresBindings()
        if !whole {
            b.append(known.map(\.county))
            b.append(known.map(\.id))
        }
        b.append(counties)
        // Every camera of those counties wanted (a county's query, health): no rows to drop.
        let everyCamera = perCounty.allSatisfy { county, n in n == totals[county] }
        let scope = CameraScope(wholeCounties: whole, binds: b, wanted: whole && !everyCamera ? wanted : nil)
        countyLock.withLock { lastScope = (ids, scope) }
        return scope
    }

    /// How many cameras (enabled or not) each of `counties` has, remembered.
    private func cameraCounts(_ counties: [String]) throws -> [String: Int] {
        let missing = countyLock.withLock { counties.filter { countyCameras[$0] == nil } }
        if !missing.isEmpty {
            var b = PostgresBindings()
            b.append(missing)
            for row in try db.query(PostgresQuery(unsafeSQL: "SELECT county, count(*) FROM camera WHERE county = ANY($1) GROUP BY county", binds: b)) {
                var c = row.cells
                let county: String = try c.next(), n: Int64 = try c.next()
                countyLock.withLock { countyCameras[county] = Int(n) }
            }
        }
        return countyLock.withLock { countyCameras }
    }

    private static func camera(_ r: NamedCells) throws -> Camera {
        var c = Camera(id: try r("id"), name: try r("name"), regionCode: try r("region_code"), url: try r("url"), recordings: try r("recordings"),
                       lat: try r("lat"), lon: try r("lon"), timezone: try r("timezone"), pathPattern: try r("path_pattern"),
                       pathTimezone: try r("path_timezone"), enabled: try r("enabled"), source: try r("source"),
                       at: Instant(ms: try r("created_at_ms")))
        c.updatedAtMs = try r("updated_at_ms")
        c.qualityThresholds = try r("quality_thresholds", String?.self).flatMap { Self.json([String: Double].self, $0) } ?? [:]
        return c
    }

    public func camera(id: String) throws -> Camera? {
        try cameras(db.query(PostgresQuery(unsafeSQL: "SELECT \(Self.cameraColumns.select()) FROM camera WHERE id = $1 LIMIT 1", binds: Self.binds(id)))).first
    }

    public func cameras(in region: Region?, includeDisabled: Bool) throws -> [Camera] {
        let lower = region?.code ?? "", upper = region.map { RegionCode.descendantsUpperBound(of: $0.code) } ?? "~"
        var b = Self.binds(lower, upper, includeDisabled)
        return try cameras(db.query(PostgresQuery(unsafeSQL: """
            SELECT \(Self.cameraColumns.select()) FROM camera WHERE region_code >= $1 AND region_code < $2 AND (enabled OR $3)\(try counties(of: region, &b))
            ORDER BY id
            """, binds: b)))
    }

    /// For a statement on `camera` over `region`: a condition naming the counties the region's
    /// cameras can be in, its list appended to `binds` (nothing for the whole province), so
    /// that PostgreSQL scans those counties' partitions only: a region code alone prunes none.
    private func counties(of region: Region?, _ binds: inout PostgresBindings, column: String = "county") throws -> String {
        guard let code = region?.code else { return "" }
        let county = RegionCode.Level.county.rawValue
        let counties = code.utf8.count >= county ? [String(code.prefix(county))]
            : try publishedCounties().filter { $0.hasPrefix(code) }
        binds.append(counties)
        return " AND \(column) = ANY($\(binds.count))"
    }

    /// Candidates of a radius query from the camera_position index.
    public func cameras(inBox lat: ClosedRange<Double>, _ lon: ClosedRange<Double>, includeDisabled: Bool) throws -> [Camera] {
        try cameras(db.query(PostgresQuery(unsafeSQL: """
            SELECT \(Self.cameraColumns.select()) FROM camera
            WHERE lat IS NOT NULL AND lon IS NOT NULL AND lat BETWEEN $1 AND $2 AND lon BETWEEN $3 AND $4 AND (enabled OR $5) ORDER BY id
            """, binds: Self.binds(lat.lowerBound, lat.upperBound, lon.lowerBound, lon.upperBound, includeDisabled))))
    }

    // MARK: Change counters (p7)

    // A province not yet migrated to p7 (read by an older publisher's schema) keeps none: its
    // answers are then not kept.
    public func registryGeneration() throws -> Int64? {
        try? db.query("SELECT coalesce(sum(registry_generation), 0)::bigint FROM county_publish").first.map { try $0.decode(Int64.self) }
    }

    public func footageGenerations(range: Interval, gapMs: Int64) throws -> FootageGenerations? {
        let b = try bounds()
        let days = FootageGenerations.days(range: range, gapMs: gapMs, longestRowMs: max(b.maxRun, b.maxSegment, Windows.maxStoredWindowMs))
        guard let rows = try? db.query("""
            SELECT day, sum(n)::bigint FROM footage_generation WHERE day BETWEEN \(days.lowerBound) AND \(days.upperBound) GROUP BY day
            """) else { return nil }
        var counts: [Int64: Int64] = [:]
        for row in rows {
            let (day, n) = try row.decode((Int64, Int64).self)
            counts[day] = n
        }
        return FootageGenerations(days: days, counts: counts)
    }

    // MARK: Recorded footage

    /// Counties do not publish their GB/T 28181 devices yet: a province's online figures are the probes'.
    public func gbLive(cameraIDs: [String], range: Interval) throws -> [String: GBLiveFacts] { [:] }

    /// Counties do not publish their devices' recordings yet: a province answers from files.
    public func deviceRecordings(cameraIDs: [String], range: Interval) throws -> [String: [Interval]] { [:] }

    public func windows(cameraIDs: [String], range: Interval, maxGapMs: Int64) throws -> [String: [FootageSpan]] {
        try snapshot {
            let plan = WindowRead(range: range, maxGapMs: maxGapMs)
            let rows = try plan.bounds { try bounds().maxRun }
            var spans: [String: [FootageSpan]] = [:]
            spans.reserveCapacity(cameraIDs.count)
            let scope = try scope(cameraIDs), n = scope.next
            var b = scope.binds
            b.append(rows.startFrom)
            b.append(rows.startBefore)
            b.append(rows.endAfter)
            for row in try db.query(PostgresQuery(unsafeSQL: """
                SELECT w.camera_id, w.start_ms, w.end_ms, w.verified FROM \(scope.from(plan.source == .windows ? "footage_window" : "footage_run", "w"))
                WHERE \(scope.condition("w")) AND w.start_ms >= $\(n) AND w.start_ms < $\(n + 1) AND w.end_ms > $\(n + 2)
                """, binds: b)) {
                var c = row.cells
                let id: String = try c.next()
                guard scope.wants(id) else { continue }
                spans[id, default: []].append(FootageSpan(Interval(startMs: try c.next(), endMs: try c.next()), verified: try c.next()))
            }
            return plan.finish(spans, cameraIDs: cameraIDs)
        }
    }

    public func timeQuality(_ cameraIDs: [String], range: Interval) throws -> [String: FootageTimeQuality] {
        try snapshot {
            let maxSeg = try bounds().maxSegment
            var out: [String: FootageTimeQuality] = [:]
            out.reserveCapacity(cameraIDs.count)
            let scope = try scope(cameraIDs), n = scope.next
            var b = scope.binds
            b.append(range.start.ms - maxSeg)
            b.append(range.end.ms)
            b.append(range.start.ms)
            for row in try db.query(PostgresQuery(unsafeSQL: """
                SELECT s.camera_id, s.start_source, count(*), count(*) FILTER (WHERE s.stalled_timestamps > 0) FROM \(scope.from("segment", "s"))
                WHERE \(scope.condition("s")) AND s.start_ms >= $\(n) AND s.start_ms < $\(n + 1) AND s.end_ms > $\(n + 2) AND s.error IS NULL
                GROUP BY s.camera_id, s.start_source
                """, binds: b)) {
                var c = row.cells
                let id: String = try c.next(), source: String? = try c.next(), n: Int64 = try c.next(), stalled: Int64 = try c.next()
                guard scope.wants(id) else { continue }
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
        var c = row.cells
        let path: String = try c.next(), start: Int64 = try c.next(), firstPts: Int64 = try c.next(), blob: ByteBuffer? = try c.next(),
            source: String? = try c.next()
        return try KeyframeLocation.all(path: path, startMs: start, firstPtsMs: firstPts, blob: blob.map { Array($0.readableBytesView) } ?? [],
                                        source: source.flatMap(SegmentRecord.StartSource.init(rawValue:)) ?? .path)
    }

    public func segmentCounts(cameraID: String) throws -> SegmentCounts {
        var r = try db.query("""
            SELECT count(*), count(error), count(*) FILTER (WHERE error IS NULL AND NOT verified),
                   count(*) FILTER (WHERE start_source = 'mtime'), min(start_ms), max(end_ms),
                   coalesce(sum(bad_timestamps), 0)::bigint, count(*) FILTER (WHERE stalled_timestamps > 0), max(mtime_ms)
            FROM segment WHERE camera_id = \(cameraID)
            """).first!.cells
        var c = SegmentCounts()
        c.segments = Int(try r.next(Int64.self)); c.failed = Int(try r.next(Int64.self))
        c.unverified = Int(try r.next(Int64.self)); c.lowConfidence = Int(try r.next(Int64.self))
        c.firstMs = try r.next(); c.lastMs = try r.next()
        c.badTimestamps = Int(try r.next(Int64.self)); c.stalledSegments = Int(try r.next(Int64.self))
        c.latestMtimeMs = try r.next()
        return c
    }

    public func windowedMs(cameraID: String) throws -> Int64 {
        try db.query("SELECT coalesce(sum(end_ms - start_ms), 0)::bigint FROM footage_window WHERE camera_id = \(cameraID)")
            .first.map { try $0.decode(Int64.self) } ?? 0
    }

    public func startSources(cameraID: String) throws -> [SegmentRecord.StartSource: Int] {
        var out: [SegmentRecord.StartSource: Int] = [:]
        for row in try db.query("SELECT start_source, count(*) FROM segment WHERE camera_id = \(cameraID) AND error IS NULL GROUP BY start_source") {
            var c = row.cells
            if let s = try c.next(String?.self).flatMap(SegmentRecord.StartSource.init(rawValue:)) { out[s] = Int(try c.next(Int64.self)) }
        }
        return out
    }

    public func pathDatedEndOffsets(cameraID: String, limit: Int) throws -> [Int64] {
        try db.query("""
            SELECT mtime_ms - end_ms FROM segment WHERE camera_id = \(cameraID) AND error IS NULL AND start_source = 'path'
            ORDER BY start_ms DESC LIMIT \(Int64(limit))
            """).map { try $0.decode(Int64.self) }
    }

    public func recentFiles(cameraID: String, limit: Int) throws -> [SegmentFile] {
        try db.query("""
            SELECT path, size, mtime_ms, start_ms, end_ms, start_source, container, codec, width, height, verified, truncated,
                   bad_timestamps, stalled_timestamps
            FROM segment WHERE camera_id = \(cameraID) AND error IS NULL ORDER BY start_ms DESC, path DESC LIMIT \(Int64(limit))
            """).map {
            var c = $0.cells
            return SegmentFile(path: try c.next(), size: try c.next(), mtimeMs: try c.next(), startMs: try c.next(), endMs: try c.next(),
                               startSource: try c.next(String?.self).flatMap(SegmentRecord.StartSource.init(rawValue:)),
                               container: try c.next(), codec: try c.next(), width: try c.next(Int64?.self).map { Int($0) },
                               height: try c.next(Int64?.self).map { Int($0) }, verified: try c.next(), truncated: try c.next(),
                               badTimestamps: Int(try c.next(Int64.self)), stalledTimestamps: Int(try c.next(Int64.self)))
        }
    }

    public func segmentErrors(cameraID: String?) throws -> [SegmentError] {
        try db.query(PostgresQuery(unsafeSQL: """
            SELECT camera_id, path, error, indexed_at_ms FROM segment WHERE error IS NOT NULL AND ($1::text IS NULL OR camera_id = $1)
            ORDER BY camera_id, path
            """, binds: Self.binds(cameraID))).map {
            var c = $0.cells
            return SegmentError(cameraID: try c.next(), path: try c.next(), message: try c.next(), indexedAtMs: try c.next())
        }
    }

    public func failedFileCounts() throws -> [String: Int] {
        try perCamera("SELECT camera_id, count(*) FROM segment WHERE error IS NOT NULL GROUP BY camera_id")
    }

    public func stalledFileCounts() throws -> [String: Int] {
        try perCamera("SELECT camera_id, count(*) FROM segment WHERE stalled_timestamps > 0 GROUP BY camera_id")
    }

    public func latestMtimes(after instant: Instant) throws -> [String: Instant] {
        var out: [String: Instant] = [:]
        for row in try db.query("SELECT camera_id, max(mtime_ms) FROM segment WHERE mtime_ms > \(instant.ms) GROUP BY camera_id") {
            var c = row.cells
            out[try c.next(String.self)] = Instant(ms: try c.next(Int64.self))
        }
        return out
    }

    /// A `camera_id, count` query's answer.
    private func perCamera(_ sql: PostgresQuery) throws -> [String: Int] {
        var out: [String: Int] = [:]
        for row in try db.query(sql) {
            var c = row.cells
            out[try c.next(String.self)] = Int(try c.next(Int64.self))
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

    /// The published probe columns but its keys.
    private static let probeColumns = ColumnList(ColumnList.published(.probe).filter { $0 != "id" && $0 != "camera_id" })
    /// What `liveStates` reads of a camera's state row, before its last full probe's columns.
    private static let stateColumns = ColumnList(["camera_id", "state", "since_ms", "last_probe_ms", "last_depth", "last_ok", "last_error",
                                                  "last_message", "last_duration_ms", "consecutive_failures"])

    /// The county's JSON text of a column.
    private static func json<T: Decodable>(_ type: T.Type, _ text: String) -> T? {
        try? JSONDecoder().decode(type, from: Data(text.utf8))
    }

    /// A probe's picture verdicts from the county's JSON text. Most pictures are in good order:
    /// "[]" needs no JSON decoder (health reads one per camera).
    private static func verdicts(_ text: String) -> [PictureVerdict]? {
        text == "[]" ? [] : json([PictureVerdict].self, text)
    }

    private static func probe(_ r: NamedCells) throws -> ProbeResult {
        var p = ProbeResult(at: Instant(ms: try r("at_ms")), depth: ProbeResult.Depth(rawValue: try r("depth")) ?? .full,
                            ok: try r("ok"), error: try r("error", String?.self).flatMap(ProbeResult.ErrorClass.init(rawValue:)),
                            message: try r("message"), durationMs: try r("duration_ms"))
        p.codec = try r("codec"); p.profile = try r("profile")
        p.width = try r("width", Int64?.self).map(Int.init); p.height = try r("height", Int64?.self).map(Int.init)
        p.fps = try r("fps"); p.bitrateKbps = try r("bitrate_kbps")
        p.keyframeIntervalS = try r("keyframe_interval_s"); p.firstKeyframeMs = try r("first_keyframe_ms")
        p.clockOffsetS = try r("clock_offset_s")
        p.quality = try r("quality", String?.self).flatMap(Self.verdicts)
        return p
    }

    public func liveStates(cameraIDs: [String]?) throws -> [String: CameraLiveState] {
        let scope: CameraScope? = try cameraIDs.map { try self.scope($0) }
        let from: String = scope?.from("camera_state", "s") ?? "camera_state s"
        let filter: String = scope.map { "WHERE " + $0.condition("s") } ?? ""
        let rows = try db.query(PostgresQuery(unsafeSQL: """
            SELECT \(Self.stateColumns.select("s")), \(Self.probeColumns.select("p"))
            FROM \(from) LEFT JOIN probe p ON p.county = s.county AND p.id = s.last_full_probe_id \(filter)
            """, binds: scope?.binds ?? PostgresBindings()))
        var out: [String: CameraLiveState] = [:]
        out.reserveCapacity(rows.count)
        for row in rows {
            let s = NamedCells(row, Self.stateColumns)
            let id: String = try s("camera_id")
            if let scope, !scope.wants(id) { continue }
            let last = ProbeResult(at: Instant(ms: try s("last_probe_ms")), depth: ProbeResult.Depth(rawValue: try s("last_depth")) ?? .light,
                                   ok: try s("last_ok"), error: try s("last_error", String?.self).flatMap(ProbeResult.ErrorClass.init(rawValue:)),
                                   message: try s("last_message"), durationMs: try s("last_duration_ms"))
            let p = NamedCells(row, Self.probeColumns, from: Self.stateColumns.names.count)
            // No full probe joined: its columns are null.
            let full: ProbeResult? = try p("at_ms", Int64?.self) == nil ? nil : try Self.probe(p)
            out[id] = CameraLiveState(cameraID: id, state: CameraLiveState.State(rawValue: try s("state")) ?? .offline,
                                      since: Instant(ms: try s("since_ms")), lastProbe: last, lastFullProbe: full,
                                      consecutiveFailures: Int(try s("consecutive_failures", Int64.self)))
        }
        return out
    }

    /// One statement of the 13 columns health reads, where `cameras(in:)` and `liveStates` read
    /// 43: decoding cells is most of the time health takes over a province.
    public func standings(in region: Region?) throws -> [CameraStanding] {
        let lower = region?.code ?? "", upper = region.map { RegionCode.descendantsUpperBound(of: $0.code) } ?? "~"
        var b = Self.binds(lower, upper)
        let rows = try db.query(PostgresQuery(unsafeSQL: """
            SELECT c.id, c.name, c.region_code, c.timezone, c.url IS NOT NULL, c.recordings IS NOT NULL, c.county, s.state, s.since_ms,
                   p.ok AND p.codec IS NOT NULL AND coalesce(p.width, 0) > 0, p.clock_offset_s, p.quality, p.at_ms
            FROM camera c
            LEFT JOIN camera_state s ON s.county = c.county AND s.camera_id = c.id
            LEFT JOIN probe p ON p.county = s.county AND p.id = s.last_full_probe_id
            WHERE c.enabled AND c.region_code >= $1 AND c.region_code < $2\(try counties(of: region, &b, column: "c.county"))
            ORDER BY c.id
            """, binds: b))
        var counties: [(String, String)] = []
        counties.reserveCapacity(rows.count)
        let out = try rows.map { row in
            var r = row.cells
            let id: String = try r.next(), name: String = try r.next(), regionCode: String = try r.next(), timezone: String = try r.next()
            let live: Bool = try r.next(), records: Bool = try r.next()
            counties.append((id, try r.next()))
            let state = try r.next(String?.self).map { CameraLiveState.State(rawValue: $0) ?? .offline }
            let since = try r.next(Int64?.self).map(Instant.init(ms:))
            let valid = try r.next(Bool?.self) ?? false, offset: Double? = try r.next()
            let quality = try r.next(String?.self).flatMap(Self.verdicts)
            let at = try r.next(Int64?.self).map(Instant.init(ms:))
            return CameraStanding(id: id, name: name, regionCode: regionCode, timezone: timezone, live: live, records: records,
                                  state: state, since: since, validVideo: valid, clockOffsetS: offset,
                                  quality: quality, qualityAt: quality == nil ? nil : at)
        }
        countyLock.withLock { for (id, county) in counties { countyOf[id] = county } }
        return out
    }

    public func liveWindows(cameraIDs: [String], range: Interval) throws -> [String: [Interval]] {
        var out: [String: [Interval]] = [:]
        out.reserveCapacity(cameraIDs.count)
        for id in cameraIDs { out[id] = [] }
        let scope = try scope(cameraIDs), n = scope.next
        var b = scope.binds
        b.append(range.end.ms)
        b.append(range.start.ms)
        for row in try db.query(PostgresQuery(unsafeSQL: """
            SELECT l.camera_id, l.start_ms, l.end_ms FROM \(scope.from("live_window", "l"))
            WHERE \(scope.condition("l")) AND l.start_ms <= $\(n) AND l.end_ms >= $\(n + 1) ORDER BY l.camera_id, l.start_ms
            """, binds: b)) {
            var c = row.cells
            let id: String = try c.next()
            guard scope.wants(id) else { continue }
            let w = Interval(startMs: try c.next(), endMs: try c.next())
            let clipped = w.isEmpty ? (range.start <= w.start && w.start < range.end ? w : nil) : w.clipped(to: range)
            if let clipped { out[id, default: []].append(clipped) }
        }
        return out
    }

    public func probeHistory(cameraID: String, limit: Int) throws -> [ProbeResult] {
        try db.query(PostgresQuery(unsafeSQL: "SELECT \(Self.probeColumns.select()) FROM probe WHERE camera_id = $1 ORDER BY at_ms DESC LIMIT $2",
                                   binds: Self.binds(cameraID, Int64(limit)))).map { try Self.probe(NamedCells($0, Self.probeColumns)) }
    }

    /// Each county's daemon beats on its own: the province's heartbeat is the stalest
    /// county's latest, so a county whose index went stale makes the province's stale.
    /// PostgreSQL keeps its own house: no damage mark.
    public func damage() throws -> String? { nil }

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
