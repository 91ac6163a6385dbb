import CamindexCore
import Foundation

/// The answer of `status` (and of the HTTP API's status request) as programs see it.
public struct StatusJSON: Encodable, Sendable {
    struct Cycle: Encodable, Sendable { var started, ended: String; var cameras, probes, probe_failures, files_indexed, files_failed: Int }
    struct Beat: Encodable, Sendable { var at: String; var age_seconds: Double; var pid: Int; var cycle: Cycle }
    struct Cameras: Encodable, Sendable { var enabled, with_url, online, offline, unknown: Int }
    struct Index: Encodable, Sendable { var segments, failed, unverified: Int }
    var store: String
    var heartbeat: Beat?
    var cameras: Cameras
    var index: Index

    public init(_ s: StatusSummary, zone: TimeZone) {
        store = s.store
        heartbeat = s.heartbeat.map { h in
            Beat(at: TimeFormat.rfc3339(h.ended, in: zone), age_seconds: JSONValues.seconds(ms: s.heartbeatAgeMs ?? 0), pid: h.pid,
                 cycle: Cycle(started: TimeFormat.rfc3339(h.started, in: zone), ended: TimeFormat.rfc3339(h.ended, in: zone),
                              cameras: h.cameras, probes: h.probes, probe_failures: h.probeFailures,
                              files_indexed: h.filesIndexed, files_failed: h.filesFailed))
        }
        cameras = Cameras(enabled: s.enabledCameras, with_url: s.liveCameras, online: s.online, offline: s.offline, unknown: s.unprobed)
        index = Index(segments: s.index.segments, failed: s.index.failed, unverified: s.index.unverified)
    }
}

/// The answer of `health --format json` (and of the HTTP API's health request): the plugin's
/// status and code, each check with its details and perfdata, each region's online figures.
public struct HealthJSON: Encodable, Sendable {
    struct Perf: Encodable, Sendable { var label: String; var value: Double; var unit: String; var warning, critical: String?; var min, max: Double? }
    struct Check: Encodable, Sendable { var name, status: String; var problem: String?; var details: [String]; var perfdata: [Perf] }
    struct RegionOnline: Encodable, Sendable { var code, name: String; var cameras, online: Int; var online_percent: Double? }
    var status: String
    var code: Int
    var summary: String
    var heartbeat_age_seconds: Double?
    var checks: [Check]
    var regions: [RegionOnline]

    public init(_ result: HealthResult) {
        status = result.status.label
        code = result.status.rawValue
        summary = result.summary
        heartbeat_age_seconds = result.heartbeatAgeS
        checks = result.checks.map { c in
            Check(name: c.check.rawValue, status: c.status.label, problem: c.problem, details: c.details, perfdata: c.perfdata.map {
                Perf(label: $0.label, value: $0.value, unit: $0.unit, warning: $0.warning?.text, critical: $0.critical?.text, min: $0.min, max: $0.max)
            })
        }
        regions = result.online.map {
            RegionOnline(code: $0.region.code, name: $0.region.name, cameras: $0.total, online: $0.good, online_percent: $0.percent.map(Health.round1))
        }
    }
}
