// libpng (Debian's libpng-dev): read by CImageCodecs, whose C code owns libpng's setjmp
// error handling so that no longjmp ever crosses a Swift frame.
#include <png.h>
