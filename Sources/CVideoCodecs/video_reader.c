// Video decoding with FFmpeg (libavformat demuxing, libavcodec decoding, libswscale to BGR24),
// as OpenCV's FFmpeg backend gives frames to mmcv's VideoReader.
#include "video_codecs.h"
#include "video_common.h"

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/display.h>
#include <libavutil/imgutils.h>
#include <libswscale/swscale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct swiftdet_video_reader {
    AVFormatContext *format;
    AVCodecContext *decoder;
    AVPacket *packet;
    AVFrame *frame;
    // BGR24 with padded rows: libswscale's fast paths write whole blocks of pixels, past the
    // width of an exactly-sized buffer, so frames are converted here and copied out row by row.
    AVFrame *bgr;
    struct SwsContext *scaler;
    int stream;
    int width;
    int height;
    int flushed;
};

void swiftdet_video_close(swiftdet_video_reader *reader) {
    if (reader == NULL) return;
    sws_freeContext(reader->scaler);
    av_frame_free(&reader->frame);
    av_frame_free(&reader->bgr);
    av_packet_free(&reader->packet);
    avcodec_free_context(&reader->decoder);
    avformat_close_input(&reader->format);
    free(reader);
}

int swiftdet_video_open(const char *path, swiftdet_video_reader **out, swiftdet_video_info *info, char *message) {
    *out = NULL;
    message[0] = 0;
    av_log_set_level(AV_LOG_ERROR);
    swiftdet_video_reader *reader = (swiftdet_video_reader *)calloc(1, sizeof *reader);
    if (reader == NULL) {
        snprintf(message, SWIFTDET_VIDEO_MESSAGE_SIZE, "out of memory");
        return -1;
    }
    char *url = swiftdet_video_file_url(path);
    if (url == NULL) {
        snprintf(message, SWIFTDET_VIDEO_MESSAGE_SIZE, "out of memory");
        swiftdet_video_close(reader);
        return -1;
    }
    int rc = avformat_open_input(&reader->format, url, NULL, NULL);
    free(url);
    if (rc < 0) {
        swiftdet_video_describe(message, "cannot open the video", rc);
        swiftdet_video_close(reader);
        return -1;
    }
    if ((rc = avformat_find_stream_info(reader->format, NULL)) < 0) {
        swiftdet_video_describe(message, "cannot read the stream information", rc);
        swiftdet_video_close(reader);
        return -1;
    }
    const AVCodec *codec = NULL;
    reader->stream = av_find_best_stream(reader->format, AVMEDIA_TYPE_VIDEO, -1, -1, &codec, 0);
    if (reader->stream < 0 || codec == NULL) {
        swiftdet_video_describe(message, "no decodable video stream", reader->stream < 0 ? reader->stream : AVERROR_DECODER_NOT_FOUND);
        swiftdet_video_close(reader);
        return -1;
    }
    AVStream *stream = reader->format->streams[reader->stream];
    reader->decoder = avcodec_alloc_context3(codec);
    reader->packet = av_packet_alloc();
    reader->frame = av_frame_alloc();
    reader->bgr = av_frame_alloc();
    if (reader->decoder == NULL || reader->packet == NULL || reader->frame == NULL || reader->bgr == NULL) {
        snprintf(message, SWIFTDET_VIDEO_MESSAGE_SIZE, "out of memory");
        swiftdet_video_close(reader);
        return -1;
    }
    if ((rc = avcodec_parameters_to_context(reader->decoder, stream->codecpar)) < 0 ||
        (rc = avcodec_open2(reader->decoder, codec, NULL)) < 0) {
        swiftdet_video_describe(message, "cannot open the decoder", rc);
        swiftdet_video_close(reader);
        return -1;
    }
    reader->width = reader->decoder->width;
    reader->height = reader->decoder->height;
    if (reader->width <= 0 || reader->height <= 0 || (int64_t)reader->width * reader->height > (1 << 26)) {
        snprintf(message, SWIFTDET_VIDEO_MESSAGE_SIZE, "implausible frame size %dx%d", reader->width, reader->height);
        swiftdet_video_close(reader);
        return -1;
    }
    reader->bgr->format = AV_PIX_FMT_BGR24;
    reader->bgr->width = reader->width;
    reader->bgr->height = reader->height;
    if ((rc = av_frame_get_buffer(reader->bgr, 64)) < 0) {
        swiftdet_video_describe(message, "cannot allocate a frame", rc);
        swiftdet_video_close(reader);
        return -1;
    }
    // The display matrix's rotation, as OpenCV's VideoCapture reads it and turns frames upright
    // (CAP_PROP_ORIENTATION_AUTO): degrees clockwise, 0, 90, 180 or 270.
    int rotation = 0;
    const uint8_t *matrix = av_stream_get_side_data(stream, AV_PKT_DATA_DISPLAYMATRIX, NULL);
    if (matrix != NULL) {
        double angle = av_display_rotation_get((const int32_t *)matrix);
        if (isfinite(angle)) {
            rotation = -(int)lround(angle);
            rotation = ((rotation % 360) + 360) % 360;
        }
    }
    info->rotation = rotation;
    AVRational rate = av_guess_frame_rate(reader->format, stream, NULL);
    info->width = reader->width;
    info->height = reader->height;
    info->fps_num = rate.num;
    info->fps_den = rate.den;
    info->frames = stream->nb_frames;
    snprintf(info->codec, sizeof info->codec, "%s", codec->name);
    *out = reader;
    return 0;
}

