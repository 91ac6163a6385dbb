import CamindexCore
import CFFmpeg

/// Why a media file or stream could not be read. No C type crosses this API.
public struct MediaError: Error, Hashable, Sendable, CustomStringConvertible, CamindexErrorConvertible {
    public enum Kind: String, Hashable, Sendable {
        /// The deadline passed (our interrupt callback or a protocol timeout).
        case timeout
        case notFound = "not_found"
        /// Not a media file, or data FFmpeg cannot parse.
        case invalidData = "invalid_data"
        case noVideo = "no_video"
        case io
        /// Files that cannot go into one output together (codec, resolution or bitstream
        /// format differ).
        case mismatch
        case other
    }

    public var kind: Kind
    /// Redacted: safe to print and store.
    public var message: String
    /// FFmpeg's status code, where the failure came from FFmpeg.
    public var code: Int32?

    public init(_ kind: Kind, _ message: String, code: Int32? = nil) {
        self.kind = kind
        self.message = message
        self.code = code
    }

    public var description: String { message }

    /// A runtime failure (exit status 1) with the code below.
    public var camindexError: CamindexError { .runtime(message, code: identifier) }

    /// The stable code scripts and tests match: `media.not_found`, `media.timeout`, …
    public var identifier: CamindexError.Code {
        switch kind {
        case .timeout: .mediaTimeout
        case .notFound: .mediaNotFound
        case .invalidData: .mediaInvalidData
        case .noVideo: .mediaNoVideo
        case .io: .mediaIO
        case .mismatch: .mediaMismatch
        case .other: .mediaOther
        }
    }
}

enum FFmpegStatus {
    static func text(_ code: Int32) -> String {
        var buffer = [CChar](repeating: 0, count: Int(cfx_error_max_string_size()))
        if av_strerror(code, &buffer, buffer.count) < 0 { return "error \(code)" }
        return buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }

    static func kind(of code: Int32) -> MediaError.Kind {
        switch code {
        case cfx_averror(ENOENT): .notFound
        case cfx_averror_invaliddata(): .invalidData
        case cfx_averror(ETIMEDOUT), cfx_averror_exit(): .timeout
        case cfx_averror(EIO), cfx_averror(EACCES), cfx_averror(EISDIR), cfx_averror(ENOSPC), cfx_averror(EROFS): .io
        default: .other
        }
    }
}
