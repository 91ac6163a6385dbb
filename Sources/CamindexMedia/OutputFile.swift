import CFFmpeg
import CamindexCore

/// Owns one output `AVFormatContext` (MP4, one video stream copied from an input) and its
/// file. Every C pointer of the output lives here and is freed in `deinit`; confined to one task.
/// Whether the file is complete is the caller's business: `finish()` writes the trailer, and a
/// caller that does not reach it removes the file (`ClipWriter` does).
final class OutputFile {
    let context: UnsafeMutablePointer<AVFormatContext>
    let stream: UnsafeMutablePointer<AVStream>
    let interrupt: Interrupt
    let path: String
    /// The file exists on disk because we opened it.
    private(set) var opened = false
    private var finished = false

    /// Creates an MP4 muxer with one video stream whose parameters are `input`'s.
    /// `metadata` goes on the container (`creation_time`).
    init(path: String, copying input: VideoStream, metadata: [String: String], interrupt: Interrupt) throws(MediaError) {
        self.path = path
        self.interrupt = interrupt
        var ctx: UnsafeMutablePointer<AVFormatContext>?
        // "file:" keeps a ':' in a file name from being read as a protocol; faststart reopens
        // the file by this URL to move the moov.
        let status = avformat_alloc_output_context2(&ctx, nil, "mp4", "file:" + path)
        guard status >= 0, let allocated = ctx else {
            throw MediaError(.other, "\(path): cannot create an MP4 muxer (\(FFmpegStatus.text(status)))", code: status)
        }
        guard let newStream = avformat_new_stream(allocated, nil) else {
            avformat_free_context(allocated)
            throw MediaError(.other, "\(path): out of memory")
        }
        context = allocated
        stream = newStream
        // From here on deinit frees the context.
        context.pointee.interrupt_callback = interrupt.callback
        let copied = avcodec_parameters_copy(stream.pointee.codecpar, input.pointer.pointee.codecpar)
        if copied < 0 { throw MediaError(.other, "\(path): cannot copy codec parameters (\(FFmpegStatus.text(copied)))", code: copied) }
        // An MP4 source's tag (hvc1 or hev1, avc1) is kept: players care (Apple's need hvc1).
        // From other containers the tag means something else: let the muxer choose.
        if !input.isMP4 { stream.pointee.codecpar.pointee.codec_tag = 0 }
        stream.pointee.time_base = input.timeBase
        stream.pointee.avg_frame_rate = input.pointer.pointee.avg_frame_rate
        stream.pointee.sample_aspect_ratio = input.pointer.pointee.sample_aspect_ratio
        for (key, value) in metadata { av_dict_set(&context.pointee.metadata, key, value, 0) }
    }

    deinit {
        if context.pointee.pb != nil { avio_closep(&context.pointee.pb) }
        avformat_free_context(context)
    }

    /// Opens the file (created or truncated) and writes the header. `options` are the muxer's
    /// (`movflags`).
    func open(options: [String: String]) throws(MediaError) {
        var cb = context.pointee.interrupt_callback
        let status = avio_open2(&context.pointee.pb, "file:" + path, AVIO_FLAG_WRITE, &cb, nil)
        if status < 0 { throw failure(status, "cannot create the file") }
        opened = true
        var dict: OpaquePointer?
        defer { av_dict_free(&dict) }
        for (key, value) in options { av_dict_set(&dict, key, value, 0) }
        let header = avformat_write_header(context, &dict)
        if header < 0 { throw failure(header, "cannot write the header") }
        if let unused = av_dict_get(dict, "", nil, AV_DICT_IGNORE_SUFFIX) {
            throw MediaError(.other, "\(path): the MP4 muxer does not know the option \(String(cString: unused.pointee.key))")
        }
    }

    /// The time base packets must be in: the muxer may change the one asked for in `open`.
    var timeBase: AVRational { stream.pointee.time_base }

    /// Writes one packet (timestamps already in `timeBase`); takes its data, leaving it blank.
    func write(_ packet: UnsafeMutablePointer<AVPacket>) throws(MediaError) {
        packet.pointee.stream_index = stream.pointee.index
        packet.pointee.pos = -1
        let status = av_interleaved_write_frame(context, packet)
        if status < 0 { throw failure(status, "cannot write a packet") }
    }

    /// Writes the trailer (and with faststart moves the moov before the media) and closes the
    /// file.
    func finish() throws(MediaError) {
        guard !finished else { return }
        finished = true
        let trailer = av_write_trailer(context)
        if trailer < 0 { throw failure(trailer, "cannot finish the file") }
        let closed = avio_closep(&context.pointee.pb)
        if closed < 0 { throw failure(closed, "cannot close the file") }
    }

    private func failure(_ status: Int32, _ action: String) -> MediaError {
        InputFile.failure(status, interrupt: interrupt, name: path, action: action)
    }
}
