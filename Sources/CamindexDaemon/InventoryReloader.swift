import CamindexCore
import CamindexService
import Logging
import ServiceLifecycle
import UnixSignals

/// Re-reads the inventory files the daemon was started with on SIGHUP, through the service's
/// import (the county check of camera IDs included). Parsing YAML and writing SQLite block: the
/// reload runs on a thread of its own. A bad file is logged and the registry left as it was.
public struct InventoryReloader: Service {
    let service: IndexService
    let paths: [String]
    let recordingsRoot: String?
    let thread: BlockingPool
    let logger: Logger

    public init(service: IndexService, paths: [String], recordingsRoot: String?, thread: BlockingPool, logger: Logger) {
        self.service = service
        self.paths = paths
        self.recordingsRoot = recordingsRoot
        self.thread = thread
        self.logger = logger
    }

    public func run() async throws {
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        for await _ in hangups.cancelOnGracefulShutdown() {
            await reload()
        }
    }

    /// Imports once; returns whether it succeeded.
    @discardableResult
    public func reload() async -> Bool {
        do {
            let result = try await thread.perform { [service, paths, recordingsRoot] in
                try service.importInventory(paths: paths, recordingsRoot: recordingsRoot)
            }
            logger.notice("inventory reloaded", metadata: ["changes": "\(result.changes.count)", "files": "\(paths.joined(separator: " "))"])
            for c in result.changes {
                logger.info("inventory change", metadata: ["kind": "\(c.kind.rawValue)", "subject": "\(c.subject)", "detail": "\(c.detail)"])
            }
            return true
        } catch {
            logger.error("inventory not reloaded", metadata: ["error": "\(Redaction.redactSecrets("\(error)"))"])
            return false
        }
    }
}
