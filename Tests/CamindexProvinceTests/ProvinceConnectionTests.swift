import CamindexCore
import CamindexProvince
import CamindexTestSupport
import Foundation
import Testing

/// sslmode and connection failures against one server of its own, reconfigured by reloads (one
/// start): first plain, then with TLS (a self-signed certificate made here by openssl), then
/// TLS-only with a password. Each failure is a coded error naming host:port, never the password.
@Suite struct ProvinceConnectionTests {
    let dir = TempDir("province-tls")

    /// The error connecting to `url` throws (nil when it connects).
    func connectError(_ url: String) -> CamindexError? {
        do { _ = try ProvinceDatabase(url: ProvinceURL(url)); return nil } catch { return error as? CamindexError }
    }

    @Test func sslmodeIsHonouredAndFailuresAreNamed() throws {
        let server = try PostgresTestServer()
        let plain = try server.createDatabase()
        let db = plain.replacingOccurrences(of: "?sslmode=disable", with: "")
        let county = dir.file("county.sqlite")
        try CountyFixture.check(["--db", county, "region", "add", "620723", "临泽县"])
        try CountyFixture.check(["--db", county, "region", "add", "620723100", "沙河镇"])
        try CountyFixture.check(["--db", county, "camera", "add", "62072300001320000001", "--name", "路口", "--region", "沙河镇"])

        // No TLS on the server: require refuses, prefer goes on without it.
        let noTLS = try #require(connectError(db + "?sslmode=require"))
        #expect(noTLS.code == .provinceTLS && noTLS.message == "TLS with the province database at 127.0.0.1:\(server.port) failed (sslmode=require): the server does not offer TLS",
                "\(noTLS.message)")
        #expect(connectError(db + "?sslmode=prefer") == nil)

        // A self-signed certificate for the name localhost (not for the address), made now.
        let cert = dir.file("server.crt"), key = dir.file("server.key")
        try Footage.run("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "2",
                                    "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost"])
        try server.enableTLS(certificate: cert, key: key)
        try server.admin("ALTER USER \(server.user) PASSWORD 'pw-Secret9'")
        try server.setHBA(["hostssl all all 127.0.0.1/32 scram-sha-256"])
        let user = "postgresql://\(server.user):pw-Secret9@127.0.0.1:\(server.port)/\(URL(string: db)!.lastPathComponent)"

        // require: TLS (the server takes nothing else now), the certificate unverified.
        let published = try CLI.run(["--db", county, "publish", "--to", user + "?sslmode=require"])
        #expect(published.status == 0, "\(published.all)")
        let listed = try CLI.run(["--db", user + "?sslmode=require", "camera", "list", "--format", "json"])
        #expect(listed.status == 0 && listed.stdout.contains("62072300001320000001"), "\(listed.all)")

        // verify-full: the self-signed certificate is not trusted, unless sslrootcert names it.
        let untrusted = try CLI.run(["--db", user + "?sslmode=verify-full", "camera", "list"])
        #expect(untrusted.status == 1, "\(untrusted.all)")
        #expect(untrusted.stderr.contains("TLS with the province database at 127.0.0.1:\(server.port) failed (sslmode=verify-full): the server's certificate is not trusted"),
                "\(untrusted.all)")
        #expect(connectError(user + "?sslmode=verify-full")?.code == .provinceTLS)
        #expect(connectError(user + "?sslmode=verify-ca")?.code == .provinceTLS)
        let byName = user.replacingOccurrences(of: "127.0.0.1", with: "localhost")
        let trusted = try CLI.run(["--db", byName + "?sslmode=verify-full&sslrootcert=\(cert)", "camera", "list", "--format", "json"])
        #expect(trusted.status == 0 && trusted.stdout.contains("62072300001320000001"), "\(trusted.all)")
        // Trusted, but not for the host asked for: verify-full refuses, verify-ca does not check names.
        let mismatch = try #require(connectError(user + "?sslmode=verify-full&sslrootcert=\(cert)"))
        #expect(mismatch.code == .provinceTLS && mismatch.message.hasSuffix("the server's certificate is not for host 127.0.0.1"), "\(mismatch.message)")
        #expect(connectError(user + "?sslmode=verify-ca&sslrootcert=\(cert)") == nil)

        // disable against a TLS-only server, and a wrong password: refused by the server.
        let clear = try #require(connectError(user + "?sslmode=disable"))
        #expect(clear.code == .provinceAuthFailed && clear.message.contains("no encryption"), "\(clear.message)")
        let wrong = try CLI.run(["--db", user.replacingOccurrences(of: "pw-Secret9", with: "wrong-Pass1") + "?sslmode=require", "status"])
        #expect(wrong.status == 1 && !wrong.all.contains("wrong-Pass1"), "\(wrong.all)")
        #expect(wrong.stderr.contains("the province database at 127.0.0.1:\(server.port) refused user '\(server.user)': password authentication failed"),
                "\(wrong.all)")
        #expect(connectError(db + "?sslmode=require")?.code == .provinceAuthFailed, "no password given")

        // Nothing listening.
        let refused = try CLI.run(["--db", county, "publish", "--to", "postgresql://u:hunter2@127.0.0.1:1/x?sslmode=disable"])
        #expect(refused.status == 1 && refused.stderr == "camindex: error[province.unreachable]: cannot connect to the province database at 127.0.0.1:1: connection refused\n",
                "\(refused.all)")
        #expect(connectError("postgresql://u@127.0.0.1:1/x")?.code == .provinceUnreachable)
        let unknown = try #require(connectError("postgresql://u@no-such-host.invalid/x"))
        #expect(unknown.code == .provinceUnreachable && unknown.message.contains("no-such-host.invalid:5432"), "\(unknown.message)")
    }
}
