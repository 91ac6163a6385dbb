import CFFmpeg
import CamindexCore

/// Owns one `AVFormatContext` and the interrupt state it points at. Every C pointer of an
/// opened input lives here and is freed in `deinit`; confined to one task at a time.
final class InputFile {
    let context: UnsafeMutablePointer<AVFormatContext>
    let interrupt: Interrupt
    /// For messages: the redacted address.
    let shownName: String

    /// `displayName` names the input in messages (default: the redacted URL).
    convenience init(url: String, displayName: String? = nil, timeout: Duration, options: [String: String] = [:],
                     cancel: CancelFlag? = nil) throws(MediaError) {
        try self.init(url: url, displayName: displayName, interrupt: Interrupt(timeout: timeout, cancel: cancel), options: options)
    }

    /// Opens under an existing deadline: several files read for one job (a clip) share it.
    init(url: String, displayName: String? = nil, interrupt: Interrupt, options: [String: String] = [:]) throws(MediaError) {
        shownName = displayName ?? Redaction.redactSecrets(url)
        self.interrupt = interrupt
        var ctx = avformat_alloc_context()
        guard let allocated = ctx else { throw MediaError(.other, "\(shownName): out of memory") }
        allocated.pointee.interrupt_callback = interrupt.callback
        var dict: OpaquePointer?
        defer { av_dict_free(&dict) }
        for (key, value) in options { av_dict_set(&dict, key, value, 0) }
        // On failure avformat_open_input frees the context and sets it to nil.
        let status = avformat_open_input(&ctx, url, nil, &dict)
        guard status >= 0, let opened = ctx else {
            throw Self.failure(status, interrupt: interrupt, name: shownName, action: "cannot open")
        }
        context = opened
    }

    deinit {
        var ctx: UnsafeMutablePointer<AVFormatContext>? = context
        avformat_close_input(&ctx)
    }

    static func failure(_ status: Int32, interrupt: Interrupt, name: String, action: String) -> MediaError {
        if interrupt.cancel?.isCancelled == true {
            return MediaError(.other, "\(name): \(action): cancelled", code: status)
        }
        if interrupt.expired || status == cfx_averror_exit() {
            return MediaError(.timeout, "\(name): \(action): deadline passed", code: status)
        }
        let kind = FFmpegStatus.kind(of: status)
        var text = FFmpegStatus.text(status)
        if kind == .invalidData { text = "not a media file or unreadable container (\(text))" }
        return MediaError(kind, Redaction.redactSecrets("\(name): \(action): \(text)"), code: status)
    }

    var formatName: String {
        context.pointee.iformat.map { String(cString: $0.pointee.name) } ?? "unknown"
    }

    var streamCount: Int { Int(context.pointee.nb_streams) }

    func stream(_ index: Int) -> UnsafeMutablePointer<AVStream> {
        context.pointee.streams[index]!
    }

    func bestVideoStream() -> Int? {
        let index = av_find_best_stream(context, AVMEDIA_TYPE_VIDEO, -1, -1, nil, 0)
        return index >= 0 ? Int(index) : nil
    }

    func findStreamInfo() throws(MediaError) {
        let status = avformat_find_stream_info(context, nil)
        if status < 0 { throw Self.failure(status, interrupt: interrupt, name: shownName, action: "cannot read stream parameters") }
    }

    /// Only `keep` is demuxed; packets of the other streams are dropped inside FFmpeg.
    func discardAll(except keep: Int) {
        for i in 0..<streamCount where i != keep {
            stream(i).pointee.discard = AVDISCARD_ALL
        }
    }

    func metadata(_ key: String) -> String? {
        av_dict_get(context.pointee.metadata, key, nil, 0).map { String(cString: $0.pointee.value) }
    }
}

/// One reusable `AVPacket`, freed in `deinit`.
final class Packet {
    let pointer: UnsafeMutablePointer<AVPacket>

    init() throws(MediaError) {
        guard let p = av_packet_alloc() else { throw MediaError(.other, "out of memory") }
        pointer = p
    }

    deinit {
        var p: UnsafeMutablePointer<AVPacket>? = pointer
        av_packet_free(&p)
    }

    /// The next packet of a non-discarded stream; nil at end of file. Other errors throw.
    func read(from input: InputFile) throws(MediaError) -> UnsafeMutablePointer<AVPacket>? {
        av_packet_unref(pointer)
        let status = av_read_frame(input.context, pointer)
        if status == cfx_averror_eof() { return nil }
        if status < 0 { throw InputFile.failure(status, interrupt: input.interrupt, name: input.shownName, action: "read failed") }
        return pointer
    }
}
