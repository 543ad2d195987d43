/* Non-temporal (streaming) copy for large outputs: the result goes to
 * memory without first reading the destination line into the cache
 * (saves a third of the memory traffic of a filter whose output does not
 * fit in the cache).  Only with AVX: measured on AMD EPYC (Zen 3), 16-byte
 * SSE2 streaming stores are twice as slow as plain stores, 32-byte ones
 * are faster.  Elsewhere this is memcpy. */
#ifndef PYFILTER_STREAM_H
#define PYFILTER_STREAM_H
#include <string.h>
#include <stddef.h>
#if defined(__AVX__)
#include <immintrin.h>
#endif

static inline void pf_stream_bytes(char *dst, const char *src, ptrdiff_t nbytes)
{
#if defined(__AVX__)
    ptrdiff_t i = 0;
    while (i < nbytes && (((size_t)(dst + i)) & 31)) {
        dst[i] = src[i];
        i++;
    }
    for (; i + 32 <= nbytes; i += 32)
        _mm256_stream_si256((__m256i *)(dst + i),
                            _mm256_loadu_si256((const __m256i *)(src + i)));
    for (; i < nbytes; i++)
        dst[i] = src[i];
#else
    memcpy(dst, src, (size_t)nbytes);
#endif
}

/* Make this thread's streaming stores globally visible. */
static inline void pf_stream_fence(void)
{
#if defined(__AVX__)
    _mm_sfence();
#endif
}
#endif
