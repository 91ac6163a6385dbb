import CamindexCore
import CamindexDaemon
import CamindexTestSupport
import Foundation
import Testing

/// One daemon per store (issue 15): the lock beside the store, and what a second daemon is told.
@Suite struct DaemonLockTests {
    let dir = TempDir("lock")

    @Test func secondLockNamesTheHolderAndTheFile() throws {
        let store = dir.file("store.sqlite")
        let first = try DaemonLock(storePath: store)
        #expect(first.path == store + ".daemon.lock")
        #expect(DaemonLock.holder(storePath: store) == getpid())
        // flock locks belong to the open file, so a second open in this process conflicts as a
        // second daemon's would.
        let error = try #require(throws: CamindexError.self) { try DaemonLock(storePath: store, pid: 999_999) }
        #expect(error.kind == .runtime)
        #expect(error.message.contains("pid \(getpid())") && error.message.contains(store + ".daemon.lock"))
        #expect(DaemonLock.holder(storePath: store) == getpid(), "the refused daemon leaves the pid alone")
        first.release()
        let next = try DaemonLock(storePath: store, pid: 4242)
        #expect(DaemonLock.holder(storePath: store) == 4242)
        next.release()
    }

    @Test func aLockLeftByADeadProcessIsTaken() throws {
        let store = dir.file("store.sqlite")
        try "12345\n".write(toFile: store + ".daemon.lock", atomically: true, encoding: .utf8)
        let lock = try DaemonLock(storePath: store)
        #expect(DaemonLock.holder(storePath: store) == getpid())
        lock.release()
    }
}
