// libjpeg-turbo's TurboJPEG API: decoding that reports errors (and warnings, such as a
// truncated file) as return values instead of calling exit() or needing setjmp/longjmp.
#include <turbojpeg.h>
