#ifndef BALLAST_MALLOC_TUNING_H
#define BALLAST_MALLOC_TUNING_H

/// Hands the memory freed so far back to the kernel, in every allocator arena (glibc `malloc_trim`):
/// between the phases of a run, once what one phase read (git blobs, parsed files) is gone, so that it does
/// not stay resident in an arena the next phase's thread does not use. No effect outside glibc.
void ballast_release_free_memory(void);

#endif
