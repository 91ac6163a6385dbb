import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Headless Chromium driven over WebDriver (Debian's `chromium` and `chromium-driver`, which
/// `Scripts/setup --test` installs): chromedriver on a port of its own, one browser session,
/// the few commands the page's tests need.
public final class Browser: @unchecked Sendable {
    let driver: Process
    let driverURL: String
    let session: String
    public let downloads: String
    let log: String

    public init(logDir: String, downloads: String, language: String = "zh-CN", size: (Int, Int) = (1400, 1000)) throws {
        log = logDir + "/chromedriver-\(UUID().uuidString.prefix(8)).log"
        FileManager.default.createFile(atPath: log, contents: nil)
        try FileManager.default.createDirectory(atPath: downloads, withIntermediateDirectories: true)
        self.downloads = downloads
        driver = Process()
        driver.executableURL = URL(fileURLWithPath: try Self.which("chromedriver"))
        driver.arguments = ["--port=0"]
        driver.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        driver.standardError = FileHandle.nullDevice
        try driver.run()
        let deadline = Date().addingTimeInterval(20)
        var port: String?
        while port == nil && Date() < deadline && driver.isRunning {
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            if let match = text.firstMatch(of: /started successfully on port (\d+)/) { port = String(match.output.1) } else { usleep(50_000) }
        }
        guard let port else {
            driver.terminate()
            throw FootageError("chromedriver did not start: \((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")
        }
        driverURL = "http://127.0.0.1:\(port)"
        let chromium = try Self.which("chromium")
        let capabilities: [String: Any] = ["capabilities": ["alwaysMatch": [
            "browserName": "chrome",
            "goog:chromeOptions": [
                "binary": chromium,
                // The tests run as root in CI, where Chromium's sandbox cannot start.
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--lang=\(language)",
                         "--window-size=\(size.0),\(size.1)", "--no-first-run", "--disable-extensions"],
                "prefs": ["download.default_directory": downloads, "download.prompt_for_download": false, "intl.accept_languages": language],
            ] as [String: Any],
            "goog:loggingPrefs": ["browser": "ALL"],
        ] as [String: Any]]]
        let answer = try Self.call("POST", driverURL + "/session", capabilities)
        guard let value = answer as? [String: Any], let id = value["sessionId"] as? String else {
            driver.terminate()
            throw FootageError("chromedriver made no session: \(answer)")
        }
        session = id
        _ = try command("POST", "/goog/cdp/execute", ["cmd": "Browser.setDownloadBehavior", "params": ["behavior": "allow", "downloadPath": downloads]])
    }

    deinit { quit() }

    public func quit() {
        guard driver.isRunning else { return }
        _ = try? Self.call("DELETE", driverURL + "/session/" + session, nil)
        driver.terminate()
        let deadline = Date().addingTimeInterval(5)
        while driver.isRunning && Date() < deadline { usleep(20_000) }
        if driver.isRunning { kill(driver.processIdentifier, SIGKILL) }
    }

    static func which(_ name: String) throws -> String {
        for dir in ["/usr/bin", "/usr/local/bin", "/usr/lib/chromium"] where FileManager.default.isExecutableFile(atPath: dir + "/" + name) {
            return dir + "/" + name
        }
        throw FootageError("\(name) is not installed: run Scripts/setup --test")
    }

    /// A WebDriver command of this session: its `value`; a WebDriver error is thrown with its message.
    @discardableResult
    public func command(_ method: String, _ path: String, _ body: Any? = nil) throws -> Any? {
        try Self.call(method, driverURL + "/session/" + session + path, body ?? (method == "POST" ? [String: Any]() : nil))
    }

    static func call(_ method: String, _ url: String, _ body: Any?) throws -> Any? {
        let data = try body.map { try JSONSerialization.data(withJSONObject: $0) }
        let (status, answer) = try exchange(method, url, body: data)
        let json = try JSONSerialization.jsonObject(with: answer) as? [String: Any]
        let value = json?["value"]
        if status >= 400 {
            let error = value as? [String: Any]
            throw WebDriverError(code: error?["error"] as? String ?? "http \(status)", message: error?["message"] as? String ?? String(decoding: answer, as: UTF8.self))
        }
        return value is NSNull ? nil : value
    }

    /// One HTTP/1.1 exchange on a socket of its own. Not URLSession: chromedriver writes its
    /// headers without a space after the colon, which FoundationNetworking refuses.
    static func exchange(_ method: String, _ url: String, body: Data?) throws -> (Int, Data) {
        guard let match = url.firstMatch(of: /^http:\/\/127\.0\.0\.1:(\d+)(\/.*)$/), let port = UInt16(match.output.1) else {
            throw FootageError("not a loopback URL: \(url)")
        }
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw FootageError("socket: \(errno)") }
        defer { close(fd) }
        var timeout = timeval(tv_sec: 120, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard connected == 0 else { throw FootageError("connect to \(url): \(errno)") }
        var request = Data("\(method) \(match.output.2) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: \(body?.count ?? 0)\r\n\r\n".utf8)
        if let body { request.append(body) }
        try request.withUnsafeBytes { raw in
            var sent = 0
            while sent < raw.count {
                let n = send(fd, raw.baseAddress! + sent, raw.count - sent, 0)
                guard n > 0 else { throw FootageError("send to \(url): \(errno)") }
                sent += n
            }
        }
        // Read to the end of the body its Content-Length gives: chromedriver keeps the connection open.
        var response = Data()
        var buffer = [UInt8](repeating: 0, count: 65_536)
        var expected: Int?
        var headerEnd: Range<Data.Index>?
        while expected.map({ response.count < $0 }) ?? true {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n < 0 { throw FootageError("no answer from \(url) (errno \(errno))") }
            if n == 0 { break }
            response.append(contentsOf: buffer[0..<n])
            if headerEnd == nil, let end = response.range(of: Data("\r\n\r\n".utf8)) {
                headerEnd = end
                let head = String(decoding: response[..<end.lowerBound], as: UTF8.self).lowercased()
                if let length = head.firstMatch(of: /content-length:\s*(\d+)/) { expected = end.upperBound + Int(length.output.1)! }
            }
        }
        guard let split = headerEnd ?? response.range(of: Data("\r\n\r\n".utf8)),
              let line = String(data: response[..<split.lowerBound], encoding: .utf8)?.split(separator: "\r\n").first,
              let status = Int(line.split(separator: " ").dropFirst().first ?? "") else {
            throw FootageError("not an HTTP answer from \(url)")
        }
        return (status, Data(response[split.upperBound...]))
    }

    public func go(_ url: String) throws { try command("POST", "/url", ["url": url]) }

    public var url: String { get throws { try command("GET", "/url") as? String ?? "" } }

    /// Runs `script` in the page (`arguments[0]`… are `args`) and gives what it returns.
    @discardableResult
    public func run(_ script: String, _ args: [Any] = []) throws -> Any? {
        try command("POST", "/execute/sync", ["script": script, "args": args])
    }

    /// Polls `script` until it returns something other than null, false or an empty string.
    @discardableResult
    public func wait(for script: String, _ args: [Any] = [], timeout: TimeInterval = 30, what: String) throws -> Any {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if let value = try run(script, args) {
                if let flag = value as? Bool { if flag { return flag } } else if let text = value as? String { if !text.isEmpty { return text } } else { return value }
            }
            guard Date() < deadline else {
                let shot = downloads + "/../failed-\(what.filter { $0.isLetter || $0.isNumber }).png"
                try? screenshot(to: shot)
                throw FootageError("waited \(Int(timeout)) s for \(what) (screenshot \(shot)) at \((try? url) ?? ""); the page shows: \((try? run("return document.body.innerText")) as? String ?? "")")
            }
            usleep(100_000)
        }
    }

    public func element(_ css: String) throws -> [String: Any] {
        guard let found = try command("POST", "/element", ["using": "css selector", "value": css]) as? [String: Any] else {
            throw FootageError("no element \(css)")
        }
        return found
    }

    public func click(_ css: String) throws {
        let id = try element(css).values.first as! String
        try command("POST", "/element/\(id)/click")
    }

    /// Types `text` into the element (after clearing it).
    public func type(_ css: String, _ text: String) throws {
        let id = try element(css).values.first as! String
        try command("POST", "/element/\(id)/clear")
        try command("POST", "/element/\(id)/value", ["text": text])
    }

    /// A mouse press at one point of the viewport, moves, and a release at another.
    public func drag(from: (Double, Double), to: (Double, Double)) throws {
        let actions: [[String: Any]] = [
            ["type": "pointerMove", "duration": 0, "origin": "viewport", "x": Int(from.0), "y": Int(from.1)],
            ["type": "pointerDown", "button": 0],
            ["type": "pointerMove", "duration": 150, "origin": "viewport", "x": Int((from.0 + to.0) / 2), "y": Int((from.1 + to.1) / 2)],
            ["type": "pointerMove", "duration": 150, "origin": "viewport", "x": Int(to.0), "y": Int(to.1)],
            ["type": "pointerUp", "button": 0],
        ]
        try command("POST", "/actions", ["actions": [["type": "pointer", "id": "mouse", "parameters": ["pointerType": "mouse"], "actions": actions]]])
        try command("DELETE", "/actions")
    }

    /// The text of an open alert, confirm or prompt; nil when none is open.
    public func alertText() throws -> String? {
        do { return try command("GET", "/alert/text") as? String } catch let e as WebDriverError where e.code == "no such alert" { return nil }
    }

    public func screenshot(to path: String) throws {
        guard let base64 = try command("GET", "/screenshot") as? String, let png = Data(base64Encoded: base64) else {
            throw FootageError("no screenshot")
        }
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try png.write(to: URL(fileURLWithPath: path))
    }

    /// The browser's console lines since the last call.
    public func consoleLog() throws -> [String] {
        let entries = try command("POST", "/se/log", ["type": "browser"]) as? [[String: Any]] ?? []
        return entries.map { "\($0["level"] ?? "") \($0["message"] ?? "")" }
    }
}

public struct WebDriverError: Error, CustomStringConvertible {
    public var code, message: String
    public var description: String { "WebDriver \(code): \(message)" }
}
