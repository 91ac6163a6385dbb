import CamindexCore
import Foundation
import CamindexKPI

extension Queries {
    /// Health checks over `region` (or everything): recording integrity over the last
    /// `thresholds.recordingHours`, the other checks at this moment.
    public func health(region: String?, thresholds: HealthThresholds, checks: Set<HealthCheck>) throws -> HealthResult {
        let now = clock.now()
        let period = Interval(now - Int64(thresholds.recordingHours * 3_600_000), now)
        let facts: Facts
        do {
            let scope = try region.map { try reader.resolveRegion($0) }
            facts = try Facts.load(from: reader, scope: scope, period: period, now: now, withOnline: false)
        } catch let error as CamindexError where error.code == .storeDamaged {
            // The store cannot be read far enough to judge the cameras: that is the finding.
            var damaged = Facts(now: now, period: period, scope: nil, regions: [:], cameras: [], heartbeat: nil)
            damaged.damage = error.message
            return Health.evaluate(damaged, thresholds: thresholds, checks: [.heartbeat])
        }
        return Health.evaluate(facts, thresholds: thresholds, checks: checks)
    }

    /// The KPI report for `period` in `zone`, against the period just before.
    public func report(region: String?, period: ReportPeriod, zone: TimeZone, options: Report.Options) throws -> Report {
        let now = clock.now()
        let current = try period.interval(in: zone, now: now)
        let scope = try region.map { try reader.resolveRegion($0) }
        let previous = Interval(current.start - current.durationMs, current.start)
        return Report(current: try Facts.load(from: reader, scope: scope, period: current, now: now),
                      previous: try Facts.load(from: reader, scope: scope, period: previous, now: now), options: options)
    }
}
