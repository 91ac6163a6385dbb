import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `camindex serve` on a port of its own (`--listen 127.0.0.1:0`, the port read from its log),
/// and an HTTP client for it that keeps no cookies of its own: tests send what they mean to.
public final class ServedAPI: @unchecked Sendable {
    public let process: Process
    public let base: String
    public let log: String

    /// `command` is `serve`, or `daemon` (whose `--http` is then given the address).
    public init(db: String, command: String = "serve", arguments: [String] = [], logDir: String, env: [String: String] = [:]) throws {
        log = logDir + "/serve-\(UUID().uuidString.prefix(8)).log"
        FileManager.default.createFile(atPath: log, contents: nil)
        process = Process()
        process.executableURL = URL(fileURLWithPath: CLI.binary)
        let listen = command == "serve" ? "--listen" : "--http"
        process.arguments = ["--db", db, command] + (arguments.contains(listen) ? [] : [listen, "127.0.0.1:0"]) + arguments
        var environment = ProcessInfo.processInfo.environment
        for (k, v) in env { environment[k] = v }
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        try process.run()
        let deadline = Date().addingTimeInterval(30)
        var found: String?
        while found == nil && Date() < deadline && process.isRunning {
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            if let match = text.firstMatch(of: /listening on (https?:\/\/[^\s]+)/) { found = String(match.output.1) }
            else { usleep(50_000) }
        }
        guard let found else {
            process.terminate()
            throw FootageError("camindex \(command) did not start: \((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")
        }
        base = found
    }

    public var logText: String { (try? String(contentsOfFile: log, encoding: .utf8)) ?? "" }

    /// Sends `signal` and waits for the exit: its status and how long it took.
    @discardableResult
    public func stop(_ signal: Int32 = SIGTERM, timeout: TimeInterval = 20) -> (status: Int32, seconds: Double) {
        let start = Date()
        guard process.isRunning else { return (process.terminationStatus, 0) }
        kill(process.processIdentifier, signal)
        while process.isRunning && Date().timeIntervalSince(start) < timeout { usleep(10_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() }
        return (process.terminationStatus, Date().timeIntervalSince(start))
    }

    deinit { if process.isRunning { stop(SIGKILL) } }

    public struct Answer: Sendable {
        public var status: Int
        public var headers: [String: String]
        public var body: Data
        public var text: String { String(decoding: body, as: UTF8.self) }
        public func header(_ name: String) -> String? { headers.first { $0.key.lowercased() == name.lowercased() }?.value }
        /// The JSON body.
        public func json() throws -> Any { try JSONSerialization.jsonObject(with: body, options: [.fragmentsAllowed]) }
        /// The code of an error answer.
        public var errorCode: String? { ((try? json()) as? [String: Any]).flatMap { $0["error"] as? [String: Any] }?["code"] as? String }
    }

    /// One request; `path` starts with `/` and is sent as given (percent-encode what needs it).
    public func request(_ method: String = "GET", _ path: String, headers: [String: String] = [:], body: Data? = nil) throws -> Answer {
        try Self.request(method, base + path, headers: headers, body: body)
    }

    public func get(_ path: String, token: String? = nil, headers: [String: String] = [:]) throws -> Answer {
        var headers = headers
        if let token { headers["Authorization"] = "Bearer \(token)" }
        return try request("GET", path, headers: headers)
    }

    public func post(_ path: String, json: Any, token: String? = nil, headers: [String: String] = [:]) throws -> Answer {
        var headers = headers
        headers["Content-Type"] = "application/json"
        if let token { headers["Authorization"] = "Bearer \(token)" }
        return try request("POST", path, headers: headers, body: try JSONSerialization.data(withJSONObject: json))
    }

    static let session: URLSession = {
        let config = URLSessionConfiguration.ephemeral
        config.httpShouldSetCookies = false
        config.httpCookieAcceptPolicy = .never
        config.timeoutIntervalForRequest = 60
        config.requestCachePolicy = .reloadIgnoringLocalCacheData
        return URLSession(configuration: config)
    }()

    public static func request(_ method: String, _ url: String, headers: [String: String] = [:], body: Data? = nil) throws -> Answer {
        guard let target = URL(string: url) else { throw FootageError("not a URL: \(url)") }
        var request = URLRequest(url: target)
        request.httpMethod = method
        request.httpBody = body
        for (k, v) in headers { request.setValue(v, forHTTPHeaderField: k) }
        let done = DispatchSemaphore(value: 0)
        let result = Mutexed<Result<Answer, any Error>?>(nil)
        session.dataTask(with: request) { data, response, error in
            if let error { result.value = .failure(error) } else if let http = response as? HTTPURLResponse {
                var headers: [String: String] = [:]
                for (k, v) in http.allHeaderFields { headers["\(k)"] = "\(v)" }
                result.value = .success(Answer(status: http.statusCode, headers: headers, body: data ?? Data()))
            }
            done.signal()
        }.resume()
        guard done.wait(timeout: .now() + 90) == .success, let answer = result.value else { throw FootageError("\(method) \(url): no answer in 90 s") }
        return try answer.get()
    }

    /// Percent-encodes a query value (Chinese names, `+` in offsets).
    public static func q(_ value: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~:")
        return value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value
    }
}
