import CamindexCore
import CamindexService
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// One route of the API: its method, its path (`{name}` for a path parameter) and its handler.
/// The table below is what the router serves and what the OpenAPI document is checked against.
struct APIRoute: Sendable {
    let method: HTTPRequest.Method
    let path: String
    let handler: @Sendable (API, Request, APIContext) async throws -> Response

    init(_ method: HTTPRequest.Method, _ path: String, _ handler: @escaping @Sendable (API, Request, APIContext) async throws -> Response) {
        self.method = method
        self.path = path
        self.handler = handler
    }
}

/// Who is signed in, as `POST` and `GET /api/v1/session` answer.
struct SessionJSON: Encodable {
    var user, role: String
    var regions: [String]
    var permissions: [String]
    /// For state-changing requests on this session (`X-CSRF-Token`); absent for a bearer token.
    var csrf_token: String?
    var idle_expiry_seconds: Int64
    var reason_required: Bool

    init(_ account: UserAccount, csrf: String?, idleMs: Int64, reasonRequired: Bool) {
        user = account.name
        role = account.role.rawValue
        regions = account.regions
        permissions = account.role.permissions.map(\.rawValue).sorted()
        csrf_token = csrf
        idle_expiry_seconds = idleMs / 1000
        self.reason_required = reasonRequired
    }
}

/// An export job as `POST /exports` and `GET /exports/{id}` answer it.
struct ExportJobJSON: Encodable {
    var job: ExportJobs.Job
    var manifest: Exporter.Manifest?

    func encode(to encoder: any Encoder) throws {
        try job.encode(to: encoder)
        var container = encoder.container(keyedBy: Key.self)
        try container.encode("/api/v1/exports/\(job.id)", forKey: .url)
        try container.encodeIfPresent(manifest, forKey: .manifest)
    }

    enum Key: String, CodingKey { case url, manifest }
}

extension API {
    static let zone = TimeZone(identifier: Zones.defaultIdentifier)!

    static let routes: [APIRoute] = [
        APIRoute(.post, "/api/v1/session", signIn),
        APIRoute(.get, "/api/v1/session", whoAmI),
        APIRoute(.delete, "/api/v1/session", signOut),
        APIRoute(.get, "/api/v1/regions", regions),
        APIRoute(.get, "/api/v1/cameras", cameras),
        APIRoute(.get, "/api/v1/cameras/{id}", camera),
        APIRoute(.get, "/api/v1/cameras/{id}/thumbnail", thumbnail),
        APIRoute(.get, "/api/v1/footage", footage),
        APIRoute(.get, "/api/v1/keyframe", keyframe),
        APIRoute(.get, "/api/v1/status", status),
        APIRoute(.get, "/api/v1/health", health),
        APIRoute(.get, "/api/v1/report", report),
        APIRoute(.get, "/api/v1/audit", audit),
        APIRoute(.get, "/api/v1/audit/verify", verifyAudit),
        APIRoute(.post, "/api/v1/exports", createExport),
        APIRoute(.get, "/api/v1/exports", exports),
        APIRoute(.get, "/api/v1/exports/{id}", export),
        APIRoute(.get, "/api/v1/exports/{id}/files/{name}", exportFile),
        APIRoute(.get, "/api/v1/signing-key", signingKey),
        APIRoute(.get, "/api/v1/openapi.json", openAPI),
        APIRoute(.get, "/api/v1/page", page),
        APIRoute(.get, "/api/v1/states", states),
    ]

    static func signIn(_ api: API, _ request: Request, _ context: APIContext) async throws -> Response {
        struct SignIn: Decodable { var user: String; var password: String }
        let body = try await request.decode(as: SignIn.self, context: context)
        let remote = context.remote
        let (token, account) = try await api.blocking { try $0.signIn(user: body.user, password: body.password, remote: remote) }
        let required = try await api.blocking { try $0.reasonRequired() }
        var response = json(SessionJSON(account, csrf: csrfToken(session: token), idleMs: api.idleMs, reasonRequired: required))
        response.setCookie(Cookie(name: sessionCookie, value: token, path: "/", secure: api.secure, httpOnly: true, sameSite: .strict))
        return response
    }

