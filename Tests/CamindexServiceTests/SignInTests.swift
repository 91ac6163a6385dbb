import CamindexCore
import CamindexService
import CamindexStore
import Foundation
import Synchronization
import Testing

/// Time a test moves by hand (no sleeping here: sign-ins only read it).
final class SteppedClock: WallClock {
    private let nowMs: Mutex<Int64>
    init(_ start: Instant) { nowMs = Mutex(start.ms) }
    func now() -> Instant { Instant(ms: nowMs.withLock { $0 }) }
    func advance(ms: Int64) { nowMs.withLock { $0 += ms } }
    func sleep(until deadline: Instant) async throws { try Task.checkCancellation() }
}

/// Signing in, sessions and tokens as the HTTP server will use them: the lockout, the idle
/// expiry, what ends a session, and the audit rows of it all.
@Suite struct SignInTests {
    let clock = SteppedClock(Instant(ms: 1_795_132_800_000))

    func service() throws -> IndexService {
        let store = try Store.inMemory(clock: clock)
        _ = try store.addRegion(code: RegionCode("620723"), name: "临泽县")
        let shell = IndexService(store: store, caller: Caller(name: "shell"))
        _ = try shell.addUser(name: "zhang.wei", role: "police", regions: [], password: "correct horse battery")
        return shell
    }

    func code(_ body: () throws -> Any) -> CamindexError.Code? {
        do { _ = try body(); return nil } catch { return (error as? CamindexError)?.code }
    }

    @Test func fiveFailuresLockTheNameForFifteenMinutes() throws {
        let shell = try service()
        for _ in 0..<5 {
            #expect(code { try shell.signIn(user: "zhang.wei", password: "wrong password!", remote: "10.0.0.7") } == .authFailed)
            clock.advance(ms: 60_000)
        }
        // Locked: even the right password, until 15 minutes after the fifth failure.
        #expect(code { try shell.signIn(user: "zhang.wei", password: "correct horse battery", remote: "10.0.0.7") } == .authLocked)
        clock.advance(ms: 14 * 60_000 - 1000)
        #expect(code { try shell.signIn(user: "zhang.wei", password: "correct horse battery", remote: "10.0.0.7") } == .authLocked)
        clock.advance(ms: 2000)
        let (token, account) = try shell.signIn(user: "zhang.wei", password: "correct horse battery", remote: "10.0.0.7")
        #expect(account.name == "zhang.wei" && token.hasPrefix("cmx_"))
        // An unknown name says the same as a wrong password, and is audited under that name.
        #expect(code { try shell.signIn(user: "nobody", password: "whatever it is", remote: "10.0.0.8") } == .authFailed)
        let rows = try shell.auditRows(AuditFilter(command: "sign in"))
        #expect(rows.count == 9)
        // Five failures spread over more than 15 minutes lock nothing.
        for _ in 0..<5 {
            #expect(code { try shell.signIn(user: "li", password: "not the password", remote: "10.0.0.9") } == .authFailed)
            clock.advance(ms: 5 * 60_000)
        }
        #expect(code { try shell.signIn(user: "li", password: "not the password", remote: "10.0.0.9") } == .authFailed)
        #expect(rows.filter { $0.entry.result.hasPrefix("failed: auth.failed") }.count == 6)
        #expect(rows.filter { $0.entry.result.hasPrefix("failed: auth.locked") }.count == 2)
        #expect(rows.last?.entry.user == "nobody" && rows.last?.entry.arguments.contains("from 10.0.0.8") == true)
        #expect(!rows.contains { $0.entry.arguments.joined().contains("correct horse") || $0.entry.arguments.joined().contains("wrong password") })
    }

    @Test func sessionsEndWhenIdleSignedOutOrTheAccountChanges() throws {
        let shell = try service()
        var (token, _) = try shell.signIn(user: "zhang.wei", password: "correct horse battery", remote: "127.0.0.1")
        #expect(try shell.session(token: token)?.name == "zhang.wei")
        #expect(try shell.session(token: token + "x") == nil)
        // Used within 8 hours it lives on; idle longer it has ended.
        clock.advance(ms: 7 * 3_600_000)
        #expect(try shell.session(token: token) != nil)
        clock.advance(ms: 7 * 3_600_000)
        #expect(try shell.session(token: token) != nil, "used 7 h ago")
        clock.advance(ms: 8 * 3_600_000 + 1000)
        #expect(try shell.session(token: token) == nil)
        // Signing out, a new password, disabling: each ends it.
        token = try shell.signIn(user: "zhang.wei", password: "correct horse battery", remote: "127.0.0.1").token
        try shell.signOut(token: token)
        #expect(try shell.session(token: token) == nil)
        #expect(code { try shell.signOut(token: token) } == .authFailed)
        token = try shell.signIn(user: "zhang.wei", password: "correct horse battery", remote: "127.0.0.1").token
        try shell.setPassword(user: "zhang.wei", password: "a new long password")
        #expect(try shell.session(token: token) == nil)
        token = try shell.signIn(user: "zhang.wei", password: "a new long password", remote: "127.0.0.1").token
        try shell.setUserDisabled("zhang.wei", true)
        #expect(try shell.session(token: token) == nil)
        #expect(code { try shell.signIn(user: "zhang.wei", password: "a new long password", remote: "127.0.0.1") } == .authFailed)
    }

    @Test func tokensExpireAndEndWithTheirUser() throws {
        let shell = try service()
        let (token, info) = try shell.issueToken(user: "zhang.wei", days: 1)
        #expect(info.expiresAt == clock.now() + 86_400_000)
        #expect(try shell.authenticate(token: token)?.name == "zhang.wei")
        clock.advance(ms: 86_400_000)
        #expect(try shell.authenticate(token: token) == nil, "expired")
        let lasting = try shell.issueToken(user: "zhang.wei", days: nil).token
        #expect(try shell.authenticate(token: lasting) != nil)
        try shell.removeUser("zhang.wei")
        #expect(try shell.authenticate(token: lasting) == nil)
    }
}
