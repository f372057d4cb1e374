// SwiftDet's video files through FFmpeg: frames in and out as 8-bit BGR (OpenCV's order).
#ifndef SWIFTDET_VIDEO_CODECS_H
#define SWIFTDET_VIDEO_CODECS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SWIFTDET_VIDEO_MESSAGE_SIZE 256

typedef struct swiftdet_video_reader swiftdet_video_reader;
typedef struct swiftdet_video_writer swiftdet_video_writer;

/// What a video file says of its video stream.
typedef struct {
    int width;
    int height;
    /// Frames per second as a fraction (FFmpeg's guess from the stream and container).
    int fps_num;
    int fps_den;
    /// Frames the container declares (0 when it does not say).
    int64_t frames;
    /// The codec's name, e.g. "mpeg4", "h264".
    char codec[32];
    /// Degrees clockwise (0, 90, 180, 270) that turn the stored frames upright, from the
    /// stream's display matrix (a phone's portrait video); width and height are as stored.
    int rotation;
} swiftdet_video_info;

/// Opens the first video stream of `path` for decoding. Returns 0, or -1 with `message`.
int swiftdet_video_open(const char *path, swiftdet_video_reader **reader, swiftdet_video_info *info, char *message);

/// Decodes the next frame into `bgr` (width * height * 3 bytes). Returns 1 for a frame, 0 at
/// the end, -1 with `message` on an error (a corrupt stream, a frame of another size).
int swiftdet_video_read(swiftdet_video_reader *reader, uint8_t *bgr, char *message);

void swiftdet_video_close(swiftdet_video_reader *reader);

/// Creates a video file at `path` (the container from its extension: .mp4, .avi, .mkv, .mov)
/// with MPEG-4 Part 2 video (OpenCV's 'mp4v', as mmdetection's video demo writes) at `fps_num /
/// fps_den` frames per second (reduced to a denominator of at most 65535). An odd width or
/// height loses its last column or row, as OpenCV's writer does. Returns 0, or -1 with `message`.
int swiftdet_video_create(const char *path, int width, int height, int fps_num, int fps_den,
                          swiftdet_video_writer **writer, char *message);

/// Encodes one BGR frame (width * height * 3 bytes, the size given to create). Returns 0, or
/// -1 with `message`.
int swiftdet_video_write(swiftdet_video_writer *writer, const uint8_t *bgr, char *message);

/// Flushes the encoder, writes the trailer, closes the file and frees the writer (also on
/// failure). Returns 0, or -1 with `message`.
int swiftdet_video_finish(swiftdet_video_writer *writer, char *message);

/// Frees a writer without finishing the file (after an error).
void swiftdet_video_discard(swiftdet_video_writer *writer);

#ifdef __cplusplus
}
#endif

#endif
