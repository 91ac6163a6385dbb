import CamindexCore
import Foundation
import Logging
import Synchronization

/// Exports asked for over HTTP, run one at a time beside the requests: each job writes into
/// a directory of its own under the server's exports directory, and its record
/// (`ID.job.json`: who asked, what, its state and files) is kept beside it, so that a
/// restarted server still lists it and serves its files. Who sees a job is decided here: its
/// owner, or an admin. The export itself (its audit row, manifest and clips) is
/// `IndexService.export`'s.
public final class ExportJobs: Sendable {
    public enum State: String, Codable, Sendable { case queued, running, done, failed, interrupted }

    /// Why a job failed or stopped, as errors are shown: code, message, the input concerned.
    public struct Failure: Codable, Sendable {
        public var code, message: String
        public var value: String?

        init(_ e: CamindexError) {
            code = e.code.rawValue
            message = Redaction.redactSecrets(e.message)
            value = e.value.map(Redaction.redactSecrets)
        }

        init(code: CamindexError.Code, message: String, value: String? = nil) {
            self.code = code.rawValue
            self.message = message
            self.value = value
        }
    }

    /// What the client asked for, as the job shows it.
    public struct Request: Codable, Sendable {
        public var cameras: [String]?
        public var region: String?
        public var near: String?
        public var radius: Double?
        public var from, to: String
        public var date, timezone, reason: String?
        public var dry_run: Bool?

        enum Key: String, CodingKey, CaseIterable { case cameras, camera, region, near, radius, from, to, date, timezone, reason, dry_run }

