import CamindexCore
import CamindexService
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdAuth
import Logging
import NIOCore
import NIOPosix
import Synchronization

/// The routes of `/api/v1` and what they share: the service call made as the signed-in user
/// on a thread of its own, the audit invocation, query parameters, JSON answers.
final class API: Sendable {
    let service: IndexService
    /// One service per request thread (a province's connection each; a county's store shared).
    let services: Mutex<[IndexService]>
    let pool: BlockingPool
    let jobs: ExportJobs
    let idleMs: Int64
    /// Under TLS: the session cookie is `Secure`.
    let secure: Bool
    let timeout: Duration
    let page: PageSettings
    let logger: Logger

    static let sessionCookie = "camindex_session"
    static let reasonHeader = HTTPField.Name("X-Camindex-Reason")!

    init(service: IndexService, pool: BlockingPool, jobs: ExportJobs, idleMs: Int64, secure: Bool, timeout: Duration, page: PageSettings, logger: Logger) {
        self.service = service
        services = Mutex((0..<pool.threads).map { _ in (try? service.withOwnConnection()) ?? service })
        self.pool = pool
        self.jobs = jobs
        self.idleMs = idleMs
        self.secure = secure
        self.timeout = timeout
        self.page = page
        self.logger = logger
    }

    func router() -> Router<APIContext> {
        let router = Router(context: APIContext.self)
        router.add(middleware: SecurityHeaders(secure: secure, tileOrigin: page.tileOrigin))
        router.add(middleware: ErrorRenderer(logger: logger))
        router.add(middleware: Authenticate(api: self))
        router.add(middleware: CSRFGuard())
        for route in Self.routes + Self.pageRoutes {
            let handler = route.handler
            router.on(RouterPath(route.path), method: route.method) { [self] request, context in
                try await handler(self, request, context)
            }
        }
        return router
    }

    /// A service call as the server (sign-in, session lookups), off the event loops.
    func blocking<T: Sendable>(_ body: @escaping @Sendable (IndexService) throws -> T) async throws -> T {
        try await bounded { try await self.pool.perform { try self.withService { try body($0) } } }
    }

    /// A service of its own for the calling thread while `body` runs.
    func withService<T>(_ body: (IndexService) throws -> T) throws -> T {
        let own = services.withLock { $0.popLast() }
        defer { if let own { services.withLock { $0.append(own) } } }
        return try body(own ?? service)
    }

    /// A service call as the request's user: refused without one; the audit row names the
    /// user, their role, the remote address and the request.
    func asUser<T: Sendable>(_ request: Request, _ context: APIContext,
                             _ body: @escaping @Sendable (IndexService, Parameters) throws -> T) async throws -> T {
        let caller = try caller(request, context)
        let parameters = Parameters(request)
        return try await bounded { try await self.pool.perform { try self.withService { try body($0.acting(as: caller), parameters) } } }
    }

    func caller(_ request: Request, _ context: APIContext) throws -> Caller {
        guard let identity = context.identity else {
            throw CamindexError.usage("sign in first (POST /api/v1/session) or give a bearer token", code: .authRequired)
        }
        let account = identity.account
        return Caller.user(account, invocation: ["\(request.method.rawValue) \(request.uri.description)", "role \(account.role.rawValue)", "from \(context.remote)"])
    }

    /// Past `timeout` the request is answered with 503; the service call it waits for ends on
    /// its own statement deadlines (SQLite's busy timeout, PostgreSQL's statement_timeout).
    func bounded<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> T {
        let timeout = timeout
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await body() }
            group.addTask {
                try await Self.sleep(timeout)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let value = first else {
                throw CamindexError.runtime("the store did not answer within \(timeout.components.seconds) s", code: .storeFailed)
            }
            return value
        }
    }

    /// A sleep whose cancellation frees its timer at once: a cancelled `Task.sleep` keeps its
    /// timer until the deadline, and a deadline of a minute per request held ~100 MB at 2,000
    /// requests a second (BENCHMARKS.md). An event loop's scheduled task is taken off its heap.
    static func sleep(_ duration: Duration) async throws {
        let scheduled = NIOSingletons.posixEventLoopGroup.any()
            .scheduleTask(in: .nanoseconds(duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000)) {}
        try await withTaskCancellationHandler {
            try await scheduled.futureResult.get()
        } onCancel: {
            scheduled.cancel()
        }
    }

    /// The CLI's JSON values, compact: a township's day is 626 KB pretty-printed.
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes, .sortedKeys]
        return encoder
    }()

    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) -> Response {
        let data = (try? encoder.encode(value)) ?? Data(#"{"error":{"code":"runtime.failed","message":"internal error"}}"#.utf8)
        return json(data: data, status: status)
    }

    static func json(data: Data, status: HTTPResponse.Status = .ok) -> Response {
        json(buffer: ByteBuffer(bytes: data), status: status)
    }

    static func json(buffer: ByteBuffer, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json; charset=utf-8"], body: .init(byteBuffer: buffer))
    }

    /// A service call as the request's user whose answer is JSON, encoded on the call's thread
    /// too: a large answer must not hold one of the two cooperative threads every request needs.
    func answer<T: Encodable>(_ request: Request, _ context: APIContext,
                              _ body: @escaping @Sendable (IndexService, Parameters) throws -> T) async throws -> Response {
        API.json(data: try await asUser(request, context) { service, p in try API.encoder.encode(try body(service, p)) })
    }

    /// The CSRF token of a session: derived from the session's secret, so nothing more is kept.
    static func csrfToken(session: String) -> String { String(PasswordHash.tokenDigest("csrf " + session).prefix(32)) }
}

