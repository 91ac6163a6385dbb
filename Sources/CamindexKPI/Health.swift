import CamindexCore
import Foundation

/// The health checks cron runs: each turns facts into a plugin status with perfdata.
public enum HealthCheck: String, CaseIterable, Sendable {
    case heartbeat, online, offline, recording, clock, index, quality
}

public struct HealthThresholds: Sendable {
    /// Heartbeat age, seconds.
    public var heartbeatWarning = try! ThresholdRange("180")
    public var heartbeatCritical = try! ThresholdRange("600")
    /// Online rate per region, percent (national target 98%).
    public var onlineWarning = try! ThresholdRange("98:")
    public var onlineCritical = try! ThresholdRange("95:")
    /// Cameras offline for longer than `offlineHours`: a count.
    public var offlineHours = 24.0
    public var offlineWarning = try! ThresholdRange("0")
    public var offlineCritical = try! ThresholdRange("10")
    /// Recording integrity over the last `recordingHours`, percent.
    public var recordingHours = 24.0
    public var recordingWarning = try! ThresholdRange("95:")
    public var recordingCritical = try! ThresholdRange("90:")
    /// Largest camera clock offset, seconds.
    public var clockWarning = try! ThresholdRange("5")
    public var clockCritical = try! ThresholdRange("60")
    /// Files that failed to index: a count.
    public var indexWarning = try! ThresholdRange("0")
    public var indexCritical = try! ThresholdRange("100")
    /// Online cameras whose last judged picture shows a fault: a count.
    public var qualityWarning = try! ThresholdRange("0")
    public var qualityCritical = try! ThresholdRange("100")

    public init() {}
}

public struct CheckResult: Sendable {
    public var check: HealthCheck
    public var status: PluginStatus
    /// For the status line: what is wrong (empty when OK).
    public var problem: String?
    /// For the lines after it.
    public var details: [String]
    public var perfdata: [Perfdata]
}

/// A region's online figures, for the checks and the Prometheus output.
public struct RegionRate: Sendable {
    public var region: Region
    public var good: Int
    public var total: Int
    public var percent: Double? { total > 0 ? Double(good) / Double(total) * 100 : nil }
}

public struct HealthResult: Sendable {
    public var status: PluginStatus
    public var checks: [CheckResult]
    public var online: [RegionRate]
    public var recording: [(region: Region, coveredMs: Int64, expectedMs: Int64)]
    public var facts: Facts
    public var heartbeatAgeS: Double?
}

