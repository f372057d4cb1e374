// zlib: CRC-32 of zip entries and raw-deflate decompression of compressed entries in
// PyTorch .pth archives.
#include <zlib.h>