/// A request's query parameters: each route names those it takes, and any other is refused
/// by name (a misspelt `form=` must not quietly mean "no start").
struct Parameters: Sendable {
    let values: [(String, String)]
    let reasonHeader: String?

    init(_ request: Request) {
        values = request.uri.queryParameters.map { (String($0.key), String($0.value)) }
        // Header values are ASCII: a Chinese reason comes percent-encoded.
        reasonHeader = request.headers[API.reasonHeader].map { $0.removingPercentEncoding ?? $0 }
    }

    func allow(_ names: Set<String>) throws {
        for (name, _) in values where !names.contains(name) {
            throw CamindexError.usage("unknown parameter '\(Names.printable(name))': this route takes \(names.sorted().map { "'\($0)'" }.joined(separator: ", "))",
                                      value: name)
        }
    }

    func string(_ name: String) -> String? { values.last { $0.0 == name }?.1 }

    func required(_ name: String) throws -> String {
        guard let value = string(name), !value.isEmpty else { throw CamindexError.usage("the parameter '\(name)' is required", value: name) }
        return value
    }

    /// Every value of a repeatable parameter; a comma also separates them.
    func list(_ name: String) -> [String] {
        values.filter { $0.0 == name }.flatMap { $0.1.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) } }
            .filter { !$0.isEmpty }
    }

    func flag(_ name: String) throws -> Bool {
        guard let value = string(name) else { return false }
        switch value.lowercased() {
        case "", "1", "true", "yes": return true
        case "0", "false", "no": return false
        default: throw CamindexError.usage("the parameter '\(name)' is true or false (1 or 0), not '\(Names.printable(value))'", value: value)
        }
    }

    func number(_ name: String) throws -> Double? {
        guard let text = string(name) else { return nil }
        guard let value = Double(text), value.isFinite else {
            throw CamindexError.usage("the parameter '\(name)' is a number, not '\(Names.printable(text))'", value: text)
        }
        return value
    }

    func integer(_ name: String, in range: ClosedRange<Int>) throws -> Int? {
        guard let text = string(name) else { return nil }
        guard let value = Int(text), range.contains(value) else {
            throw CamindexError.usage("the parameter '\(name)' is a whole number from \(range.lowerBound) to \(range.upperBound), not '\(Names.printable(text))'", value: text)
        }
        return value
    }

    /// `reason` or the `X-Camindex-Reason` header.
    var reason: String? { string("reason") ?? reasonHeader }

    /// Which cameras: `region`, `camera` (repeatable, or comma-separated) or `near` with `radius`.
    func selector() throws -> CameraSelector {
        let region = string("region"), cameras = list("camera"), near = string("near")
        guard [region != nil, !cameras.isEmpty, near != nil].filter({ $0 }).count == 1 else {
            throw CamindexError.usage("say which cameras with exactly one of 'region', 'camera' or 'near' (with 'radius')", value: "region")
        }
        if near == nil, string("radius") != nil { throw CamindexError.usage("'radius' goes with 'near'", value: "radius") }
        if let region { return .region(region) }
        if let near {
            guard let radius = try number("radius") else { throw CamindexError.usage("'near' needs 'radius' in metres", value: "radius") }
            guard radius > 0 else { throw CamindexError.usage("'radius' must be a positive number of metres", value: "\(radius)") }
            return .near(try Coordinate(parsing: near), radiusM: radius)
        }
        return .cameras(cameras)
    }

    static let selection: Set<String> = ["region", "camera", "near", "radius"]
    static let times: Set<String> = ["from", "to", "date", "timezone"]
}
