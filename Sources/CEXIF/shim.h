// libexif (Debian's libexif-dev): the EXIF orientation of JPEG files, read by CImageCodecs.
#include <libexif/exif-data.h>
