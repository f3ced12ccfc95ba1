#include "malloc_tuning.h"

#include <stdlib.h>   // defines __GLIBC__ (through <features.h>) when the C library is glibc
#if defined(__GLIBC__)
#include <malloc.h>
#endif

void ballast_release_free_memory(void) {
#if defined(__GLIBC__)
    malloc_trim(0);
#endif
}