    static func whoAmI(_ api: API, _ request: Request, _ context: APIContext) async throws -> Response {
        _ = try api.caller(request, context)
        let identity = context.identity!
        let csrf: String? = if case let .session(token) = identity.credential { csrfToken(session: token) } else { nil }
        let required = try await api.blocking { try $0.reasonRequired() }
        return json(SessionJSON(identity.account, csrf: csrf, idleMs: api.idleMs, reasonRequired: required))
    }

    static func signOut(_ api: API, _ request: Request, _ context: APIContext) async throws -> Response {
        guard case let .session(token) = context.identity?.credential else {
            throw CamindexError.usage("no session to end: sign in with POST /api/v1/session (a bearer token is revoked with 'camindex user disable')", code: .authRequired)
        }
        try await api.asUser(request, context) { service, _ in try service.signOut(token: token) }
        var response = Response(status: .noContent)
        response.setCookie(Cookie(name: sessionCookie, value: "", maxAge: 0, path: "/", secure: api.secure, httpOnly: true, sameSite: .strict))
        return response
    }

    static func regions(_ api: API, _ request: Request, _ context: APIContext) async throws -> Response {
        return try await api.answer(request, context) { service, p in
            try p.allow(["under"])
            return try service.regionTree(under: p.string("under")).tree.map(RegionJSON.init)
        }
    }

    static func cameras(_ api: API, _ request: Request, _ context: APIContext) async throws -> Response {
        return try await api.answer(request, context) { service, p in
            try p.allow(["region", "all"])
            let listing = try service.cameraList(region: p.string("region"), includeDisabled: try p.flag("all"))
            return listing.cameras.map { CameraJSON($0, regions: listing.regions) }
        }
    }

    static func camera(_ api: API, _ request: Request, _ context: APIContext) async throws -> Response {
        let id = try context.parameters.require("id")
        return try await api.answer(request, context) { service, p in
            try p.allow(["probes", "files", "reason"])
            return CameraShowJSON(try service.cameraDetail(id: id, probes: try p.integer("probes", in: 0...1000) ?? 10,
                                                           files: try p.integer("files", in: 0...1000) ?? 20, reason: p.reason))
        }
    }

    static func thumbnail(_ api: API, _ request: Request, _ context: APIContext) async throws -> Response {
        let id = try context.parameters.require("id")
        let (camera, thumb) = try await api.asUser(request, context) { service, p in
            try p.allow(["faulty", "reason"])
            return try service.thumbnail(cameraID: id, faulty: try p.flag("faulty"), reason: p.reason)
        }
        return Response(status: .ok, headers: [.contentType: "image/jpeg", HTTPField.Name("X-Camindex-Taken-At")!: TimeFormat.rfc3339(thumb.at, in: camera.zone)],
                        body: .init(byteBuffer: ByteBuffer(bytes: thumb.jpeg)))
    }

    static func footage(_ api: API, _ request: Request, _ context: APIContext) async throws -> Response {
        // Written by hand rather than by JSONEncoder: a township's day is hundreds of cameras.
        // A kept answer is written once, into one buffer that every response shares.
        return API.json(buffer: try await api.asUser(request, context) { service, p in
            try p.allow(Parameters.selection.union(Parameters.times).union(["max_gap", "live", "include_disabled", "reason"]))
            var query = FootageQuery(selector: try p.selector(), from: try p.required("from"), to: try p.required("to"),
                                     date: p.string("date"), timezone: p.string("timezone"))
            if let gap = try p.number("max_gap") {
                guard (0...86_400).contains(gap) else { throw CamindexError.usage("'max_gap' is from 0 to 86400 seconds", value: "\(gap)") }
                query.maxGapMs = Int64((gap * 1000).rounded())
            }
            query.live = try p.flag("live")
            query.includeDisabled = try p.flag("include_disabled")
            let answer = try service.footage(query, reason: p.reason)
            return answer.rendered { ByteBuffer(bytes: FootageJSON(answer).compactJSON()) }
        })
    }

