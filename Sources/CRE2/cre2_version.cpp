#include "cre2_shim.h"
#include <link.h>
#include <cstring>

extern "C" long cre2_release(void) {
#ifdef CRE2_RELEASE
    return CRE2_RELEASE;
#else
    return 0;
#endif
}

namespace {
struct LibrarySearch { char *out; size_t capacity; int found; };

/* dl_iterate_phdr callback: the first loaded object whose file name starts with "libre2.so". */
int findRE2(struct dl_phdr_info *info, size_t, void *data) {
    auto *search = static_cast<LibrarySearch *>(data);
    const char *path = info->dlpi_name;
    if (path == nullptr || path[0] == 0) return 0;
    const char *slash = std::strrchr(path, '/');
    const char *name = slash ? slash + 1 : path;
    if (std::strncmp(name, "libre2.so", 9) != 0) return 0;
    std::strncpy(search->out, name, search->capacity - 1);
    search->out[search->capacity - 1] = 0;
    search->found = 1;
    return 1;   // stops the iteration
}
}

extern "C" int cre2_loaded_library(char *out, size_t capacity) {
    if (out == nullptr || capacity == 0) return 0;
    out[0] = 0;
    LibrarySearch search{out, capacity, 0};
    dl_iterate_phdr(findRE2, &search);
    return search.found;
}