int swiftdet_video_read(swiftdet_video_reader *reader, uint8_t *bgr, char *message) {
    message[0] = 0;
    for (;;) {
        int rc = avcodec_receive_frame(reader->decoder, reader->frame);
        if (rc == 0) {
            AVFrame *f = reader->frame;
            if (f->width != reader->width || f->height != reader->height) {
                snprintf(message, SWIFTDET_VIDEO_MESSAGE_SIZE, "a frame of %dx%d in a %dx%d video", f->width, f->height,
                         reader->width, reader->height);
                av_frame_unref(f);
                return -1;
            }
            reader->scaler = sws_getCachedContext(reader->scaler, f->width, f->height, (enum AVPixelFormat)f->format,
                                                  f->width, f->height, AV_PIX_FMT_BGR24, SWS_BICUBIC, NULL, NULL, NULL);
            if (reader->scaler == NULL) {
                snprintf(message, SWIFTDET_VIDEO_MESSAGE_SIZE, "cannot convert pixel format %d to BGR", f->format);
                av_frame_unref(f);
                return -1;
            }
            sws_scale(reader->scaler, (const uint8_t *const *)f->data, f->linesize, 0, f->height, reader->bgr->data,
                      reader->bgr->linesize);
            size_t row = (size_t)f->width * 3;
            for (int y = 0; y < f->height; y++) memcpy(bgr + (size_t)y * row, reader->bgr->data[0] + (size_t)y * reader->bgr->linesize[0], row);
            av_frame_unref(f);
            return 1;
        }
        if (rc == AVERROR_EOF) return 0;
        if (rc != AVERROR(EAGAIN)) {
            swiftdet_video_describe(message, "cannot decode a frame", rc);
            return -1;
        }
        if (reader->flushed) return 0;
        rc = av_read_frame(reader->format, reader->packet);
        if (rc == AVERROR_EOF) {
            reader->flushed = 1;
            avcodec_send_packet(reader->decoder, NULL);
            continue;
        }
        if (rc < 0) {
            swiftdet_video_describe(message, "cannot read the file", rc);
            return -1;
        }
        if (reader->packet->stream_index == reader->stream) {
            rc = avcodec_send_packet(reader->decoder, reader->packet);
            av_packet_unref(reader->packet);
            if (rc < 0 && rc != AVERROR(EAGAIN)) {
                swiftdet_video_describe(message, "cannot decode a packet", rc);
                return -1;
            }
        } else {
            av_packet_unref(reader->packet);
        }
    }
}
