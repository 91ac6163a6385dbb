import Foundation

/// GStreamer's RTSP server on loopback (Scripts/rtsp-test-server): /cam0…/camN-1, and /secure
/// behind admin:secret. Stopped when the value goes away.
public final class RTSPTestServer: @unchecked Sendable {
    public let port: Int
    private let process: Process

    /// `patterns`: also /NAME for each (videotestsrc patterns such as black or snow, `frozen`,
    /// `smpte` moving): pictures for video quality diagnosis.
    public init(mounts: Int = 2, gop: Int = 25, fps: Int = 25, patterns: [String] = []) throws {
        port = try freePort()
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = [CLI.packageRoot + "/Scripts/rtsp-test-server", "--port", "\(port)", "--mounts", "\(mounts)",
                             "--gop", "\(gop)", "--fps", "\(fps)", "--width", "320", "--height", "180", "--auth", "admin:secret"]
            + patterns.flatMap { ["--pattern", $0] }
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        // "ready" once it listens.
        let line = out.fileHandleForReading.availableData
        guard String(decoding: line, as: UTF8.self).contains("ready") else {
            process.terminate()
            throw FootageError("the RTSP test server did not start (is gir1.2-gst-rtsp-server-1.0 installed? Scripts/setup --test)")
        }
    }

    public func url(_ mount: String) -> String { "rtsp://127.0.0.1:\(port)/\(mount)" }

    deinit {
        // SIGKILL: a child of the test process may inherit a mask that blocks SIGTERM.
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}

/// A TCP port that accepts connections and never says a word: a camera that hangs.
public final class SilentServer: @unchecked Sendable {
    public let port: Int
    private let fd: Int32

    public init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.fd = fd
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) == 0 && listen(fd, 512) == 0 && getsockname(fd, $0, &len) == 0 }
        }
        guard bound else { throw FootageError("cannot listen on loopback") }
        port = Int(UInt16(bigEndian: addr.sin_port))
    }

    deinit { close(fd) }
}

/// A loopback port nobody listens on (connections are refused).
public func closedPort() throws -> Int { try freePort() }

func freePort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    var len = socklen_t(MemoryLayout<sockaddr_in>.size)
    let ok = withUnsafeMutablePointer(to: &addr) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) == 0 && getsockname(fd, $0, &len) == 0 }
    }
    guard ok else { throw FootageError("no free port") }
    return Int(UInt16(bigEndian: addr.sin_port))
}

/// Python's HTTP server on loopback over a directory: HLS playlists and HTTP-FLV files.
public final class HTTPTestServer: @unchecked Sendable {
    public let port: Int
    private let process: Process

    public init(directory: String) throws {
        port = try freePort()
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = ["-m", "http.server", "\(port)", "--bind", "127.0.0.1", "--directory", directory]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Ready when it accepts a connection.
        for _ in 0..<100 {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var addr = sockaddr_in()
            addr.sin_family = sa_family_t(AF_INET)
            addr.sin_addr.s_addr = inet_addr("127.0.0.1")
            addr.sin_port = in_port_t(UInt16(port).bigEndian)
            let ok = withUnsafePointer(to: &addr) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
            }
            close(fd)
            if ok { return }
            usleep(50_000)
        }
        throw FootageError("the HTTP test server did not start")
    }

    public func url(_ path: String) -> String { "http://127.0.0.1:\(port)/\(path)" }

    deinit {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}
