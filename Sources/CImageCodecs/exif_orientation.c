// The EXIF orientation of an image, read by libexif: from a JPEG's APP1 segment, or from the
// bare TIFF structure a PNG's eXIf chunk holds.
#include "image_codecs.h"

#include <libexif/exif-data.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

// libexif reads a JPEG's markers or data starting with the "Exif\0\0" header.
static int orientation_of(const uint8_t *data, size_t size) {
    if (data == NULL || size < 4 || size > UINT_MAX) return 0;
    ExifData *exif = exif_data_new();
    if (exif == NULL) return 0;
    // Read what the file says: no entries added or dropped to follow the specification.
    exif_data_unset_option(exif, EXIF_DATA_OPTION_FOLLOW_SPECIFICATION);
    exif_data_load_data(exif, data, (unsigned int)size);
    int value = 0;
    ExifEntry *entry = exif_content_get_entry(exif->ifd[EXIF_IFD_0], EXIF_TAG_ORIENTATION);
    if (entry != NULL && entry->components >= 1 && entry->data != NULL) {
        ExifByteOrder order = exif_data_get_byte_order(exif);
        if (entry->format == EXIF_FORMAT_SHORT && entry->size >= 2) value = exif_get_short(entry->data, order);
        if (entry->format == EXIF_FORMAT_LONG && entry->size >= 4) {
            ExifLong v = exif_get_long(entry->data, order);
            value = v <= 8 ? (int)v : 0;
        }
    }
    exif_data_unref(exif);
    return value >= 1 && value <= 8 ? value : 0;
}

// The first APP1 "Exif" segment among the JPEG's markers before the image data (SOS), as
// OpenCV's reader finds it: libexif alone stops at the first marker that is not APPn, and so
// misses an EXIF segment written after the quantization or Huffman tables.
int swiftdet_jpeg_exif_orientation(const uint8_t *data, size_t size) {
    if (data == NULL || size < 4 || data[0] != 0xFF || data[1] != 0xD8) return 0;
    size_t pos = 2;
    while (pos + 4 <= size) {
        if (data[pos] != 0xFF) return 0;
        uint8_t marker = data[pos + 1];
        if (marker == 0xFF) {  // fill byte
            pos += 1;
            continue;
        }
        if (marker == 0xDA || marker == 0xD9) return 0;  // start of scan, end of image
        if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {  // markers without a length
            pos += 2;
            continue;
        }
        size_t length = ((size_t)data[pos + 2] << 8) | data[pos + 3];
        if (length < 2 || pos + 2 + length > size) return 0;
        if (marker == 0xE1 && length >= 8 && memcmp(data + pos + 4, "Exif\0\0", 6) == 0) {
            return orientation_of(data + pos + 4, length - 2);
        }
        pos += 2 + length;
    }
    return 0;
}

int swiftdet_tiff_exif_orientation(const uint8_t *data, size_t size) {
    static const uint8_t header[6] = {'E', 'x', 'i', 'f', 0, 0};
    if (data == NULL || size < 8 || size > UINT_MAX - sizeof header) return 0;
    uint8_t *joined = (uint8_t *)malloc(size + sizeof header);
    if (joined == NULL) return 0;
    memcpy(joined, header, sizeof header);
    memcpy(joined + sizeof header, data, size);
    int value = orientation_of(joined, size + sizeof header);
    free(joined);
    return value;
}
