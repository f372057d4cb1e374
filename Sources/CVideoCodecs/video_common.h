// Helpers shared by video_reader.c and video_writer.c.
#ifndef SWIFTDET_VIDEO_COMMON_H
#define SWIFTDET_VIDEO_COMMON_H

#include "video_codecs.h"

#include <libavutil/error.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// "<what>: <FFmpeg's text for code>" into message.
static void swiftdet_video_describe(char *message, const char *what, int code) {
    char text[AV_ERROR_MAX_STRING_SIZE] = {0};
    av_strerror(code, text, sizeof text);
    snprintf(message, SWIFTDET_VIDEO_MESSAGE_SIZE, "%s: %s", what, text);
}

// "file:<path>" (malloc'd; NULL when out of memory): through the file protocol, a name with a
// colon is not taken for a protocol.
static char *swiftdet_video_file_url(const char *path) {
    size_t size = strlen(path) + 6;
    char *url = (char *)malloc(size);
    if (url != NULL) snprintf(url, size, "file:%s", path);
    return url;
}

#endif
