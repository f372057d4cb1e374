// libpng's error and warning handlers shared by png_decode.c and png_encode.c: the error
// pointer is the caller's message buffer (SWIFTDET_CODEC_MESSAGE_SIZE bytes); an error copies
// its text there and longjmps back to the setjmp of the function that made the libpng call.
#ifndef SWIFTDET_PNG_ERRORS_H
#define SWIFTDET_PNG_ERRORS_H

#include "image_codecs.h"

#include <png.h>
#include <stdio.h>

static void swiftdet_png_on_error(png_structp png, png_const_charp text) {
    snprintf((char *)png_get_error_ptr(png), SWIFTDET_CODEC_MESSAGE_SIZE, "%s", text);
    png_longjmp(png, 1);
}

// Warnings (an unknown sRGB profile, a bad ancillary chunk libpng skips) do not stop OpenCV.
static void swiftdet_png_on_warning(png_structp png, png_const_charp text) {
    (void)png;
    (void)text;
}

#endif
