import CamindexCore
import Foundation

extension HealthResult {
    /// What the status line says after the status: the problems, worst first, or the key figures.
    public var summary: String {
        let problems = checks.filter { $0.status != .ok && $0.status != .unknown }.sorted { $0.status > $1.status }.compactMap(\.problem)
        if problems.isEmpty {
            let scope = facts.scope.map { "\($0.name) (\($0.code))" } ?? "all regions"
            var parts = ["\(scope): \(facts.cameras.count) cameras"]
            if let p = checks.first(where: { $0.check == .online })?.perfdata.first(where: { $0.label == "online" }) { parts.append("online \(Health.fmt1(p.value))%") }
            if let p = checks.first(where: { $0.check == .recording })?.perfdata.first(where: { $0.label == "recording" }) { parts.append("recording \(Health.fmt1(p.value))%") }
            if let age = heartbeatAgeS { parts.append("heartbeat \(Int(age))s ago") }
            return parts.joined(separator: ", ")
        }
        return problems.joined(separator: ", ")
    }

    /// The plugin output: one status line with perfdata, then one line per finding.
    public var pluginText: String {
        let perf = checks.flatMap(\.perfdata).map(\.formatted).joined(separator: " ")
        return (["CAMINDEX \(status.label) - \(summary)" + (perf.isEmpty ? "" : " | \(perf)")] + checks.flatMap(\.details))
            .joined(separator: "\n")
    }

    /// node_exporter's textfile collector format. No timestamps; labels escaped.
    public var prometheusText: String {
        var out: [String] = []
        func metric(_ name: String, _ help: String, _ samples: [(labels: [(String, String)], value: Double)]) {
            out.append("# HELP \(name) \(help)")
            out.append("# TYPE \(name) gauge")
            for s in samples {
                let labels = s.labels.isEmpty ? "" : "{" + s.labels.map { "\($0.0)=\"\(Self.escape($0.1))\"" }.joined(separator: ",") + "}"
                out.append("\(name)\(labels) \(Self.number(s.value))")
            }
        }
        func regionLabels(_ r: Region) -> [(String, String)] { [("region_code", r.code), ("region_name", r.name)] }
        metric("camindex_health_status", "Overall health: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.", [([], Double(status.rawValue))])
        metric("camindex_check_status", "Status of each health check: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.",
               checks.map { ([("check", $0.check.rawValue)], Double($0.status.rawValue)) })
        if let age = heartbeatAgeS {
            metric("camindex_heartbeat_age_seconds", "Seconds since the daemon's last heartbeat.", [([], age)])
        }
        if !online.isEmpty {
            metric("camindex_cameras", "Cameras with a live URL, by region and state (unknown: not probed yet).", online.flatMap { rate -> [([(String, String)], Double)] in
                let cams = facts.cameras(in: rate.region).filter(\.live)
                return CameraFacts.State.allCases.map { state in
                    (regionLabels(rate.region) + [("state", state.rawValue)], Double(cams.filter { $0.state == state }.count))
                }
            })
            metric("camindex_online_ratio", "Share of a region's cameras online at the last probe.",
                   online.compactMap { r in r.total > 0 ? (regionLabels(r.region), Double(r.good) / Double(r.total)) : nil })
        }
        if !recording.isEmpty {
            metric("camindex_recording_integrity_ratio", "Recorded time over expected time, last hours of the check.",
                   recording.map { (regionLabels($0.region), Double($0.coveredMs) / Double($0.expectedMs)) })
        }
        let live = facts.cameras.filter(\.live)
        if !live.isEmpty {
            metric("camindex_camera_up", "1 when the camera answered its last probe.", live.map { c in
                ([("camera", c.id), ("camera_name", c.name), ("region_code", c.regionCode)], c.state == .online ? 1 : 0)
            })
        }
        let clocks = facts.cameras.filter { $0.clockOffsetS != nil }
        if !clocks.isEmpty {
            metric("camindex_camera_clock_offset_seconds", "Camera clock minus server clock at the last full probe.",
                   clocks.map { ([("camera", $0.id), ("region_code", $0.regionCode)], $0.clockOffsetS!) })
        }
        let judged = facts.cameras.filter { $0.quality != nil }
        if !judged.isEmpty {
            metric("camindex_camera_picture_ok", "1 when the camera's last picture judged by a full probe showed no fault.",
                   judged.map { ([("camera", $0.id), ("region_code", $0.regionCode)], $0.hasPictureFault ? 0 : 1) })
            // Only the faults present: eight series per camera would swamp a county's scrape.
            metric("camindex_camera_picture_fault", "The fault's measured value, for each fault of a camera's last judged picture.",
                   judged.flatMap { c in c.quality!.map { ([("camera", c.id), ("region_code", c.regionCode), ("fault", $0.fault.rawValue)], $0.measured) } })
        }
        metric("camindex_index_failed_files", "Recorded files that could not be indexed.",
               [([], Double(facts.cameras.reduce(0) { $0 + $1.failedFiles }))])
        return out.joined(separator: "\n") + "\n"
    }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\n", with: "\\n")
    }

    static func number(_ v: Double) -> String {
        v == v.rounded() && abs(v) < 1e15 ? String(Int64(v)) : String(v)
    }
}

