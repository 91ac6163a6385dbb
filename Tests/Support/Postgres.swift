import Foundation

/// A PostgreSQL server of its own for a test suite (Debian's `postgresql`, Scripts/setup
/// --test): `initdb -A trust` in a temp directory, `pg_ctl start` on 127.0.0.1 and a free
/// port, `pg_ctl stop -m fast` and the directory removed when the value goes away. PostgreSQL
/// refuses to run as root: as root the tools run as the unprivileged user `postgres` (made by
/// the package) through runuser(1), the directory chowned to it; as anyone else, directly.
/// Tests make a database each (`createDatabase`), which is much faster than a server each.
public final class PostgresTestServer: @unchecked Sendable {
    public static let binDirectory = "/usr/lib/postgresql/15/bin"

    public let port: Int
    /// The role initdb made: the OS user the server runs as.
    public let user: String
    private let dir: String
    private var dataDir: String { dir + "/data" }
    private let lock = NSLock()
    private var databases = 0
    private var reloads = 0

    /// The server of this test process, started on first use and stopped when the process
    /// exits (tests that stop and start a server make their own).
    public static func shared() throws -> PostgresTestServer {
        try sharedLock.withLock {
            if let server = sharedServer { return server }
            let server = try PostgresTestServer()
            sharedServer = server
            atexit { PostgresTestServer.sharedServer?.shutdown() }
            return server
        }
    }

    private static let sharedLock = NSLock()
    nonisolated(unsafe) private static var sharedServer: PostgresTestServer?

