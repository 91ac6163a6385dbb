import CamindexCore
import CamindexService
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdAuth
import Logging
import NIOCore

/// Who a request comes from: the account its session cookie or bearer token opens.
struct APIIdentity: Sendable {
    enum Credential: Sendable {
        /// A browser's session: state-changing requests need its CSRF token.
        case session(token: String)
        case bearer
    }

    var account: UserAccount
    var credential: Credential
}

struct APIContext: AuthRequestContext, RemoteAddressRequestContext {
    var coreContext: CoreRequestContextStorage
    var identity: APIIdentity?
    let remoteAddress: SocketAddress?

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        identity = nil
        remoteAddress = source.channel.remoteAddress
    }

    /// The client's address as the audit trail keeps it.
    var remote: String { remoteAddress?.ipAddress ?? "unknown" }
}

/// Opens the account of a request from its `Authorization: Bearer` token or its session
/// cookie. A bearer token that opens nothing is refused at once (a script must hear that its
/// token is wrong); a session cookie that opens nothing leaves the request anonymous (the
/// session ended: sign in again).
struct Authenticate: AuthenticatorMiddleware {
    typealias Context = APIContext
    let api: API

    func authenticate(request: Request, context: APIContext) async throws -> APIIdentity? {
        if request.headers[.authorization] != nil {
            guard let bearer = request.headers.bearer, !bearer.token.isEmpty else {
                throw CamindexError.runtime("the Authorization header takes 'Bearer TOKEN' (a token from 'camindex user token')", code: .authFailed)
            }
            let account = try await api.blocking { service in try service.authenticate(token: bearer.token) }
            guard let account else {
                throw CamindexError.runtime("the bearer token is unknown, expired or revoked, or its user is disabled", code: .authFailed)
            }
            return APIIdentity(account: account, credential: .bearer)
        }
        guard let token = request.cookies[API.sessionCookie]?.value, !token.isEmpty else { return nil }
        let idleMs = api.idleMs
        let account = try await api.blocking { service in try service.session(token: token, idleMs: idleMs) }
        return account.map { APIIdentity(account: $0, credential: .session(token: token)) }
    }
}

/// Cross-site request forgery: a request that changes state (anything but GET and HEAD) must
/// come from the server's own origin when a browser says where it comes from (`Origin`), and,
/// when it rides on a session cookie, carry that session's CSRF token in `X-CSRF-Token`.
/// Bearer tokens are not sent by browsers on their own, so they need neither.
struct CSRFGuard: RouterMiddleware {
    typealias Context = APIContext
    static let header = HTTPField.Name("X-CSRF-Token")!

    func handle(_ request: Request, context: APIContext, next: (Request, APIContext) async throws -> Response) async throws -> Response {
        guard request.method != .get && request.method != .head else { return try await next(request, context) }
        if let origin = request.headers[.origin] {
            let host = request.head.authority ?? ""
            guard let url = URL(string: origin), let originHost = url.host, Self.authority(of: url, host: originHost) == host.lowercased() else {
                throw CamindexError.usage("a \(request.method.rawValue) from the origin \(Names.printable(origin)) is refused: this API answers changes only from its own pages",
                                          code: .authCSRF, value: origin)
            }
        }
        if case let .session(token) = context.identity?.credential {
            guard let sent = request.headers[Self.header], sent == API.csrfToken(session: token) else {
                throw CamindexError.usage("a \(request.method.rawValue) on a session needs the session's CSRF token in the X-CSRF-Token header (given at sign-in and by GET /api/v1/session)",
                                          code: .authCSRF, value: "X-CSRF-Token")
            }
        }
        return try await next(request, context)
    }

    static func authority(of url: URL, host: String) -> String {
        let defaultPort = url.scheme == "https" ? 443 : 80
        return (url.port.map { $0 == defaultPort ? host : "\(host):\($0)" } ?? host).lowercased()
    }
}

/// Headers on every answer, errors included: no framing, no sniffing, no cross-origin reads,
/// nothing cached; HSTS under TLS.
struct SecurityHeaders: RouterMiddleware {
    typealias Context = APIContext
    let secure: Bool
    let contentSecurityPolicy: String

