// OpenBLAS' C interface (Debian: libopenblas-dev puts cblas.h under /usr/include/<arch>/openblas-pthread).
#include <cblas.h>