    static func keyframe(_ api: API, _ request: Request, _ context: APIContext) async throws -> Response {
        return try await api.answer(request, context) { service, p in
            try p.allow(["camera", "at", "date", "timezone", "reason"])
            return KeyframeJSON(try service.keyframe(cameraID: try p.required("camera"), at: try p.required("at"), date: p.string("date"),
                                                     timezone: p.string("timezone"), reason: p.reason))
        }
    }

    static func status(_ api: API, _ request: Request, _ context: APIContext) async throws -> Response {
        return try await api.answer(request, context) { service, p in
            try p.allow([])
            return StatusJSON(try service.status(), zone: zone)
        }
    }

    static func health(_ api: API, _ request: Request, _ context: APIContext) async throws -> Response {
        return try await api.answer(request, context) { service, p in
            try p.allow(["region", "check"])
            let checks = try p.list("check").map { name in
                guard let check = HealthCheck(rawValue: name) else {
                    throw CamindexError.usage("unknown check '\(Names.printable(name))': one of \(HealthCheck.allCases.map(\.rawValue).joined(separator: ", "))", value: name)
                }
                return check
            }
            return HealthJSON(try service.health(region: p.string("region"), thresholds: HealthThresholds(), checks: Set(checks)))
        }
    }

    static func report(_ api: API, _ request: Request, _ context: APIContext) async throws -> Response {
        return try await api.answer(request, context) { service, p in
            try p.allow(["region", "period", "date", "day", "week", "from", "to", "timezone", "clock_limit", "reason"])
            let zone = try Zones.named(p.string("timezone") ?? Zones.defaultIdentifier)
            var options = Report.Options()
            if let limit = try p.number("clock_limit") {
                guard limit >= 0 else { throw CamindexError.usage("'clock_limit' must be zero or more seconds", value: "\(limit)") }
                options.clockLimitS = limit
            }
            let report = try service.report(region: p.string("region"), period: try reportPeriod(p), zone: zone, options: options, reason: p.reason)
            return ReportJSON(report, zone: zone)
        }
    }

    static func audit(_ api: API, _ request: Request, _ context: APIContext) async throws -> Response {
        return try await api.answer(request, context) { service, p in
            try p.allow(["from", "to", "user", "camera", "command", "timezone"])
            let zone = try Zones.named(p.string("timezone") ?? Zones.defaultIdentifier)
            let start = try p.string("from").map { try TimeFormat.parse($0, zone: zone, option: "--from") } ?? Instant(ms: Int64.min / 2)
            let end = try p.string("to").map { try TimeFormat.parse($0, zone: zone, option: "--to") } ?? Instant(ms: Int64.max / 2)
            let rows = try service.auditRows(AuditFilter(range: Interval(start, end), user: p.string("user"), camera: p.string("camera"), command: p.string("command")))
            return rows.map { AuditRowJSON($0, zone: zone) }
        }
    }

    static func verifyAudit(_ api: API, _ request: Request, _ context: APIContext) async throws -> Response {
        return try await api.answer(request, context) { service, p in
            try p.allow([])
            return AuditVerificationJSON(try service.verifyAudit())
        }
    }

