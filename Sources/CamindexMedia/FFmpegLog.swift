import CFFmpeg
import CamindexCore
import Logging
import Synchronization

/// Routes FFmpeg's own messages into swift-log, redacted, instead of stderr. One damaged MP4
/// makes FFmpeg print thousands of lines; they go to debug/trace unless asked for.
public enum FFmpegLog {
    private static let logger = Mutex<Logger?>(nil)

    /// Installs the callback once per process. `verbose` lets FFmpeg format its informational
    /// messages too (they cost time on every file).
    public static func install(logger newLogger: Logger, verbose: Bool = false) {
        logger.withLock { $0 = newLogger }
        av_log_set_level(verbose ? AV_LOG_VERBOSE : AV_LOG_ERROR)
        cfx_install_log(logSink)
    }

    fileprivate static func emit(level: Int32, text: String) {
        guard let logger = logger.withLock({ $0 }) else { return }
        let line = Redaction.redactSecrets(text.trimmingCharacters(in: .whitespacesAndNewlines))
        guard !line.isEmpty else { return }
        let swiftLevel: Logger.Level = switch level {
        case ...AV_LOG_ERROR: .info
        case ...AV_LOG_WARNING: .debug
        default: .trace
        }
        logger.log(level: swiftLevel, "ffmpeg: \(line)")
    }
}

private let logSink: @convention(c) (Int32, UnsafePointer<CChar>?) -> Void = { level, line in
    guard let line else { return }
    FFmpegLog.emit(level: level, text: String(cString: line))
}
