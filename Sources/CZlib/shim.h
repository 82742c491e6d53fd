#ifndef NN_CZLIB_SHIM_H
#define NN_CZLIB_SHIM_H
#include <zlib.h>

/// `inflateInit2` is a macro in zlib.h, which Swift cannot call; this wraps it.
/// windowBits 15 + 32 enables automatic zlib/gzip header detection; we pass
/// 15 + 16 to accept gzip only.
static inline int nn_inflateInit2(z_streamp strm, int windowBits) {
    return inflateInit2(strm, windowBits);
}
#endif
