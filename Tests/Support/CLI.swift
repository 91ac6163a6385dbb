import Foundation

/// Runs the built `camindex` binary, as cron jobs and technicians do.
public enum CLI {
    public struct Result: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String
        public var all: String { stdout + stderr }
    }

    /// The binary SwiftPM built next to the test bundle.
    public static var binary: String {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var dir = URL(fileURLWithPath: exe).deletingLastPathComponent()
        if dir.lastPathComponent == "MacOS" || dir.pathExtension == "xctest" { dir = dir.deletingLastPathComponent() }
        return dir.appendingPathComponent("camindex").path
    }

    /// A copy of `binary` that any user can run: the clone may sit under a directory only its
    /// owner can enter (`mktemp -d` makes them 0700). Made once per test process.
    static let binaryForAnyUser: String = {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("camindex-bin-\(getpid())").path
        let copy = dir + "/camindex"
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        try? FileManager.default.removeItem(atPath: copy)
        guard (try? FileManager.default.copyItem(atPath: binary, toPath: copy)) != nil else { return binary }
        chmod(dir, 0o755)
        chmod(copy, 0o755)
        return copy
    }()

    /// The package root, for files shipped in the repository (Cameras/).
    public static let packageRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" && !FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) {
            url.deleteLastPathComponent()
        }
        return url.path
    }()

    @discardableResult
    /// `asUser` runs it as another OS user through runuser(1) (the tests run as root in CI).
    public static func run(_ args: [String], env: [String: String] = [:], cwd: String? = nil, asUser: String? = nil) throws -> Result {
        let p = Process()
        if let asUser {
            p.executableURL = URL(fileURLWithPath: "/usr/sbin/runuser")
            p.arguments = ["-u", asUser, "--", binaryForAnyUser] + args
        } else {
            p.executableURL = URL(fileURLWithPath: binary)
            p.arguments = args
        }
        var environment = ProcessInfo.processInfo.environment
        environment["CAMINDEX_DB"] = nil
        for (k, v) in env { environment[k] = v }
        p.environment = environment
        if let cwd { p.currentDirectoryURL = URL(fileURLWithPath: cwd) }
        return try p.runCollectingOutput()
    }

    /// Parses JSON output.
    public static func json(_ text: String) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(text.utf8))
    }
}

final class Mutexed<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: T
    private var finished = false
    init(_ v: T) { stored = v }
    var value: T {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue; finished = true } }
    }
    var done: Bool { lock.withLock { finished } }
}