    static func createExport(_ api: API, _ request: Request, _ context: APIContext) async throws -> Response {
        _ = try api.caller(request, context)
        var asked = try await request.decode(as: ExportJobs.Request.self, context: context)
        if asked.reason == nil { asked.reason = Parameters(request).reasonHeader }
        let body = asked
        let output = try api.jobs.newOutput()
        let jobs = api.jobs
        return try await api.asUser(request, context) { service, p in
            try p.allow([])
            var plan = Exporter.Request(selector: try body.selector(), from: body.from, to: body.to, output: output)
            plan.date = body.date
            plan.timezone = body.timezone
            plan.reason = body.reason
            // Refused now, with its audit row, rather than in a job that fails later.
            let dry = try service.planExport(plan)
            if body.dry_run == true { return json(DryRunJSON(manifest: dry.manifest)) }
            let job = try jobs.submit(body, output: output, exporter: service, zone: zone)
            var response = json(ExportJobJSON(job: job, manifest: nil), status: .accepted)
            response.headers[.location] = "/api/v1/exports/\(job.id)"
            return response
        }
    }

    static func exports(_ api: API, _ request: Request, _ context: APIContext) async throws -> Response {
        let caller = try api.caller(request, context)
        try Parameters(request).allow([])
        return json(api.jobs.list(for: caller.account!).map { ExportJobJSON(job: $0, manifest: nil) })
    }

    static func export(_ api: API, _ request: Request, _ context: APIContext) async throws -> Response {
        let caller = try api.caller(request, context)
        try Parameters(request).allow([])
        let job = try api.job(try context.parameters.require("id"), for: caller)
        return json(ExportJobJSON(job: job, manifest: job.state == .queued || job.state == .running ? nil : api.jobs.manifest(of: job)))
    }

    static func exportFile(_ api: API, _ request: Request, _ context: APIContext) async throws -> Response {
        let caller = try api.caller(request, context)
        try Parameters(request).allow([])
        let job = try api.job(try context.parameters.require("id"), for: caller)
        let name = try context.parameters.require("name")
        guard let path = api.jobs.file(name, of: job) else {
            throw CamindexError.usage("export \(job.id) has no file '\(Names.printable(name))'", code: .exportUnknown, value: name)
        }
        return try await Download.response(path: path, name: name, sha256: job.parts.first { $0.file == name }?.sha256, request: request, context: context)
    }

    static func openAPI(_ api: API, _ request: Request, _ context: APIContext) async throws -> Response {
        _ = try api.caller(request, context)
        return Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
                        body: .init(byteBuffer: ByteBuffer(string: OpenAPI.document)))
    }

    /// `period=day|week` with `date` (default: the day or week of yesterday), `period=DATE` (that
    /// day), `day=DATE` or `week=DATE` as the CLI's `--day`/`--week`, or `from` with `to`.
    static func reportPeriod(_ p: Parameters) throws -> ReportPeriod {
        let from = p.string("from"), to = p.string("to")
        let given = [from != nil || to != nil, p.string("day") != nil, p.string("week") != nil].filter { $0 }.count
        guard given <= 1 else { throw CamindexError.usage("give one of 'period' with 'date', 'day', 'week', or 'from' with 'to'", value: "period") }
        if from != nil || to != nil {
            guard let from, let to else { throw CamindexError.usage("'from' and 'to' go together", value: from == nil ? "from" : "to") }
            guard p.string("period") == nil || p.string("period") == "range", p.string("date") == nil else {
                throw CamindexError.usage("give 'period' with 'date', or 'from' with 'to'", value: "period")
            }
            return .range(from: from, to: to)
        }
        if let day = p.string("day") { return .day(day) }
        if let week = p.string("week") { return .week(week) }
        let date = p.string("date")
        switch p.string("period") ?? "day" {
        case "day": return .day(date ?? "yesterday")
        case "week": return .week(date ?? "yesterday")
        case let day where date == nil: return .day(day)
        case let other: throw CamindexError.usage("'period' is day or week (with 'date'), or a date; not '\(Names.printable(other))'", value: other)
        }
    }

    func job(_ id: String, for caller: Caller) throws -> ExportJobs.Job {
        guard let job = jobs.job(id, for: caller.account!) else {
            throw CamindexError.usage("no export '\(Names.printable(id))'", code: .exportUnknown, value: id)
        }
        return job
    }
}

struct DryRunJSON: Encodable {
    var dry_run = true
    var manifest: Exporter.Manifest
}
