#ifndef CCURL_SHIM_H
#define CCURL_SHIM_H
#include <curl/curl.h>

/* curl_easy_setopt / curl_easy_getinfo are C variadic functions, which Swift cannot call:
   one typed, non-variadic wrapper per argument kind. */
static inline CURLcode ccurl_setopt_long(CURL *h, CURLoption o, long v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode ccurl_setopt_ptr(CURL *h, CURLoption o, void *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode ccurl_setopt_str(CURL *h, CURLoption o, const char *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode ccurl_setopt_slist(CURL *h, CURLoption o, struct curl_slist *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode ccurl_setopt_blob(CURL *h, CURLoption o, struct curl_blob *v) { return curl_easy_setopt(h, o, v); }
typedef size_t (*ccurl_data_cb)(char *ptr, size_t size, size_t nmemb, void *userdata);
static inline CURLcode ccurl_setopt_write(CURL *h, ccurl_data_cb cb) { return curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, cb); }
static inline CURLcode ccurl_setopt_header(CURL *h, ccurl_data_cb cb) { return curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, cb); }
static inline CURLcode ccurl_getinfo_long(CURL *h, CURLINFO i, long *out) { return curl_easy_getinfo(h, i, out); }
static inline CURLcode ccurl_getinfo_off(CURL *h, CURLINFO i, curl_off_t *out) { return curl_easy_getinfo(h, i, out); }
/* Macros with casts, or naming enum constants, do not import into Swift. */
static const unsigned long ccurl_auth_bearer = CURLAUTH_BEARER;
static const unsigned int ccurl_blob_copy = CURL_BLOB_COPY;
static const long ccurl_global_default = CURL_GLOBAL_DEFAULT;
static const CURLversion ccurl_version_now = CURLVERSION_NOW;
static const long ccurl_http_version_2tls = CURL_HTTP_VERSION_2TLS;
static const long ccurl_sslversion_tlsv1_2 = CURL_SSLVERSION_TLSv1_2;
/* The TLS library libcurl was built with ("OpenSSL/3.0.19"): blobs need OpenSSL (research/kubeapi.md 7.1). */
static inline const char *ccurl_ssl_version(void) {
    curl_version_info_data *d = curl_version_info(CURLVERSION_NOW);
    return d && d->ssl_version ? d->ssl_version : "";
}
/* The libcurl loaded at run time ("7.88.1"), for `ballast --version`. */
static inline const char *ccurl_libcurl_version(void) {
    curl_version_info_data *d = curl_version_info(CURLVERSION_NOW);
    return d && d->version ? d->version : "";
}
#endif