        /// `cameras` is a list or one ID (also as `camera`, the CLI's option); a comma also
        /// separates IDs. Any other field is refused by name.
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: Key.self)
            func ids(_ key: Key) throws -> [String]? {
                guard c.contains(key) else { return nil }
                let list = try (try? c.decode([String].self, forKey: key)) ?? [c.decode(String.self, forKey: key)]
                return list.flatMap { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }.filter { !$0.isEmpty }
            }
            let named = try (ids(.cameras) ?? []) + (ids(.camera) ?? [])
            cameras = named.isEmpty ? nil : named
            region = try c.decodeIfPresent(String.self, forKey: .region)
            near = try c.decodeIfPresent(String.self, forKey: .near)
            radius = try c.decodeIfPresent(Double.self, forKey: .radius)
            from = try c.decode(String.self, forKey: .from)
            to = try c.decode(String.self, forKey: .to)
            date = try c.decodeIfPresent(String.self, forKey: .date)
            timezone = try c.decodeIfPresent(String.self, forKey: .timezone)
            reason = try c.decodeIfPresent(String.self, forKey: .reason)
            dry_run = try c.decodeIfPresent(Bool.self, forKey: .dry_run)
            let known = Set(Key.allCases.map(\.stringValue))
            let all = try decoder.container(keyedBy: AnyKey.self)
            if let unknown = all.allKeys.first(where: { !known.contains($0.stringValue) }) {
                throw CamindexError.usage("unknown field '\(Names.printable(unknown.stringValue))' in the export request: it takes \(known.sorted().map { "'\($0)'" }.joined(separator: ", "))",
                                          value: unknown.stringValue)
            }
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: Key.self)
            try c.encodeIfPresent(cameras, forKey: .cameras)
            try c.encodeIfPresent(region, forKey: .region)
            try c.encodeIfPresent(near, forKey: .near)
            try c.encodeIfPresent(radius, forKey: .radius)
            try c.encode(from, forKey: .from)
            try c.encode(to, forKey: .to)
            try c.encodeIfPresent(date, forKey: .date)
            try c.encodeIfPresent(timezone, forKey: .timezone)
            try c.encodeIfPresent(reason, forKey: .reason)
            try c.encodeIfPresent(dry_run, forKey: .dry_run)
        }

        public func selector() throws -> CameraSelector {
            let given = [region != nil, !(cameras ?? []).isEmpty, near != nil].filter { $0 }.count
            guard given == 1 else {
                throw CamindexError.usage("say which cameras with exactly one of 'cameras', 'region' or 'near' (with 'radius')", value: "cameras")
            }
            if let region { return .region(region) }
            if let near {
                guard let radius, radius > 0, radius.isFinite else {
                    throw CamindexError.usage("'near' needs 'radius', a positive number of metres", value: "radius")
                }
                return .near(try Coordinate(parsing: near), radiusM: radius)
            }
            return .cameras(cameras ?? [])
        }
    }

    struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public struct Job: Codable, Sendable {
        public var id: String
        public var user: String
        public var state: State
        public var created_at: String
        public var finished_at: String?
        public var request: Request
        /// The exporter's progress lines, in order.
        public var progress: [String]
        /// The clips written (whole), with their SHA-256: all of them once done.
        public var parts: [Exporter.Manifest.FileHash]
        public var error: Failure?
        /// The files the job's directory serves: the clips, both manifests, the manifest's
        /// signature and the extraction record.
        public var files: [String]
    }

    /// Where jobs write; nil for a server without one (a province: exports are a county's).
    let directory: String?
    let service: IndexService
    let logger: Logger
    private let jobs: Mutex<[String: Job]>
    private let running: Mutex<[String: CancelFlag]>
    private let stopping = CancelFlag()
    /// One export at a time: exports read and write whole files; more at once only share the disk.
    private let thread = BlockingPool(threads: 1, name: "camindex.export")

    public init(directory: String?, service: IndexService, logger: Logger) throws {
        self.directory = directory
        self.service = service
        self.logger = logger
        var found: [String: Job] = [:]
        if let directory, let names = try? FileManager.default.contentsOfDirectory(atPath: directory) {
            for name in names where name.hasSuffix(".job.json") {
                guard let data = FileManager.default.contents(atPath: directory + "/" + name),
                      var job = try? JSONDecoder().decode(Job.self, from: data) else { continue }
                // The server stopped under it: what it wrote is listed by its manifest, if any.
                if job.state == .queued || job.state == .running {
                    job.state = .interrupted
                    job.error = Failure(code: .exportInterrupted, message: "the server stopped before this export was done")
                }
                found[job.id] = job
            }
        }
        jobs = Mutex(found)
        running = Mutex([:])
        for job in found.values { persist(job) }
    }

    /// Queues an export for `caller`'s service; the request was checked by a dry run first.
    public func submit(_ request: Request, output: String, exporter: IndexService, zone: TimeZone) throws -> Job {
        guard directory != nil else {
            throw CamindexError.usage("this server has no exports directory: exports are made from a county's store", code: .storeProvinceReadOnly)
        }
        guard !stopping.isCancelled else { throw CamindexError.runtime("the server is stopping", code: .storeFailed) }
        let id = output.split(separator: "/").last.map(String.init) ?? UUID().uuidString
        let job = Job(id: id, user: exporter.caller.name, state: .queued,
                      created_at: TimeFormat.rfc3339(service.clock.now(), in: zone), finished_at: nil,
                      request: request, progress: [], parts: [], error: nil, files: [])
        let flag = CancelFlag()
        running.withLock { $0[id] = flag }
        update(job)
        Task { [self] in
            _ = try? await thread.run { self.run(id, request: request, output: output, exporter: exporter, zone: zone, cancel: flag) }
            running.withLock { _ = $0.removeValue(forKey: id) }
        }
        return job
    }

    /// A fresh directory name for a job.
    public func newOutput() throws -> String {
        guard let directory else {
            throw CamindexError.usage("this server has no exports directory: exports are made from a county's store", code: .storeProvinceReadOnly)
        }
        var bytes = [UInt8](repeating: 0, count: 10)
        for i in bytes.indices { bytes[i] = UInt8.random(in: 0...255) }
        return directory + "/" + bytes.map { String(format: "%02x", $0) }.joined()
    }

    private func run(_ id: String, request: Request, output: String, exporter: IndexService, zone: TimeZone, cancel: CancelFlag) {
        modify(id) { $0.state = .running }
        var outcome: Exporter.Outcome?
        var failure: CamindexError?
        do {
            var asked = Exporter.Request(selector: try request.selector(), from: request.from, to: request.to, output: output)
            asked.date = request.date
            asked.timezone = request.timezone
            asked.reason = request.reason
            asked.cancel = cancel
            if cancel.isCancelled || stopping.isCancelled { cancel.cancel() }
            outcome = try exporter.export(asked, progress: { [self] line in modify(id) { $0.progress.append(line) } })
        } catch {
            failure = (error as? CamindexError) ?? (error as? any CamindexErrorConvertible)?.camindexError
                ?? .runtime("the export failed: \(ErrorText.of(error))")
        }
        let finished = TimeFormat.rfc3339(service.clock.now(), in: zone)
        modify(id) { job in
            job.finished_at = finished
            if let outcome {
                let m = outcome.manifest
                job.parts = m.files
                job.files = m.files.map(\.file) + Exporter.recordNames
                if m.complete == false {
                    job.state = .interrupted
                    job.error = Failure(code: .exportInterrupted, message: m.interrupted ?? "the export was stopped before it was done")
                } else if !outcome.failures.isEmpty {
                    job.state = .failed
                    job.error = Failure(code: .exportFailed, message: outcome.failures.map { "camera \($0.camera): \($0.message)" }.joined(separator: "; "),
                                                  value: outcome.failures.map(\.camera).joined(separator: ","))
                } else {
                    job.state = .done
                }
            } else if let failure {
                job.state = .failed
                job.error = Failure(failure)
            }
        }
        logger.notice("export job \(id) ended", metadata: ["user": "\(exporter.caller.name)", "state": "\(job(id)?.state.rawValue ?? "?")"])
    }

    public func job(_ id: String) -> Job? { jobs.withLock { $0[id] } }

    /// The job as `account` may see it: their own, or any for an admin; else nil (as if none).
    public func job(_ id: String, for account: UserAccount) -> Job? {
        guard let job = job(id), job.user == account.name || account.role == .admin else { return nil }
        return job
    }

    public func list(for account: UserAccount) -> [Job] {
        jobs.withLock { Array($0.values) }.filter { $0.user == account.name || account.role == .admin }.sorted { $0.created_at < $1.created_at }
    }

    /// The path of a file a job serves; nil for one it does not list.
    public func file(_ name: String, of job: Job) -> String? {
        guard let directory, job.files.contains(name), !name.contains("/") else { return nil }
        let path = directory + "/" + job.id + "/" + name
        return FileManager.default.fileExists(atPath: path) ? path : nil
    }

    /// The job's manifest as written, when there is one.
    public func manifest(of job: Job) -> Exporter.Manifest? {
        guard let path = file(Exporter.manifestName, of: job), let data = FileManager.default.contents(atPath: path) else { return nil }
        return try? JSONDecoder().decode(Exporter.Manifest.self, from: data)
    }

    /// Graceful shutdown: running exports stop at their next packet (whole clips kept and
    /// listed in a manifest marked incomplete); queued ones start stopped; new ones are refused.
    public func stopAll() {
        stopping.cancel()
        for flag in running.withLock({ Array($0.values) }) { flag.cancel() }
    }

    public func waitUntilIdle() async {
        while !running.withLock({ $0.isEmpty }) { try? await Task.sleep(for: .milliseconds(20)) }
        thread.shutdown()
    }

    private func update(_ job: Job) {
        jobs.withLock { $0[job.id] = job }
        persist(job)
    }

    private func modify(_ id: String, _ change: (inout Job) -> Void) {
        let changed: Job? = jobs.withLock { jobs in
            guard var job = jobs[id] else { return nil }
            change(&job)
            jobs[id] = job
            return job
        }
        // Progress lines are kept in memory; the record on disk follows state changes.
        if let changed, changed.state != .running || changed.progress.isEmpty { persist(changed) }
    }

    /// Written through a temp file and a rename: a reader never sees half a record.
    private func persist(_ job: Job) {
        guard let directory else { return }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            let path = directory + "/" + job.id + ".job.json"
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            try encoder.encode(job).write(to: URL(fileURLWithPath: path + ".partial"))
            guard rename(path + ".partial", path) == 0 else { throw CamindexError.runtime(String(cString: strerror(errno))) }
        } catch {
            logger.error("cannot keep the record of export job \(job.id): \(ErrorText.of(error))")
        }
    }
}
