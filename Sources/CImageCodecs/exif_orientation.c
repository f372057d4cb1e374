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
    if (entry != NULL && entry->format == EXIF_FORMAT_SHORT && entry->components >= 1 && entry->data != NULL &&
        entry->size >= 2) {
        value = exif_get_short(entry->data, exif_data_get_byte_order(exif));
    }
    exif_data_unref(exif);
    return value >= 1 && value <= 8 ? value : 0;
}

int swiftdet_jpeg_exif_orientation(const uint8_t *data, size_t size) { return orientation_of(data, size); }

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
