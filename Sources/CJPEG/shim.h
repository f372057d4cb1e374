// libjpeg(-turbo) needs stdio's FILE and size_t declared before jpeglib.h.
#include <stdio.h>
#include <stddef.h>
#include <jpeglib.h>
