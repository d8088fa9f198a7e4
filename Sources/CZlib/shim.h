#ifndef CZLIB_SHIM_H
#define CZLIB_SHIM_H
#include <zlib.h>

/* deflateInit2 / inflateInit2 are macros; Swift cannot call macros. */
static inline int czlib_deflate_init_raw(z_streamp strm, int level, int window_bits, int mem_level) {
    return deflateInit2(strm, level, Z_DEFLATED, -window_bits, mem_level, Z_DEFAULT_STRATEGY);
}

static inline int czlib_inflate_init_raw(z_streamp strm, int window_bits) {
    return inflateInit2(strm, -window_bits);
}
#endif
