#ifndef CAMINDEX_CFFMPEG_SHIM_H
#define CAMINDEX_CFFMPEG_SHIM_H

#include <libavformat/avformat.h>
#include <libavcodec/avcodec.h>
#include <libavutil/avutil.h>
#include <libavutil/error.h>
#include <libavutil/dict.h>
#include <libavutil/log.h>
#include <libavutil/mathematics.h>
#include <libavutil/pixdesc.h>
#include <libswscale/swscale.h>

// Macros Swift cannot import, re-exported as functions.
static inline int cfx_averror(int errnum) { return AVERROR(errnum); }
static inline int cfx_averror_eof(void) { return AVERROR_EOF; }
static inline int cfx_averror_exit(void) { return AVERROR_EXIT; }
static inline int cfx_averror_invaliddata(void) { return AVERROR_INVALIDDATA; }
static inline int64_t cfx_nopts(void) { return AV_NOPTS_VALUE; }
static inline AVRational cfx_time_base_q(void) { return AV_TIME_BASE_Q; }
static inline int cfx_error_max_string_size(void) { return AV_ERROR_MAX_STRING_SIZE; }
static inline int cfx_averror_http_unauthorized(void) { return AVERROR_HTTP_UNAUTHORIZED; }
static inline int cfx_averror_http_forbidden(void) { return AVERROR_HTTP_FORBIDDEN; }
static inline int cfx_averror_http_not_found(void) { return AVERROR_HTTP_NOT_FOUND; }
static inline int cfx_averror_stream_not_found(void) { return AVERROR_STREAM_NOT_FOUND; }

// FFmpeg's log callback takes a va_list, which Swift cannot receive on Linux: format the line
// here and hand Swift the text.
typedef void (*cfx_log_sink_fn)(int level, const char *line);
static cfx_log_sink_fn cfx_log_sink = 0;

static inline void cfx_log_callback(void *avcl, int level, const char *fmt, va_list vl) {
    if (level > av_log_get_level() || !cfx_log_sink) return;
    char line[1024];
    int print_prefix = 1;
    if (av_log_format_line2(avcl, level, fmt, vl, line, sizeof line, &print_prefix) > 0) cfx_log_sink(level, line);
}

static inline void cfx_install_log(cfx_log_sink_fn sink) {
    cfx_log_sink = sink;
    av_log_set_callback(cfx_log_callback);
}

#endif