public enum Health {
    /// Evaluates the selected checks (all when empty). `facts.period` must be the recording
    /// window (the last `recordingHours`).
    public static func evaluate(_ facts: Facts, thresholds t: HealthThresholds, checks selected: Set<HealthCheck> = []) -> HealthResult {
        let run = selected.isEmpty ? Set(HealthCheck.allCases) : selected
        var results: [CheckResult] = []
        let regions = facts.breakdown(villages: false)
        // The unlabelled figure is the scope's; unscoped, the county's when the store holds one
        // county, else (a province) the whole store's, each county's then labelled by its code.
        let counties = regions.filter { $0.level == RegionCode.Level.county.rawValue }.count
        func isScope(_ region: Region) -> Bool {
            region.code == facts.scope?.code || (facts.scope == nil && region.level == RegionCode.Level.county.rawValue && counties == 1)
        }
        let ageS = facts.heartbeat.map { Double(facts.now.ms - $0.ended.ms) / 1000 }

        // A damaged store stops the daemon's writes: whatever was asked, it is said first.
        if let damage = facts.damage {
            results.append(CheckResult(check: .heartbeat, status: .critical, problem: "store damaged, the daemon has stopped writing (run camindex check)",
                                       details: ["[CRITICAL] store damaged: \(damage)"], perfdata: []))
        }
        // Unread (the store too damaged to read its heartbeat) is not "never run".
        if run.contains(.heartbeat), facts.damage == nil || facts.heartbeat != nil {
            if let age = ageS {
                let s = status(of: age, warning: t.heartbeatWarning, critical: t.heartbeatCritical)
                results.append(CheckResult(
                    check: .heartbeat, status: s,
                    problem: s == .ok ? nil : "daemon heartbeat \(Int(age))s old (index stale)",
                    details: ["[\(s.label)] daemon heartbeat \(Int(age)) s ago (pid \(facts.heartbeat!.pid))"],
                    perfdata: [Perfdata("heartbeat_age", age.rounded(), unit: "s", warning: t.heartbeatWarning, critical: t.heartbeatCritical, min: 0)]))
            } else {
                results.append(CheckResult(check: .heartbeat, status: .critical, problem: "no daemon heartbeat (index stale)",
                                           details: ["[CRITICAL] no daemon heartbeat in the store: the daemon has never run, the index is stale"], perfdata: []))
            }
        }

        var onlineRates: [RegionRate] = []
        if run.contains(.online) {
            var worst = PluginStatus.ok
            var problems: [String] = [], details: [String] = [], perf: [Perfdata] = []
            for region in regions {
                let cams = facts.cameras(in: region).filter(\.live)
                let rate = RegionRate(region: region, good: cams.filter { $0.state == .online }.count, total: cams.count)
                onlineRates.append(rate)
                guard let pct = rate.percent else { continue }
                let s = status(of: pct, warning: t.onlineWarning, critical: t.onlineCritical)
                worst = max(worst, s)
                perf.append(Perfdata(isScope(region) ? "online" : "online_\(region.code)", round1(pct), unit: "%",
                                     warning: t.onlineWarning, critical: t.onlineCritical, min: 0, max: 100))
                let line = "\(region.displayName) online \(fmt1(pct))%"
                details.append("[\(s.label)] online \(region.displayName) (\(region.code)): \(fmt1(pct))% (\(rate.good) of \(plural(rate.total, "camera")))")
                if s != .ok {
                    let bound = s == .critical ? t.onlineCritical : t.onlineWarning
                    problems.append("\(line) (\(describe(bound)))")
                }
            }
            if facts.scope == nil, !perf.contains(where: { $0.label == "online" }) {
                let cams = facts.cameras.filter(\.live)
                if !cams.isEmpty {
                    let pct = Double(cams.filter { $0.state == .online }.count) / Double(cams.count) * 100
                    perf.insert(Perfdata("online", round1(pct), unit: "%", warning: t.onlineWarning, critical: t.onlineCritical, min: 0, max: 100), at: 0)
                }
            }
            results.append(CheckResult(check: .online, status: worst, problem: problems.isEmpty ? nil : problems.joined(separator: ", "),
                                       details: details, perfdata: perf))
        }

        if run.contains(.offline) {
            let limitMs = Int64(t.offlineHours * 3_600_000)
            let long = facts.cameras.filter { $0.live && $0.state == .offline && ($0.since.map { facts.now.ms - $0.ms > limitMs } ?? false) }
                .sorted { ($0.since?.ms ?? 0) < ($1.since?.ms ?? 0) }
            let s = status(of: Double(long.count), warning: t.offlineWarning, critical: t.offlineCritical)
            let hours = fmtHours(t.offlineHours)
            results.append(CheckResult(
                check: .offline, status: s,
                problem: s == .ok ? nil : "\(long.count) camera\(long.count == 1 ? "" : "s") offline > \(hours)",
                details: long.map { c in
                    "[\(s.label)] offline since \(TimeFormat.rfc3339(c.since!, in: c.zone)): \(c.id) \(c.name) (\(facts.regions[c.regionCode]?.name ?? c.regionCode))"
                },
                perfdata: [Perfdata("offline_\(hours)", Double(long.count), warning: t.offlineWarning, critical: t.offlineCritical, min: 0)]))
        }

        var recordingRates: [(Region, Int64, Int64)] = []
        if run.contains(.recording) {
            var worst = PluginStatus.ok
            var problems: [String] = [], details: [String] = [], perf: [Perfdata] = []
            let expectedPer = facts.period.durationMs
            for region in regions {
                let cams = facts.cameras(in: region).filter(\.records)
                guard !cams.isEmpty else { continue }
                let covered = cams.reduce(Int64(0)) { $0 + $1.recordedMs }
                let expected = expectedPer * Int64(cams.count)
                recordingRates.append((region, covered, expected))
                let pct = Double(covered) / Double(expected) * 100
                let s = status(of: pct, warning: t.recordingWarning, critical: t.recordingCritical)
                worst = max(worst, s)
                perf.append(Perfdata(isScope(region) ? "recording" : "recording_\(region.code)", round1(pct), unit: "%",
                                     warning: t.recordingWarning, critical: t.recordingCritical, min: 0, max: 100))
                details.append("[\(s.label)] recording \(region.displayName) (\(region.code)) last \(fmtHours(t.recordingHours)): \(fmt1(pct))% of \(cams.count) cameras' time")
                if s != .ok {
                    problems.append("\(region.displayName) recording \(fmt1(pct))% (\(describe(s == .critical ? t.recordingCritical : t.recordingWarning)))")
                }
            }
            let recorders = facts.cameras.filter(\.records)
            if facts.scope == nil, !perf.contains(where: { $0.label == "recording" }), !recorders.isEmpty {
                let pct = Double(recorders.reduce(Int64(0)) { $0 + $1.recordedMs }) / Double(expectedPer * Int64(recorders.count)) * 100
                perf.insert(Perfdata("recording", round1(pct), unit: "%", warning: t.recordingWarning, critical: t.recordingCritical,
                                     min: 0, max: 100), at: 0)
            }
            results.append(CheckResult(check: .recording, status: worst, problem: problems.isEmpty ? nil : problems.joined(separator: ", "),
                                       details: details, perfdata: perf))
        }

        if run.contains(.clock) {
            let measured = facts.cameras.compactMap { c in c.clockOffsetS.map { (c, abs($0)) } }.sorted { $0.1 > $1.1 }
            let maxOffset = measured.first?.1 ?? 0
            let s = status(of: maxOffset, warning: t.clockWarning, critical: t.clockCritical)
            let off = measured.filter { t.clockWarning.alerts($0.1) }
            results.append(CheckResult(
                check: .clock, status: s,
                problem: s == .ok ? nil : "\(off.count) camera clock\(off.count == 1 ? "" : "s") off by up to \(fmt1(maxOffset))s",
                details: off.prefix(20).map { c, o in "[\(status(of: o, warning: t.clockWarning, critical: t.clockCritical).label)] clock \(c.id) \(c.name): \(String(format: "%+.1f", c.clockOffsetS!)) s" },
                perfdata: [Perfdata("clock_offset_max", (maxOffset * 10).rounded() / 10, unit: "s", warning: t.clockWarning, critical: t.clockCritical, min: 0)]))
        }

        if run.contains(.index) {
            let failed = facts.cameras.reduce(0) { $0 + $1.failedFiles }
            let stalled = facts.cameras.reduce(0) { $0 + $1.stalledFiles }
            let failedStatus = status(of: Double(failed), warning: t.indexWarning, critical: t.indexCritical)
            // Stalled timestamps were re-timed from the frame rate: footage kept, its times low
            // confidence. Worth a look, never critical.
            // Files modified in the future: a recorder's clock ahead, its footage filed under the
            // wrong times. Indexed (as settled), said, never critical.
            let ahead = facts.cameras.filter { $0.latestMtimeAhead != nil }
            let s = max(failedStatus, stalled > 0 || !ahead.isEmpty ? .warning : .ok)
            var problems: [String] = []
            if failedStatus != .ok { problems.append("\(failed) file\(failed == 1 ? "" : "s") failed to index") }
            if stalled > 0 { problems.append("\(stalled) file\(stalled == 1 ? "" : "s") with timestamps: stalled (re-timed, low confidence)") }
            if !ahead.isEmpty { problems.append("\(plural(ahead.count, "camera")) with files modified in the future (recorder clock ahead)") }
            let details = facts.cameras.filter { $0.failedFiles > 0 }.prefix(20).map {
                "[\(failedStatus.label)] \(plural($0.failedFiles, "file")) failed to index: \($0.id) \($0.name)"
            } + facts.cameras.filter { $0.stalledFiles > 0 }.prefix(20).map {
                "[WARNING] \(plural($0.stalledFiles, "file")) with timestamps: stalled (re-timed from the frame rate): \($0.id) \($0.name)"
            } + ahead.prefix(20).map {
                "[WARNING] files modified up to \(TextFormat.duration(ms: $0.latestMtimeAhead!.ms - facts.now.ms)) in the future (the recorder's clock is ahead?): \($0.id) \($0.name)"
            }
            results.append(CheckResult(
                check: .index, status: s, problem: problems.isEmpty ? nil : problems.joined(separator: ", "),
                details: Array(details),
                perfdata: [Perfdata("index_errors", Double(failed), warning: t.indexWarning, critical: t.indexCritical, min: 0),
                           Perfdata("index_stalled", Double(stalled), min: 0),
                           Perfdata("index_clock_ahead", Double(ahead.count), min: 0)]))
        }

        if run.contains(.quality) {
            // An offline camera shows nothing: its picture is the offline check's business.
            let faulty = facts.cameras.filter { $0.live && $0.state == .online && $0.hasPictureFault }.sorted { $0.id < $1.id }
            let s = status(of: Double(faulty.count), warning: t.qualityWarning, critical: t.qualityCritical)
            results.append(CheckResult(
                check: .quality, status: s,
                problem: s == .ok ? nil : "\(faulty.count) online camera\(faulty.count == 1 ? "" : "s") with picture faults",
                details: faulty.prefix(20).map { c in
                    "[\(s.label)] picture \(c.id) \(c.name) (\(facts.regions[c.regionCode]?.name ?? c.regionCode)): "
                        + PictureVerdict.summary(c.quality ?? []) + (c.qualityAt.map { " at \(TimeFormat.rfc3339($0, in: c.zone))" } ?? "")
                },
                perfdata: [Perfdata("quality_faults", Double(faulty.count), warning: t.qualityWarning, critical: t.qualityCritical, min: 0)]))
        }

        let overall = results.map(\.status).max() ?? .ok
        return HealthResult(status: overall, checks: results, online: onlineRates,
                            recording: recordingRates.map { (region: $0.0, coveredMs: $0.1, expectedMs: $0.2) },
                            facts: facts, heartbeatAgeS: ageS)
    }

    /// `< 95%` for a `95:` range, and so on.
    static func describe(_ r: ThresholdRange) -> String {
        switch (r.low, r.high, r.inside) {
        case let (low?, nil, false): "< \(fmtNumber(low))%"
        case let (nil, high?, false): "> \(fmtNumber(high))"
        default: "outside \(r.text)"
        }
    }

    static func plural(_ n: Int, _ noun: String) -> String { "\(n) \(noun)\(n == 1 ? "" : "s")" }

    public static func round1(_ v: Double) -> Double { (v * 10).rounded() / 10 }
    static func fmt1(_ v: Double) -> String { String(format: "%.1f", v) }
    static func fmtNumber(_ v: Double) -> String { v == v.rounded() ? String(Int(v)) : String(v) }
    static func fmtHours(_ h: Double) -> String { h == h.rounded() ? "\(Int(h))h" : "\(h)h" }
}