    public init() throws {
        guard FileManager.default.isExecutableFile(atPath: Self.binDirectory + "/initdb") else {
            throw FootageError("no PostgreSQL at \(Self.binDirectory) (Scripts/setup --test installs Debian's postgresql)")
        }
        dir = FileManager.default.temporaryDirectory.path + "/camindex-pg-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        if getuid() == 0 {
            user = "postgres"
            guard let pw = getpwnam(user) else { throw FootageError("running as root and there is no user 'postgres' to run PostgreSQL as") }
            guard chown(dir, pw.pointee.pw_uid, pw.pointee.pw_gid) == 0 else { throw FootageError("cannot chown \(dir) to postgres") }
        } else {
            user = String(cString: getpwuid(getuid()).pointee.pw_name)
        }
        port = try freePort()
        try Self.tool("initdb", ["-D", dataDir, "-A", "trust", "-U", user, "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"])
        try Self.tool("pg_ctl", ["start", "-D", dataDir, "-w", "-t", "30", "-l", dir + "/server.log",
                                 "-o", "-k \(dir) -c listen_addresses=127.0.0.1 -p \(port) -c fsync=off -c synchronous_commit=off -c full_page_writes=off"])
    }

    /// A new empty database; its URL.
    public func createDatabase() throws -> String {
        let name = lock.withLock { databases += 1; return "t\(databases)" }
        try admin("CREATE DATABASE \(name)")
        return url(database: name)
    }

    /// Runs SQL as the superuser over the server's Unix socket, which initdb's `trust` lets in
    /// whatever `setHBA` asks of TCP clients.
    @discardableResult
    public func admin(_ sql: String) throws -> String {
        try Self.tool("psql", ["-h", dir, "-p", "\(port)", "-U", user, "-d", "postgres", "-At", "-q", "-v", "ON_ERROR_STOP=1", "-c", sql])
    }

    /// Turns TLS on with this certificate and key (PEM files, copied into the data directory,
    /// the key 0600 and owned by the server's user as PostgreSQL demands), by a reload.
    public func enableTLS(certificate: String, key: String) throws {
        for (from, to, mode) in [(certificate, "server.crt", 0o644), (key, "server.key", 0o600)] {
            let path = dataDir + "/" + to
            try? FileManager.default.removeItem(atPath: path)
            try FileManager.default.copyItem(atPath: from, toPath: path)
            try own(path, mode: mode)
        }
        try admin("ALTER SYSTEM SET ssl = on")
        try reload()
    }

    /// Replaces pg_hba.conf with `lines` (a Unix-socket `trust` line is kept first, for `admin`), by a reload.
    public func setHBA(_ lines: [String]) throws {
        let path = dataDir + "/pg_hba.conf"
        try (["local all all trust"] + lines).joined(separator: "\n").appending("\n").write(toFile: path, atomically: true, encoding: .utf8)
        try own(path, mode: 0o600)
        try reload()
    }

    /// pg_reload_conf only signals the postmaster: a marker setting changed with it tells when
    /// new connections see the reloaded files (each new backend starts from the postmaster's).
    private func reload() throws {
        let marker = lock.withLock { reloads += 1; return 100_000 + reloads }
        try admin("ALTER SYSTEM SET log_min_duration_statement = \(marker)")
        try admin("SELECT pg_reload_conf()")
        for _ in 0..<100 {
            if try admin("SHOW log_min_duration_statement") == "\(marker)ms\n" { return }
            usleep(50_000)
        }
        throw FootageError("PostgreSQL did not reload its configuration within 5 s")
    }

    private func own(_ path: String, mode: Int) throws {
        if getuid() == 0, let pw = getpwnam(user) {
            guard chown(path, pw.pointee.pw_uid, pw.pointee.pw_gid) == 0 else { throw FootageError("cannot chown \(path) to \(user)") }
        }
        chmod(path, mode_t(mode))
    }

    public func url(database: String) -> String { "postgresql://\(user)@127.0.0.1:\(port)/\(database)?sslmode=disable" }

    /// Runs SQL through psql and returns its unaligned output (`-At`), for assertions that
    /// must not go through the code under test.
    @discardableResult
    public func psql(_ url: String, _ sql: String) throws -> String {
        try Self.tool("psql", [url, "-At", "-q", "-v", "ON_ERROR_STOP=1", "-c", sql])
    }

    /// Stops the server as a crash would not (fast shutdown) and starts it again on the same port.
    public func stop() throws { try Self.tool("pg_ctl", ["stop", "-D", dataDir, "-m", "fast", "-w"]) }

    public func start() throws {
        try Self.tool("pg_ctl", ["start", "-D", dataDir, "-w", "-t", "30", "-l", dir + "/server.log",
                                 "-o", "-k \(dir) -c listen_addresses=127.0.0.1 -p \(port) -c fsync=off -c synchronous_commit=off -c full_page_writes=off"])
    }

    deinit { shutdown() }

    private func shutdown() {
        _ = try? Self.tool("pg_ctl", ["stop", "-D", dataDir, "-m", "immediate", "-w"])
        try? FileManager.default.removeItem(atPath: dir)
    }

    /// Runs a PostgreSQL program (as `postgres` when root); its stdout, or an error with its stderr.
    @discardableResult
    static func tool(_ name: String, _ args: [String]) throws -> String {
        let p = Process()
        let path = binDirectory + "/" + name
        var command = [path] + args
        if getuid() == 0 { command = ["/usr/sbin/runuser", "-u", "postgres", "--"] + command }
        p.currentDirectoryURL = URL(fileURLWithPath: "/")
        p.standardInput = FileHandle.nullDevice
        if name == "pg_ctl" {
            // The server pg_ctl leaves running would inherit this process's descriptors, among
            // them the one Foundation watches for the child's exit and other tests' pipes, and
            // hold them open forever: Python's subprocess closes them in the child.
            p.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
            p.arguments = ["-c", "import subprocess, sys; sys.exit(subprocess.call(sys.argv[1:], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))"]
                + command
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            p.waitUntilExit()
            guard p.terminationStatus == 0 else {
                throw FootageError("pg_ctl \(args.joined(separator: " ")) failed (exit \(p.terminationStatus))")
            }
            return ""
        }
        p.executableURL = URL(fileURLWithPath: command[0])
        p.arguments = Array(command.dropFirst())
        let result = try p.runCollectingOutput()
        guard result.status == 0 else {
            throw FootageError("\(name) \(args.joined(separator: " ")) failed: \(result.stderr)")
        }
        return result.stdout
    }
}
