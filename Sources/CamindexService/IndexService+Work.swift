import CamindexCore
import CamindexIndexer
import CamindexMedia
import CamindexProvince
import CamindexStore
import Foundation

/// The use cases that read files or streams, or write the index: index, check, export,
/// probe, diagnose, publish.
extension IndexService {
    /// With `cameraID` and `paths`, those files (or directories) for that camera; with
    /// `cameraID` alone, its recordings directory; with neither, every enabled camera's.
    public func index(cameraID: String?, paths: [String], options: IndexOptions) throws -> [CameraIndexReport] {
        try requireShell("index recordings")
        return try coded { try IndexRun(store: try countyStore(), options: options).run(cameraID: cameraID, paths: paths) }
    }

    /// An fsck of the store against the files on disk; `repair` fixes what it finds.
    public func check(cameraID: String?, repair: Bool, settleMs: Int64) throws -> IndexCheck.Result {
        try requireShell("check the index")
        return try coded { try IndexCheck(store: try countyStore(), settleMs: settleMs).run(cameraID: cameraID, repair: repair) }
    }

    /// Evidence export: the county's policy on reasons is applied, and the attempt (not a dry
    /// run) is recorded in the audit trail: its files and their hashes, or why it failed.
    public func export(_ request: Exporter.Request, requireReason: Bool = false, progress: (@Sendable (String) -> Void)? = nil) throws -> Exporter.Outcome {
        let named: [String] = if case let .cameras(ids) = request.selector { ids } else { [] }
        let run = { (reason: String?) throws -> (value: Exporter.Outcome, cameras: [String], result: String) in
            try self.require(.exports)
            let store = try self.countyStore()
            var request = request
            request.reason = reason
            try self.requireReasonOfUser(reason, for: "exports")
            if try store.requiresReason() || requireReason, reason == nil {
                throw CamindexError.usage("this store requires --reason for exports (a case number or request)", code: .exportReasonRequired)
            }
            let selectionReader = try self.reader()
            let outcome = try self.coded { try Exporter(store: store, user: self.caller.name, role: self.caller.account?.role.rawValue, progress: progress, selectingFrom: selectionReader).run(request) }
            for w in outcome.warnings { self.notice("warning: \(w)") }
            let m = outcome.manifest
            let failed = outcome.failures.map { "camera \($0.camera) failed: \($0.message)" }
            return (outcome, m.cameras.filter { !$0.clips.isEmpty }.map(\.id),
                    "\(m.files.count) files to \(URL(fileURLWithPath: request.output).standardizedFileURL.path): "
                        + m.files.map { "\($0.file) sha256 \($0.sha256)" }.joined(separator: "; ")
                        + (failed.isEmpty ? "" : "; " + failed.joined(separator: "; ")))
        }
        // A dry run writes nothing, and leaves no row.
        if request.dryRun { return try run(try Reason.validate(request.reason)).value }
        return try audited("export", reason: request.reason, cameras: named, run)
    }

    /// The dry run of an export that will run later (an HTTP export job): what it would write;
    /// a request refused now (role, scope, reason, times) is an audit row, as the export's
    /// own refusal would have been.
    public func planExport(_ request: Exporter.Request, progress: (@Sendable (String) -> Void)? = nil) throws -> Exporter.Outcome {
        var request = request
        request.dryRun = true
        do { return try export(request, progress: progress) } catch {
            let named: [String] = if case let .cameras(ids) = request.selector { ids } else { [] }
            if storeIsOpen, Self.isRefusal(error) { audit("export", reason: (try? Reason.validate(request.reason)) ?? nil, cameras: named, result: "refused: \(Self.coded(error))") }
            throw error
        }
    }

    /// Re-hashes every clip an export's manifest lists.
    public static func verifyExport(directory: String) throws -> Exporter.Verification {
        try Exporter.verify(directory: directory)
    }

    /// What `camindex probe` shows: the stream probed now, its picture judged against the
    /// daemon's last full probe of the camera. `target` is a registered camera ID or a URL.
    public struct ProbeAnswer: Sendable {
        /// The stream's URL, password masked.
        public var url: String
        public var zone: TimeZone
        public var result: ProbeResult
    }

    public static func probe(url: String, light: Bool, deadline: Duration, transport: StreamTransport) throws -> ProbeAnswer {
        let secret = try StreamURL(url).secret
        var result = StreamProber.probe(url: secret, depth: light ? .light : .full, deadline: deadline, transport: transport)
        result.judgePicture(PictureThresholds(), previousSignature: nil)
        return ProbeAnswer(url: Redaction.redactURL(secret), zone: try Zones.named(Zones.defaultIdentifier), result: result)
    }

    public func probe(cameraID: String, light: Bool, deadline: Duration, transport: StreamTransport) throws -> ProbeAnswer {
        try requireShell("probe cameras")
        let store = try countyStore()
        let camera = try store.requireCamera(id: cameraID)
        guard let url = camera.url else {
            throw CamindexError.usage("camera \(camera.id) has no live URL: set one with 'camindex camera update \(camera.id) --url URL'",
                                      code: .cameraNoURL, value: camera.id)
        }
        var result = StreamProber.probe(url: url, depth: light ? .light : .full, deadline: deadline, transport: transport)
        // The frozen check compares with the daemon's last full probe of the camera.
        result.judgePicture(camera.pictureThresholds, previousSignature: try store.pictureSignatures(cameraID: camera.id)[camera.id])
        return ProbeAnswer(url: Redaction.redactURL(url), zone: camera.zone, result: result)
    }

    /// Video quality diagnosis of a recorded file.
    public static func diagnose(file: String) throws -> PictureDiagnosis { try Diagnose.file(file) }

    /// Video quality diagnosis of a camera's indexed footage at `at` (its latest when nil),
    /// read in `timezone`, else the camera's zone, judged by the camera's thresholds.
    public func diagnose(cameraID: String, at: String?, date: String?, timezone: String?) throws -> PictureDiagnosis {
        try requireShell("diagnose cameras")
        let store = try countyStore()
        let camera = try store.requireCamera(id: cameraID)
        let zone = try timezone.map { try Zones.named($0) } ?? camera.zone
        let moment = try at.map { try DateSpec(date: date, zone: zone).instant($0, option: "--at", now: store.clock.now()) }
        return try Diagnose.camera(camera.id, at: moment, store: store, thresholds: camera.pictureThresholds)
    }

    /// Pushes the county's changes to the province at `url` (see `Publish`), stopping at a
    /// batch boundary once `stopping` says so.
    public func publish(to url: String, batchSize: Int = 2000, stopping: () -> Bool = { false }) throws -> Publish.Result {
        try requireShell("publish to the province")
        return try Publish.run(store: try countyStore(), to: try ProvinceURL(url), batchSize: batchSize, stopping: stopping)
    }

    /// Whether exports from this store must give a reason (the county's policy, kept in the store).
    public func setRequiresReason(_ required: Bool) throws {
        try requireShell("set the export policy")
        try countyStore().setRequiresReason(required)
    }
}
