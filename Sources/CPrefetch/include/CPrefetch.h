#ifndef GWSIM_CPREFETCH_H
#define GWSIM_CPREFETCH_H

/// Asks the CPU to bring the cache line holding `address` closer ahead of a read.
/// Swift has no such intrinsic; the routing core's batched lookups issue these for
/// the lines the next requests will read, so that their cache misses overlap.
static inline void gwsim_prefetch(const void *address) {
    __builtin_prefetch(address, 0, 3);
}

#endif
