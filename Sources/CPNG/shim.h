#ifndef NN_CPNG_SHIM_H
#define NN_CPNG_SHIM_H
/// libpng's simplified API (png_image_*), imported only by Sources/NNFormats/Files/PNG.swift.
#include <png.h>
#endif
