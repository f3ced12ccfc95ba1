#ifndef CRE2_SHIM_H
#define CRE2_SHIM_H
/* A C API over RE2 (libre2-dev), so that Swift imports it as plain C without C++ interop. */
#include <stddef.h>
#ifdef __cplusplus
extern "C" {
#endif

typedef struct cre2_regex cre2_regex;

/* Compiles `pattern` (UTF-8, `length` bytes). On failure returns NULL and copies RE2's error text
   (NUL-terminated, truncated to `error_capacity`) into `error`. */
cre2_regex *cre2_compile(const char *pattern, size_t length, char *error, size_t error_capacity);
void cre2_free(cre2_regex *re);

/* Number of capturing groups. */
int cre2_group_count(const cre2_regex *re);

/* 1 when the pattern matches anywhere in `text` (RE2::PartialMatch), else 0. */
int cre2_partial_match(const cre2_regex *re, const char *text, size_t length);

/* Finds the first match at or after byte `start`. On success returns 1 and writes, for group 0 and
   each capturing group (ngroups + 1 pairs), the byte offsets [begin, end) into `spans`
   (-1, -1 for a group that did not participate). Returns 0 when there is no match. */
int cre2_find(const cre2_regex *re, const char *text, size_t length, size_t start,
              long *spans, int span_pairs);

/* RE2 has no version API. The release RE2 was built against, as yyyymmdd (20220601), when the build
   defined CRE2_RELEASE (ci/release passes the upstream version of Debian's libre2-dev); 0 when unknown. */
long cre2_release(void);

/* The file name of the RE2 shared object loaded at run time ("libre2.so.9": its SONAME names the ABI),
   copied NUL-terminated (truncated to `capacity`) into `out`. Returns 1 when found, 0 when RE2 is linked
   statically. */
int cre2_loaded_library(char *out, size_t capacity);

#ifdef __cplusplus
}
#endif
#endif
