import CamindexStore
import Logging
import ServiceLifecycle
import UnixSignals

/// Re-reads the inventory files the daemon was started with on SIGHUP. A bad file is logged
/// and the registry left as it was.
public struct InventoryReloader: Service {
    let importer: InventoryImport
    let store: Store
    let logger: Logger

    public init(importer: InventoryImport, store: Store, logger: Logger) {
        self.importer = importer
        self.store = store
        self.logger = logger
    }

    public func run() async throws {
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        for await _ in hangups.cancelOnGracefulShutdown() {
            reload()
        }
    }

    /// Imports once; returns whether it succeeded.
    @discardableResult
    public func reload() -> Bool {
        do {
            let changes = try importer.sync(try importer.load(), into: store)
            logger.notice("inventory reloaded", metadata: ["changes": "\(changes.count)", "files": "\(importer.paths.joined(separator: " "))"])
            for c in changes { logger.info("inventory change", metadata: ["kind": "\(c.kind.rawValue)", "subject": "\(c.subject)", "detail": "\(c.detail)"]) }
            return true
        } catch {
            logger.error("inventory not reloaded", metadata: ["error": "\(error)"])
            return false
        }
    }
}
