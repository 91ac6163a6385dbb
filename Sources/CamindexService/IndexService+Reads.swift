import CamindexCore
import CamindexProvince
@_exported import CamindexKPI
import Foundation

/// The read use cases. Those that show footage or a camera to a person (query, keyframe,
/// camera show, report) record an audit row in the trail of the store read.
extension IndexService {
    public func footage(_ query: FootageQuery, reason: String? = nil) throws -> FootageAnswer {
        let named: [String] = if case let .cameras(ids) = query.selector { ids } else { [] }
        return try audited("query", reason: reason, cameras: named) { reason in
            try require(.footage)
            try requireReasonOfUser(reason, for: "footage")
            let answer = try queries().footage(query, cache: answers, scope: caller.account.flatMap { $0.regions.isEmpty ? nil : $0.regions.sorted() })
            let summary = answer.auditSummary.get {
                let covered = answer.cameras.reduce(Int64(0)) { $0 + $1.coveredMs }
                return (answer.cameras.map(\.camera.id),
                        "\(answer.cameras.count) cameras, \(answer.cameras.filter { !$0.windows.isEmpty }.count) with footage, "
                            + "\(Self.seconds(covered)) s of footage in \(TimeFormat.rfc3339(answer.range.start, in: answer.zone))/\(TimeFormat.rfc3339(answer.range.end, in: answer.zone))")
            }
            return (answer, summary.cameras, summary.result)
        }
    }

    public func keyframe(cameraID: String, at: String, date: String? = nil, timezone: String? = nil, reason: String? = nil) throws -> KeyframeAnswer {
        try audited("keyframe", reason: reason, cameras: [cameraID]) { _ in
            try require(.keyframes)
            let answer = try queries().keyframe(cameraID: cameraID, at: at, date: date, timezone: timezone)
            let k = answer.keyframe
            return (answer, [answer.camera.id],
                    "keyframe \(TimeFormat.rfc3339(k.time, in: answer.camera.zone)) at \(Self.seconds(k.offsetMs)) s in \(k.path)")
        }
    }

    public func cameraDetail(id: String, probes: Int = 10, files: Int = 20, reason: String? = nil) throws -> CameraDetail {
        try audited("camera show", reason: reason, cameras: [id]) { _ in
            try require(.cameras)
            var detail = try queries().cameraDetail(id: id, probes: probes, files: files)
            if case let .county(county) = backend { detail.gb = try county.store().gbChannel(cameraID: detail.camera.id) }
            let f = detail.footage
            return (detail, [detail.camera.id], "\(f.segments - f.failed) segments, \(Self.seconds(f.coveredMs)) s of footage")
        }
    }

    /// With `unplaced`, only the cameras a GB/T 28181 catalog could place only at the county.
    public func cameraList(region: String?, includeDisabled: Bool, unplaced: Bool = false) throws -> CameraListing {
        try require(.cameras)
        var listing = try queries().cameraList(region: region, includeDisabled: includeDisabled)
        if unplaced {
            guard case let .county(county) = backend else {
                throw CamindexError.usage("--unplaced lists what a county's GB/T 28181 catalogs placed: give --db the county's store", value: location)
            }
            let ids = try county.store().gbUnplaced()
            listing.cameras = listing.cameras.filter { ids.contains($0.id) }
        }
        return listing
    }

    public func regionTree(under region: String?) throws -> (root: Region?, tree: [RegionSummary]) {
        try require(.regions)
        return try queries().regionTree(under: region)
    }

    public func status() throws -> StatusSummary {
        try require(.status)
        return try queries().status()
    }

    public func health(region: String?, thresholds: HealthThresholds, checks: Set<HealthCheck>) throws -> HealthResult {
        try require(.health)
        return try queries().health(region: region, thresholds: thresholds, checks: checks)
    }

    public func report(region: String?, period: ReportPeriod, zone: TimeZone, options: Report.Options, reason: String? = nil) throws -> Report {
        try audited("report", reason: reason, cameras: []) { _ in
            try require(.reports)
            let report = try queries().report(region: region, period: period, zone: zone, options: options)
            return (report, report.facts.cameras.map(\.id),
                    "\(report.scope?.code ?? "all regions") \(TimeFormat.rfc3339(report.period.start, in: zone))/\(TimeFormat.rfc3339(report.period.end, in: zone)), \(report.facts.cameras.count) cameras")
        }
    }

    /// The keyframe thumbnail the last full probe kept: the last in good order, or the last
    /// with a picture fault.
    public func thumbnail(cameraID: String, faulty: Bool, reason: String? = nil) throws -> (camera: Camera, thumbnail: CameraThumbnail) {
        try audited("thumbnail", reason: reason, cameras: [cameraID]) { _ in
            try require(.thumbnails)
            let store = try countyStore()
            let camera = try reader().requireCamera(id: cameraID)
            guard let thumb = try store.thumbnail(cameraID: camera.id, faulty: faulty) else {
                throw CamindexError.runtime("camera \(camera.id) has no \(faulty ? "faulty" : "good") keyframe thumbnail: "
                    + (faulty ? "no full probe found a picture fault" : "no full probe has decoded a picture in good order yet (is the daemon running?)"),
                    code: .thumbnailNone, value: camera.id)
            }
            return ((camera, thumb), [camera.id], "\(faulty ? "faulty" : "good") thumbnail of \(TimeFormat.rfc3339(thumb.at, in: camera.zone)), \(thumb.jpeg.count) bytes")
        }
    }

    /// Audit rows, oldest first, of the store this service reads (a county's or the province's).
    public func auditRows(_ filter: AuditFilter) throws -> [AuditRecord] {
        try require(.audit)
        if let command = filter.command, !AuditEntry.commands.contains(command) {
            throw CamindexError.usage("unknown --command '\(Names.printable(command))': the trail records \(AuditEntry.commands.map { "'\($0)'" }.joined(separator: ", "))",
                                      value: command)
        }
        return try trail().auditRecords(filter)
    }

    /// Walks the trail's hash chain.
    public func verifyAudit() throws -> AuditVerification {
        try require(.audit)
        return try trail().verifyAudit()
    }

    func trail() throws -> any AuditTrail {
        switch backend {
        case let .county(county): return try county.store()
        case let .province(reader, _): return reader
        case let .provinceRegistry(url): return try ProvinceReader(url: url)
        }
    }

    /// Seconds as the audit rows write them: `120.0`, `1.5`.
    static func seconds(_ ms: Int64) -> Double { Double(ms) / 1000 }
}
