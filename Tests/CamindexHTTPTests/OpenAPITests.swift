import CamindexCore
import Foundation
import Testing
@testable import CamindexHTTP

/// The OpenAPI document is the routes' contract: every route the server has is in it with its
/// method, and it names no route the server lacks.
struct OpenAPITests {
    @Test func theDocumentDescribesExactlyTheRoutes() throws {
        let document = try #require(try JSONSerialization.jsonObject(with: Data(OpenAPI.document.utf8)) as? [String: Any])
        #expect(document["openapi"] as? String == "3.1.0")
        let paths = try #require(document["paths"] as? [String: [String: Any]])
        let documented = Set(paths.flatMap { path, operations in operations.keys.map { "\($0.uppercased()) \(path)" } })
        let served = Set(API.routes.map { "\($0.method.rawValue) \($0.path)" })
        #expect(documented == served, "only documented: \(documented.subtracting(served)); only served: \(served.subtracting(documented))")
        #expect(served.count == API.routes.count, "a route twice in the table")
        // Each operation says what it answers, and its path parameters are declared.
        for (path, operations) in paths {
            for (method, operation) in operations {
                let op = try #require(operation as? [String: Any])
                #expect((op["responses"] as? [String: Any])?.isEmpty == false, "\(method) \(path)")
                let declared = Set(((op["parameters"] as? [[String: Any]]) ?? []).filter { $0["in"] as? String == "path" }.compactMap { $0["name"] as? String })
                let inPath = Set(path.matches(of: /\{([a-z]+)\}/).map { String($0.output.1) })
                #expect(declared == inPath, "\(method) \(path) declares \(declared), has \(inPath)")
            }
        }
        // References resolve.
        let components = try #require(document["components"] as? [String: [String: Any]])
        for match in OpenAPI.document.matches(of: /"\$ref": "#\/components\/([a-z]+)\/([A-Za-z]+)"/) {
            #expect(components[String(match.output.1)]?[String(match.output.2)] != nil, "\(match.output.0) does not resolve")
        }
    }

    @Test func eachFailureHasItsStatus() {
        let cases: [(CamindexError.Code, CamindexError.Kind, Int)] = [
            (.authFailed, .runtime, 401), (.authRequired, .usage, 401), (.authLocked, .runtime, 429), (.authForbidden, .usage, 403),
            (.authCSRF, .usage, 403), (.cameraUnknown, .usage, 404), (.regionUnknown, .usage, 404), (.exportUnknown, .usage, 404),
            (.thumbnailNone, .runtime, 404), (.exportExists, .usage, 409), (.timeInvalid, .usage, 400), (.auditReasonRequired, .usage, 400),
            (.invalidArgument, .usage, 400), (.provinceUnreachable, .runtime, 503), (.storeDamaged, .runtime, 503), (.storeNoSpace, .runtime, 503),
            (.provinceTimeout, .runtime, 503), (.rangeUnsatisfiable, .usage, 416), (.failed, .runtime, 500),
        ]
        for (code, kind, status) in cases {
            #expect(ErrorRenderer.status(of: CamindexError(kind, "x", code: code)).code == status, "\(code.rawValue)")
        }
        // Messages name the query's parameters, not the CLI's options; secrets stay masked.
        let e = APIErrorJSON(.usage("--max-gap must be zero or more; --from rtsp://u:secret@h/x", value: "rtsp://u:secret@h/x"))
        #expect(e.error.message == "'max_gap' must be zero or more; 'from' rtsp://u:***@h/x" && e.error.value == "rtsp://u:***@h/x", "\(e.error)")
    }

    @Test func rangesOfBytes() throws {
        #expect(try Download.parse("bytes=0-99", size: 1000) == 0...99)
        #expect(try Download.parse("bytes=900-", size: 1000) == 900...999)
        #expect(try Download.parse("bytes=-100", size: 1000) == 900...999)
        #expect(try Download.parse("bytes=-5000", size: 1000) == 0...999)
        #expect(try Download.parse("bytes=990-5000", size: 1000) == 990...999)
        #expect(try Download.parse("bytes=5-1", size: 1000) == nil, "malformed: the whole file")
        #expect(try Download.parse("bytes=0-1,5-6", size: 1000) == nil, "several ranges: the whole file")
        #expect(try Download.parse("items=0-1", size: 1000) == nil)
        #expect(throws: CamindexError.usage("", code: .rangeUnsatisfiable)) { try Download.parse("bytes=1000-", size: 1000) }
        #expect(throws: CamindexError.usage("", code: .rangeUnsatisfiable)) { try Download.parse("bytes=-0", size: 1000) }
    }

    @Test func listenAddresses() throws {
        #expect(try APIServer.Listen(parsing: "127.0.0.1:8080") == .init(host: "127.0.0.1", port: 8080))
        #expect(try APIServer.Listen(parsing: "[::1]:8443") == .init(host: "::1", port: 8443))
        #expect(try APIServer.Listen(parsing: "[::1]:8443").description == "[::1]:8443")
        #expect(try APIServer.Listen(parsing: "127.0.0.1:0").isLoopback && !(try APIServer.Listen(parsing: "10.1.2.3:80").isLoopback))
        for bad in ["8080", ":8080", "host:", "host:99999", "host:x"] {
            #expect(throws: CamindexError.self) { try APIServer.Listen(parsing: bad) }
        }
    }
}