    /// Nothing but the server's own files, and the county's tile server's images when it has one.
    init(secure: Bool, tileOrigin: String?) {
        self.secure = secure
        contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:\(tileOrigin.map { " " + $0 } ?? ""); "
            + "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    }

    func handle(_ request: Request, context: APIContext, next: (Request, APIContext) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        // A response with a policy of its own (an export's printable record) keeps it.
        if response.headers[.contentSecurityPolicy] == nil { response.headers[.contentSecurityPolicy] = contentSecurityPolicy }
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[HTTPField.Name("X-Frame-Options")!] = "DENY"
        response.headers[HTTPField.Name("Referrer-Policy")!] = "no-referrer"
        response.headers[HTTPField.Name("Cross-Origin-Opener-Policy")!] = "same-origin"
        response.headers[HTTPField.Name("Cross-Origin-Resource-Policy")!] = "same-origin"
        if response.headers[.cacheControl] == nil { response.headers[.cacheControl] = "no-store" }
        if secure { response.headers[.strictTransportSecurity] = "max-age=31536000" }
        return response
    }
}

/// Every failure as `{"error": {"code", "message", "value"}}` with its HTTP status; never a
/// stack trace or a driver's words: an error that is not camindex's is logged and answered as
/// an internal error.
struct ErrorRenderer: RouterMiddleware {
    typealias Context = APIContext
    let logger: Logger

    func handle(_ request: Request, context: APIContext, next: (Request, APIContext) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let e = Self.camindexError(error, path: request.uri.path)
            let status = Self.status(of: e)
            if status == .internalServerError {
                logger.error("\(request.method.rawValue) \(request.uri.path): \(Redaction.redactSecrets(ErrorText.of(error)))")
            }
            var response = API.json(APIErrorJSON(e), status: status)
            if e.code == .authRequired || (e.code == .authFailed && request.headers[.authorization] != nil) {
                response.headers[.wwwAuthenticate] = "Bearer realm=\"camindex\""
            }
            return response
        }
    }

    static func camindexError(_ error: any Error, path: String) -> CamindexError {
        switch error {
        case let e as CamindexError: return e
        case let e as any CamindexErrorConvertible: return e.camindexError
        case let e as HTTPError:
            switch e.status {
            case .notFound, .methodNotAllowed:
                return .usage("no route \(Names.printable(path)) for this method: see /api/v1/openapi.json", code: .routeUnknown, value: path)
            case .unauthorized: return .usage("sign in first (POST /api/v1/session) or give a bearer token", code: .authRequired)
            case .contentTooLarge: return .usage("the request body is too large", value: path)
            default:
                return e.status.code < 500 ? .usage(e.body ?? e.status.reasonPhrase, value: path)
                    : .runtime("internal error (logged at the server)")
            }
        case is DecodingError:
            return .usage("the request body is not the JSON this route takes: see /api/v1/openapi.json", value: path)
        default:
            return .runtime("internal error (logged at the server)")
        }
    }

    /// The HTTP status of each kind of failure.
    static func status(of e: CamindexError) -> HTTPResponse.Status {
        switch e.code {
        case .authFailed, .authRequired: return .unauthorized
        case .authLocked: return .tooManyRequests
        case .authForbidden, .authCSRF: return .forbidden
        case .exportExists, .exportBusy: return .conflict
        case .rangeUnsatisfiable: return .rangeNotSatisfiable
        case .routeUnknown, .exportUnknown, .thumbnailNone, .footageNone: return .notFound
        case .storeMissing, .storeNewer, .storeDamaged, .storeFailed, .storeReadOnly, .storeNoSpace,
             .provinceFailed, .provinceUnreachable, .provinceAuthFailed, .provinceTLS, .provinceTimeout, .exportNoSpace:
            return .serviceUnavailable
        default:
            if e.code.rawValue.hasSuffix(".unknown") { return .notFound }
            return e.kind == .usage ? .badRequest : .internalServerError
        }
    }
}

struct APIErrorJSON: Encodable {
    struct Body: Codable, Sendable { var code, message: String; var value: String? }
    var error: Body

    init(_ e: CamindexError) {
        error = Body(code: e.code.rawValue, message: Redaction.redactSecrets(Self.parameterNames(e.message)), value: e.value.map(Redaction.redactSecrets))
    }

    /// The service's messages name the CLI's options (`--max-gap`); over HTTP they are the
    /// query's parameters (`max_gap`).
    static func parameterNames(_ message: String) -> String {
        message.replacing(/--([a-z][a-z-]*)/) { "'" + $0.output.1.replacingOccurrences(of: "-", with: "_") + "'" }
    }
}
