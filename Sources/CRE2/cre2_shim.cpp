#include "cre2_shim.h"
#include <re2/re2.h>
#include <cstring>
#include <new>
#include <vector>

struct cre2_regex {
    re2::RE2 re;
    cre2_regex(const char *p, size_t n, const re2::RE2::Options &o) : re(re2::StringPiece(p, n), o) {}
};

extern "C" cre2_regex *cre2_compile(const char *pattern, size_t length, char *error, size_t error_capacity) {
    re2::RE2::Options options;
    options.set_log_errors(false);   // RE2 would print parse errors to stderr otherwise
    options.set_encoding(re2::RE2::Options::EncodingUTF8);
    cre2_regex *r = new (std::nothrow) cre2_regex(pattern, length, options);
    if (r == nullptr) {
        if (error_capacity > 0) { std::strncpy(error, "out of memory", error_capacity - 1); error[error_capacity - 1] = 0; }
        return nullptr;
    }
    if (!r->re.ok()) {
        if (error_capacity > 0) {
            std::strncpy(error, r->re.error().c_str(), error_capacity - 1);
            error[error_capacity - 1] = 0;
        }
        delete r;
        return nullptr;
    }
    return r;
}

extern "C" void cre2_free(cre2_regex *re) { delete re; }

extern "C" int cre2_group_count(const cre2_regex *re) { return re->re.NumberOfCapturingGroups(); }

extern "C" int cre2_partial_match(const cre2_regex *re, const char *text, size_t length) {
    return re2::RE2::PartialMatch(re2::StringPiece(text, length), re->re) ? 1 : 0;
}

extern "C" int cre2_find(const cre2_regex *re, const char *text, size_t length, size_t start,
                         long *spans, int span_pairs) {
    if (start > length || span_pairs <= 0) return 0;
    std::vector<re2::StringPiece> groups(span_pairs);
    re2::StringPiece input(text, length);
    if (!re->re.Match(input, start, length, re2::RE2::UNANCHORED, groups.data(), span_pairs)) return 0;
    for (int i = 0; i < span_pairs; i++) {
        if (groups[i].data() == nullptr) { spans[2 * i] = -1; spans[2 * i + 1] = -1; }
        else {
            spans[2 * i] = (long)(groups[i].data() - text);
            spans[2 * i + 1] = spans[2 * i] + (long)groups[i].size();
        }
    }
    return 1;
}
