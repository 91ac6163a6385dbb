import CamindexCore
import Logging
import ServiceLifecycle
import Synchronization

/// `camindex daemon --publish`: after every probe interval, the county's changes go to the
/// province (`publish`, given by the caller: the daemon knows nothing of PostgreSQL). A
/// publish runs on a thread of its own, so a slow or unreachable province never holds up
/// probing or indexing; a failure is logged and the next interval tries again, carrying on
/// from the province's mark. On SIGTERM the wait between publishes ends at once, and a publish
/// under way stops at its next batch boundary (each batch is one transaction with the mark):
/// nothing is half-applied and the next start carries on from the mark.
public final class PublishLoop: Service, Sendable {
    /// Publishes one pass; stops between batches once `stopping()` says so.
    public typealias Publish = @Sendable (_ stopping: @escaping @Sendable () -> Bool) throws -> String

    private let intervalMs: Int64
    private let publish: Publish
    private let logger: Logger

    public init(intervalMs: Int64, publish: @escaping Publish, logger: Logger) {
        self.intervalMs = intervalMs
        self.publish = publish
        self.logger = logger
    }

    public func run() async throws {
        let thread = BlockingPool(threads: 1, name: "camindex.publish")
        defer { thread.shutdown() }
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do { try await cancelWhenGracefulShutdown { [intervalMs] in try await Task.sleep(for: .milliseconds(intervalMs)) } } catch { return }
            if Task.isShuttingDownGracefully { return }
            let stop = Atomic(false)
            let stopping: @Sendable () -> Bool = { stop.load(ordering: .relaxed) }
            do {
                let summary = try await withGracefulShutdownHandler {
                    try await withTaskCancellationHandler {
                        try await thread.perform { [publish] in try publish(stopping) }
                    } onCancel: { stop.store(true, ordering: .relaxed) }
                } onGracefulShutdown: { stop.store(true, ordering: .relaxed) }
                logger.info("published", metadata: ["summary": "\(summary)"])
            } catch {
                logger.error("publish failed", metadata: ["error": "\(Redaction.redactSecrets("\(error)"))"])
            }
        }
    }
}
