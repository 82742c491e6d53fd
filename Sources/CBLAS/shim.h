#ifndef NN_CBLAS_SHIM_H
#define NN_CBLAS_SHIM_H
#include <cblas.h>
/* OpenBLAS extensions for thread control (declared in cblas.h by OpenBLAS). */
#endif
