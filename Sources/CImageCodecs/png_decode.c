// PNG decoding with libpng, in C because libpng reports errors by longjmp: every libpng call
// happens inside the function that called setjmp, and the error and warning handlers only
// copy the message. The transforms are OpenCV's for IMREAD_COLOR (imgcodecs/src/grfmt_png.cpp).
#include "image_codecs.h"
#include "png_errors.h"

#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const uint8_t *data;
    size_t size;
    size_t position;
} png_source;

static void on_read(png_structp png, png_bytep out, png_size_t count) {
    png_source *source = (png_source *)png_get_io_ptr(png);
    if (count > source->size - source->position) png_error(png, "truncated PNG data (the file ends early)");
    memcpy(out, source->data + source->position, count);
    source->position += count;
}

// Reads the header (out == NULL) or the whole image into out (width * height * 3 bytes).
static int read_png(const uint8_t *data, size_t size, uint8_t *out, uint32_t *width, uint32_t *height,
                    int *bit_depth, int *color_type, int *orientation, char *message) {
    png_source source = {data, size, 0};
    message[0] = 0;
    if (size < 8 || png_sig_cmp(data, 0, 8) != 0) {
        snprintf(message, SWIFTDET_CODEC_MESSAGE_SIZE, "no PNG signature");
        return -1;
    }
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, message, swiftdet_png_on_error, swiftdet_png_on_warning);
    if (png == NULL) {
        snprintf(message, SWIFTDET_CODEC_MESSAGE_SIZE, "cannot create a libpng reader");
        return -1;
    }
    png_infop info = png_create_info_struct(png);
    if (info == NULL) {
        png_destroy_read_struct(&png, NULL, NULL);
        snprintf(message, SWIFTDET_CODEC_MESSAGE_SIZE, "cannot create a libpng info structure");
        return -1;
    }
    png_bytep *volatile rows = NULL;
    if (setjmp(png_jmpbuf(png))) {
        free(rows);
        png_destroy_read_struct(&png, &info, NULL);
        return -1;
    }
    png_set_read_fn(png, &source, on_read);
    png_set_user_limits(png, 1u << 18, 1u << 18);
    png_read_info(png, info);
    png_uint_32 w = 0, h = 0;
    int depth = 0, type = 0;
    png_get_IHDR(png, info, &w, &h, &depth, &type, NULL, NULL, NULL);
    if (out == NULL) {
        *width = w;
        *height = h;
        *bit_depth = depth;
        *color_type = type;
        png_destroy_read_struct(&png, &info, NULL);
        return 0;
    }
    if (w != *width || h != *height) png_error(png, "the image size differs from the header read before");
    if (depth == 16) png_set_strip_16(png);
    png_set_strip_alpha(png);
    if (type == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
    if ((type & PNG_COLOR_MASK_COLOR) == 0 && depth < 8) png_set_expand_gray_1_2_4_to_8(png);
    if (type & PNG_COLOR_MASK_COLOR) {
        png_set_bgr(png);
    } else {
        png_set_gray_to_rgb(png);
    }
    png_set_interlace_handling(png);
    png_read_update_info(png, info);
    if (png_get_rowbytes(png, info) != (size_t)w * 3) png_error(png, "unexpected row size after conversion to 8-bit BGR");
    rows = (png_bytep *)malloc((size_t)h * sizeof(png_bytep));
    if (rows == NULL) png_error(png, "out of memory for the row table");
    for (png_uint_32 y = 0; y < h; y++) rows[y] = out + (size_t)y * w * 3;
    png_read_image(png, rows);
    png_read_end(png, info);
    png_uint_32 exif_size = 0;
    png_bytep exif = NULL;
    *orientation = 0;
    if (png_get_eXIf_1(png, info, &exif_size, &exif) != 0 && exif != NULL) {
        *orientation = swiftdet_tiff_exif_orientation(exif, exif_size);
    }
    free(rows);
    png_destroy_read_struct(&png, &info, NULL);
    return 0;
}

int swiftdet_png_header(const uint8_t *data, size_t size, uint32_t *width, uint32_t *height,
                        int *bit_depth, int *color_type, char *message) {
    int orientation = 0;
    return read_png(data, size, NULL, width, height, bit_depth, color_type, &orientation, message);
}

int swiftdet_png_decode_bgr(const uint8_t *data, size_t size, uint8_t *out, uint32_t width,
                            uint32_t height, int *orientation, char *message) {
    int depth = 0, type = 0;
    return read_png(data, size, out, &width, &height, &depth, &type, orientation, message);
}
