// PNG encoding with libpng into memory; as in png_decode.c, libpng's longjmp never leaves C.
#include "image_codecs.h"
#include "png_errors.h"

#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    uint8_t *data;
    size_t size;
    size_t capacity;
} png_sink;

static void on_write(png_structp png, png_bytep bytes, png_size_t count) {
    png_sink *sink = (png_sink *)png_get_io_ptr(png);
    if (count > sink->capacity - sink->size) {
        size_t capacity = sink->capacity ? sink->capacity : 4096;
        while (count > capacity - sink->size) {
            if (capacity > SIZE_MAX / 2) png_error(png, "PNG output too large");
            capacity *= 2;
        }
        uint8_t *grown = (uint8_t *)realloc(sink->data, capacity);
        if (grown == NULL) png_error(png, "out of memory for the PNG output");
        sink->data = grown;
        sink->capacity = capacity;
    }
    memcpy(sink->data + sink->size, bytes, count);
    sink->size += count;
}

static void on_flush(png_structp png) { (void)png; }

int swiftdet_png_encode(const uint8_t *pixels, uint32_t width, uint32_t height, int channels, uint8_t **out,
                        size_t *out_size, char *message) {
    message[0] = 0;
    *out = NULL;
    *out_size = 0;
    if (channels != 1 && channels != 3) {
        snprintf(message, SWIFTDET_CODEC_MESSAGE_SIZE, "PNG needs 1 or 3 channels, got %d", channels);
        return -1;
    }
    if (width == 0 || height == 0) {
        snprintf(message, SWIFTDET_CODEC_MESSAGE_SIZE, "PNG needs a non-empty image, got %ux%u", height, width);
        return -1;
    }
    // On the heap, so that the pointer never changes after setjmp (the buffer it owns does).
    png_sink *sink = (png_sink *)calloc(1, sizeof *sink);
    if (sink == NULL) {
        snprintf(message, SWIFTDET_CODEC_MESSAGE_SIZE, "out of memory");
        return -1;
    }
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, message, swiftdet_png_on_error, swiftdet_png_on_warning);
    if (png == NULL) {
        free(sink);
        snprintf(message, SWIFTDET_CODEC_MESSAGE_SIZE, "cannot create a libpng writer");
        return -1;
    }
    png_infop info = png_create_info_struct(png);
    if (info == NULL) {
        png_destroy_write_struct(&png, NULL);
        free(sink);
        snprintf(message, SWIFTDET_CODEC_MESSAGE_SIZE, "cannot create a libpng info structure");
        return -1;
    }
    if (setjmp(png_jmpbuf(png))) {
        free(sink->data);
        free(sink);
        png_destroy_write_struct(&png, &info);
        return -1;
    }
    png_set_write_fn(png, sink, on_write, on_flush);
    png_set_IHDR(png, info, width, height, 8, channels == 3 ? PNG_COLOR_TYPE_RGB : PNG_COLOR_TYPE_GRAY,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    if (channels == 3) png_set_bgr(png);
    size_t row_bytes = (size_t)width * (size_t)channels;
    for (uint32_t y = 0; y < height; y++) png_write_row(png, (png_const_bytep)(pixels + (size_t)y * row_bytes));
    png_write_end(png, info);
    png_destroy_write_struct(&png, &info);
    *out = sink->data;
    *out_size = sink->size;
    free(sink);
    return 0;
}

void swiftdet_codec_free(void *buffer) { free(buffer); }
