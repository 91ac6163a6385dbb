import CamindexCore
import Logging
import ServiceLifecycle

/// `camindex daemon --publish`: after every probe interval, the county's changes go to the
/// province (`publish`, given by the caller: the daemon knows nothing of PostgreSQL). A
/// publish runs on a thread of its own, so a slow or unreachable province never holds up
/// probing or indexing; a failure is logged and the next interval tries again, carrying on
/// from the province's mark.
public final class PublishLoop: Service, Sendable {
    private let intervalMs: Int64
    private let publish: @Sendable () throws -> String
    private let logger: Logger

    public init(intervalMs: Int64, publish: @escaping @Sendable () throws -> String, logger: Logger) {
        self.intervalMs = intervalMs
        self.publish = publish
        self.logger = logger
    }

    public func run() async throws {
        let thread = BlockingPool(threads: 1, name: "camindex.publish")
        defer { thread.shutdown() }
        await withGracefulShutdownHandler {
            while !Task.isCancelled && !Task.isShuttingDownGracefully {
                do { try await Task.sleep(for: .milliseconds(intervalMs)) } catch { return }
                do {
                    let summary = try await thread.perform { [publish] in try publish() }
                    logger.info("published", metadata: ["summary": "\(summary)"])
                } catch {
                    logger.error("publish failed", metadata: ["error": "\(Redaction.redactSecrets("\(error)"))"])
                }
            }
        } onGracefulShutdown: {}
    }
}
