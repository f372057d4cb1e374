// Video encoding with FFmpeg: BGR24 frames to YUV 4:2:0 (libswscale), MPEG-4 Part 2 (OpenCV's
// 'mp4v' fourcc, which mmdetection's video demo uses), muxed by libavformat.
#include "video_codecs.h"
#include "video_common.h"

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/imgutils.h>
#include <libswscale/swscale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct swiftdet_video_writer {
    AVFormatContext *format;
    AVCodecContext *encoder;
    AVStream *stream;
    AVFrame *frame;
    // The caller's BGR rows copied into padded rows: libswscale reads whole blocks of pixels.
    AVFrame *bgr;
    int source_width;
    AVPacket *packet;
    struct SwsContext *scaler;
    int64_t next_pts;
    int header_written;
};

void swiftdet_video_discard(swiftdet_video_writer *writer) {
    if (writer == NULL) return;
    sws_freeContext(writer->scaler);
    av_frame_free(&writer->frame);
    av_frame_free(&writer->bgr);
    av_packet_free(&writer->packet);
    avcodec_free_context(&writer->encoder);
    if (writer->format != NULL) {
        if (!(writer->format->oformat->flags & AVFMT_NOFILE)) avio_closep(&writer->format->pb);
        avformat_free_context(writer->format);
    }
    free(writer);
}

int swiftdet_video_create(const char *path, int width, int height, int fps_num, int fps_den,
                          swiftdet_video_writer **out, char *message) {
    *out = NULL;
    message[0] = 0;
    av_log_set_level(AV_LOG_ERROR);
    int source_width = width;
    width &= ~1;
    height &= ~1;  // as OpenCV's writer: YUV 4:2:0 needs even sizes
    if (width <= 0 || height <= 0) {
        snprintf(message, SWIFTDET_VIDEO_MESSAGE_SIZE, "a video frame of %dx%d is too small", width, height);
        return -1;
    }
    if (fps_num <= 0 || fps_den <= 0) {
        snprintf(message, SWIFTDET_VIDEO_MESSAGE_SIZE, "frames per second %d/%d is not positive", fps_num, fps_den);
        return -1;
    }
    AVRational rate;
    av_reduce(&rate.num, &rate.den, fps_num, fps_den, 65535);  // MPEG-4's time base limit
    if (rate.num <= 0 || rate.den <= 0) {
        snprintf(message, SWIFTDET_VIDEO_MESSAGE_SIZE, "frames per second %d/%d cannot be written", fps_num, fps_den);
        return -1;
    }
    swiftdet_video_writer *writer = (swiftdet_video_writer *)calloc(1, sizeof *writer);
    if (writer == NULL) {
        snprintf(message, SWIFTDET_VIDEO_MESSAGE_SIZE, "out of memory");
        return -1;
    }
    int rc = avformat_alloc_output_context2(&writer->format, NULL, NULL, path);
    if (rc < 0 || writer->format == NULL) {
        swiftdet_video_describe(message, "no container for this file name extension (use .mp4, .avi, .mkv or .mov)", rc < 0 ? rc : AVERROR_MUXER_NOT_FOUND);
        swiftdet_video_discard(writer);
        return -1;
    }
    const AVCodec *codec = avcodec_find_encoder(AV_CODEC_ID_MPEG4);
    if (codec == NULL) {
        snprintf(message, SWIFTDET_VIDEO_MESSAGE_SIZE, "this FFmpeg has no MPEG-4 encoder");
        swiftdet_video_discard(writer);
        return -1;
    }
    writer->stream = avformat_new_stream(writer->format, NULL);
    writer->encoder = avcodec_alloc_context3(codec);
    writer->frame = av_frame_alloc();
    writer->bgr = av_frame_alloc();
    writer->packet = av_packet_alloc();
    writer->source_width = source_width;
    if (writer->stream == NULL || writer->encoder == NULL || writer->frame == NULL || writer->bgr == NULL || writer->packet == NULL) {
        snprintf(message, SWIFTDET_VIDEO_MESSAGE_SIZE, "out of memory");
        swiftdet_video_discard(writer);
        return -1;
    }
    AVCodecContext *enc = writer->encoder;
    enc->width = width;
    enc->height = height;
    enc->pix_fmt = AV_PIX_FMT_YUV420P;
    enc->framerate = rate;
    enc->time_base = (AVRational){rate.den, rate.num};
    enc->gop_size = 12;
    enc->flags |= AV_CODEC_FLAG_QSCALE;
    enc->global_quality = FF_QP2LAMBDA * 3;  // fine quantizer: drawn labels stay legible
    if (writer->format->oformat->flags & AVFMT_GLOBALHEADER) enc->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
    if ((rc = avcodec_open2(enc, codec, NULL)) < 0 ||
        (rc = avcodec_parameters_from_context(writer->stream->codecpar, enc)) < 0) {
        swiftdet_video_describe(message, "cannot open the MPEG-4 encoder", rc);
        swiftdet_video_discard(writer);
        return -1;
    }
    writer->stream->time_base = enc->time_base;
    writer->stream->avg_frame_rate = enc->framerate;
    if (!(writer->format->oformat->flags & AVFMT_NOFILE)) {
        char *url = swiftdet_video_file_url(path);
        if (url == NULL) {
            snprintf(message, SWIFTDET_VIDEO_MESSAGE_SIZE, "out of memory");
            swiftdet_video_discard(writer);
            return -1;
        }
        rc = avio_open(&writer->format->pb, url, AVIO_FLAG_WRITE);
        free(url);
        if (rc < 0) {
            swiftdet_video_describe(message, "cannot create the file", rc);
            swiftdet_video_discard(writer);
            return -1;
        }
    }
    if ((rc = avformat_write_header(writer->format, NULL)) < 0) {
        swiftdet_video_describe(message, "cannot write the container header", rc);
        swiftdet_video_discard(writer);
        return -1;
    }
    writer->header_written = 1;
    writer->frame->format = AV_PIX_FMT_YUV420P;
    writer->frame->width = width;
    writer->frame->height = height;
    writer->bgr->format = AV_PIX_FMT_BGR24;
    writer->bgr->width = width;
    writer->bgr->height = height;
    if ((rc = av_frame_get_buffer(writer->frame, 0)) < 0 || (rc = av_frame_get_buffer(writer->bgr, 64)) < 0) {
        swiftdet_video_describe(message, "cannot allocate a frame", rc);
        swiftdet_video_discard(writer);
        return -1;
    }
    writer->scaler = sws_getContext(width, height, AV_PIX_FMT_BGR24, width, height, AV_PIX_FMT_YUV420P,
                                    SWS_BICUBIC | SWS_ACCURATE_RND | SWS_BITEXACT,
                                    NULL, NULL, NULL);
    if (writer->scaler == NULL) {
        snprintf(message, SWIFTDET_VIDEO_MESSAGE_SIZE, "cannot convert BGR to YUV 4:2:0");
        swiftdet_video_discard(writer);
        return -1;
    }
    *out = writer;
    return 0;
}

