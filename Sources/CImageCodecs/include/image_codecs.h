// SwiftDet's image codecs in C, where the libraries need it: libpng reports errors by
// longjmp, which must not cross Swift frames, so the whole read happens here.
#ifndef SWIFTDET_IMAGE_CODECS_H
#define SWIFTDET_IMAGE_CODECS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Size of a message buffer passed to the functions below.
#define SWIFTDET_CODEC_MESSAGE_SIZE 256

/// Reads a PNG's header: width, height, bit depth and colour type (libpng's values).
/// Returns 0, or -1 with `message` set.
int swiftdet_png_header(const uint8_t *data, size_t size, uint32_t *width, uint32_t *height,
                        int *bit_depth, int *color_type, char *message);

/// Decodes a PNG as OpenCV's `imdecode(..., IMREAD_COLOR)` does: 8-bit BGR whatever the file
/// holds (16-bit samples keep their high byte, gray is replicated, palettes are expanded,
/// alpha and tRNS transparency are dropped, interlacing is undone, no gamma is applied).
/// `out` holds width * height * 3 bytes for the header's size. `orientation` receives the
/// EXIF orientation of an `eXIf` chunk (1...8, or 0), which OpenCV applies to PNGs too.
/// Returns 0, or -1 with `message`.
int swiftdet_png_decode_bgr(const uint8_t *data, size_t size, uint8_t *out, uint32_t width,
                            uint32_t height, int *orientation, char *message);

/// Encodes an 8-bit image as PNG (libpng, zlib's default compression, adaptive filters):
/// `channels` 3 (BGR pixels, written as RGB truecolour) or 1 (grayscale). On success `*out`
/// holds `*out_size` bytes to release with `swiftdet_codec_free`. Returns 0, or -1 with `message`.
int swiftdet_png_encode(const uint8_t *pixels, uint32_t width, uint32_t height, int channels, uint8_t **out,
                        size_t *out_size, char *message);

/// Releases a buffer returned by an encoder here.
void swiftdet_codec_free(void *buffer);

/// The EXIF Orientation (tag 0x0112 of IFD0) of a JPEG file's APP1 segment, as libexif
/// reads it: 1...8, or 0 when the file has none or its value is outside 1...8.
int swiftdet_jpeg_exif_orientation(const uint8_t *data, size_t size);

/// The same from the TIFF structure of EXIF data without its "Exif\0\0" header (a PNG's `eXIf`).
int swiftdet_tiff_exif_orientation(const uint8_t *data, size_t size);

#ifdef __cplusplus
}
#endif

#endif
