/* The C runtime dlc's interpreter calls: codegen/runtime/dlc_runtime.h, the same file generated
 * code copies, with every function static inline so the Swift module that calls one compiles it. */
#ifndef CDLCRUNTIME_H
#define CDLCRUNTIME_H

#define DLC_API static inline
/* Matrix products through OpenBLAS, as generated code built with --blas openblas. */
#define DLC_USE_CBLAS 1
#include "dlc_runtime.h"

#endif