// Sends `frame` (NULL to flush) and writes every packet the encoder has ready.
static int encode(swiftdet_video_writer *writer, AVFrame *frame, char *message) {
    int rc = avcodec_send_frame(writer->encoder, frame);
    if (rc < 0) {
        swiftdet_video_describe(message, "cannot encode a frame", rc);
        return -1;
    }
    for (;;) {
        rc = avcodec_receive_packet(writer->encoder, writer->packet);
        if (rc == AVERROR(EAGAIN) || rc == AVERROR_EOF) return 0;
        if (rc < 0) {
            swiftdet_video_describe(message, "cannot encode a frame", rc);
            return -1;
        }
        av_packet_rescale_ts(writer->packet, writer->encoder->time_base, writer->stream->time_base);
        writer->packet->stream_index = writer->stream->index;
        rc = av_interleaved_write_frame(writer->format, writer->packet);
        if (rc < 0) {
            swiftdet_video_describe(message, "cannot write to the file", rc);
            return -1;
        }
    }
}

int swiftdet_video_write(swiftdet_video_writer *writer, const uint8_t *bgr, char *message) {
    message[0] = 0;
    int rc = av_frame_make_writable(writer->frame);
    if (rc < 0) {
        swiftdet_video_describe(message, "cannot reuse the frame", rc);
        return -1;
    }
    if ((rc = av_frame_make_writable(writer->bgr)) < 0) {
        swiftdet_video_describe(message, "cannot reuse the frame", rc);
        return -1;
    }
    size_t row = (size_t)writer->encoder->width * 3, source_row = (size_t)writer->source_width * 3;
    for (int y = 0; y < writer->encoder->height; y++) {
        memcpy(writer->bgr->data[0] + (size_t)y * writer->bgr->linesize[0], bgr + (size_t)y * source_row, row);
    }
    sws_scale(writer->scaler, (const uint8_t *const *)writer->bgr->data, writer->bgr->linesize, 0, writer->encoder->height,
              writer->frame->data, writer->frame->linesize);
    writer->frame->pts = writer->next_pts++;
    return encode(writer, writer->frame, message);
}

int swiftdet_video_finish(swiftdet_video_writer *writer, char *message) {
    message[0] = 0;
    int result = encode(writer, NULL, message);
    if (result == 0) {
        int rc = av_write_trailer(writer->format);
        if (rc < 0) {
            swiftdet_video_describe(message, "cannot write the container trailer", rc);
            result = -1;
        }
    }
    swiftdet_video_discard(writer);
    return result;
}
