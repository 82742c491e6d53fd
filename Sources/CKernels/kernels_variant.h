// One instruction-set variant of the kernels, for kernels.c: kernels_body.h compiled for
// f64 and for f32, and the variant's table, `static const nn_kernels VARIANT`. Define
// before including it: VARIANT (portable, avx2 or avx512: the functions' suffix and the
// table's name), and TARGET, WAYS, GRAD_WAYS, PAIRS and FUSED (see kernels_body.h). All
// six are undefined at the end.
#define NN_VCAT2(a, b) a##_##b
#define NN_VCAT(a, b) NN_VCAT2(a, b)
#define NN_VSTR2(a) #a
#define NN_VSTR(a) NN_VSTR2(a)

#define SCALAR double
#define SUFFIX NN_VCAT(f64, VARIANT)
#include "kernels_body.h"
#undef SCALAR
#undef SUFFIX
#define SCALAR float
#define SUFFIX NN_VCAT(f32, VARIANT)
#include "kernels_body.h"
#undef SCALAR
#undef SUFFIX

static const nn_kernels VARIANT = {
    NN_VSTR(VARIANT), FUSED,
    NN_VCAT(sparse_forward_f64, VARIANT), NN_VCAT(sparse_forward_f32, VARIANT),
    NN_VCAT(sparse_wgrad_f64, VARIANT), NN_VCAT(sparse_wgrad_f32, VARIANT),
    NN_VCAT(relu_forward_f64, VARIANT), NN_VCAT(relu_forward_f32, VARIANT),
    NN_VCAT(relu_backward_f64, VARIANT), NN_VCAT(relu_backward_f32, VARIANT),
    NN_VCAT(descend_f64, VARIANT), NN_VCAT(descend_f32, VARIANT),
};

#undef NN_VCAT2
#undef NN_VCAT
#undef NN_VSTR2
#undef NN_VSTR
#undef VARIANT
#undef TARGET
#undef WAYS
#undef GRAD_WAYS
#undef PAIRS
#undef FUSED
