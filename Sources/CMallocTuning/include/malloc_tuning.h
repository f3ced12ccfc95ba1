#ifndef BALLAST_MALLOC_TUNING_H
#define BALLAST_MALLOC_TUNING_H

/// Tells glibc's allocator to keep freed memory for reuse rather than hand it back to the kernel at once,
/// and to serve buffers up to 32 MB from the heap rather than from fresh mappings. A lint of thousands of
/// files otherwise spends a good part of its time in page faults. One arena serves every thread. No effect
/// outside glibc.
void ballast_tune_malloc(void);

#endif
