// A tiny allocator with prefixed names (pa_malloc, pa_free, ...), built as
// libprefalloc.so for leak_prefixed: memleak.ms `--symbols-prefix pa_ -O
// <dir>/libprefalloc.so` must see these calls and nothing of libc's.
// It never calls libc's allocator (nor mmap): blocks come from a static arena,
// bump-allocated, with exact-size free lists for default-aligned blocks up to
// 4 KiB (so addresses are reused, as in a real allocator). The entry points
// never call each other (each uses static helpers), so no probe fires nested.
// pa_stats() reports the allocator's own view of outstanding blocks, which
// leak_prefixed compares with its truth.
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define PA_API __attribute__((visibility("default"), noinline))
#define ARENA_BYTES (16u << 20)
#define HDR 16  // header before each block: keeps default alignment at 16
#define BIN_MAX 4096

struct hdr {
  uint32_t size;     // requested size
  uint32_t offset;   // from the chunk start to the block (aligned blocks pad)
  uint32_t rounded;  // chunk class for the free lists; 0: not reusable
  uint32_t magic;
};
#define MAGIC_LIVE 0x70616c76u  // "palv"
#define MAGIC_FREE 0x70616672u

static _Alignas(4096) unsigned char arena[ARENA_BYTES];
static size_t top;
static void *bins[BIN_MAX / 16 + 1];  // free blocks by rounded size
static size_t live_bytes, live_count;
static volatile int lock_word;

static void lock(void) {
  while (__atomic_exchange_n(&lock_word, 1, __ATOMIC_ACQUIRE)) {
  }
}
static void unlock(void) { __atomic_store_n(&lock_word, 0, __ATOMIC_RELEASE); }

static struct hdr *hdr_of(void *p) { return (struct hdr *)((unsigned char *)p - HDR); }

// size: what the caller asked for (kept in the header, counted by pa_stats);
// reserve >= size: the space given (pvalloc gives whole pages).
static void *alloc_locked(size_t size, size_t reserve, size_t align) {
  if (reserve > ARENA_BYTES || align > 4096 || (align & (align - 1))) return NULL;
  if (align < 16) align = 16;
  size_t rounded = (reserve + 15) & ~(size_t)15;
  if (rounded == 0) rounded = 16;
  void *p = NULL;
  if (align == 16 && rounded <= BIN_MAX && bins[rounded / 16]) {
    p = bins[rounded / 16];
    bins[rounded / 16] = *(void **)p;
  } else {
    size_t start = top;
    size_t block = (start + HDR + align - 1) & ~(align - 1);
    if (block + rounded > ARENA_BYTES) return NULL;
    top = block + rounded;
    p = arena + block;
    hdr_of(p)->offset = (uint32_t)(block - start);
    hdr_of(p)->rounded = align == 16 && rounded <= BIN_MAX ? (uint32_t)rounded : 0;
  }
  hdr_of(p)->size = (uint32_t)size;
  hdr_of(p)->magic = MAGIC_LIVE;
  live_bytes += size;
  live_count += 1;
  return p;
}

static void *alloc_reserve(size_t size, size_t reserve, size_t align) {
  lock();
  void *p = alloc_locked(size, reserve, align);
  unlock();
  return p;
}

static void *alloc(size_t size, size_t align) { return alloc_reserve(size, size, align); }

static void release(void *p) {
  if (!p) return;
  lock();
  struct hdr *h = hdr_of(p);
  if (h->magic == MAGIC_LIVE) {
    h->magic = MAGIC_FREE;
    live_bytes -= h->size;
    live_count -= 1;
    if (h->rounded) {
      *(void **)p = bins[h->rounded / 16];
      bins[h->rounded / 16] = p;
    }
  }
  unlock();
}

PA_API void *pa_malloc(size_t size) { return alloc(size, 16); }

PA_API void pa_free(void *p) { release(p); }

PA_API void *pa_calloc(size_t nmemb, size_t size) {
  size_t n;
  if (__builtin_mul_overflow(nmemb, size, &n)) return NULL;
  void *p = alloc(n, 16);
  if (p) memset(p, 0, n);
  return p;
}

PA_API void *pa_realloc(void *old, size_t size) {
  if (!old) return alloc(size, 16);
  if (size == 0) {  // as glibc: free and return NULL
    release(old);
    return NULL;
  }
  void *p = alloc(size, 16);
  if (!p) return NULL;  // old stays allocated
  size_t keep = hdr_of(old)->size < size ? hdr_of(old)->size : size;
  memcpy(p, old, keep);
  release(old);
  return p;
}

PA_API void *pa_reallocarray(void *old, size_t nmemb, size_t size) {
  size_t n;
  if (__builtin_mul_overflow(nmemb, size, &n)) return NULL;
  if (!old) return alloc(n, 16);
  void *p = alloc(n, 16);
  if (!p) return NULL;
  size_t keep = hdr_of(old)->size < n ? hdr_of(old)->size : n;
  memcpy(p, old, keep);
  release(old);
  return p;
}

PA_API int pa_posix_memalign(void **out, size_t align, size_t size) {
  if (align < sizeof(void *) || (align & (align - 1))) return EINVAL;
  void *p = alloc(size, align);
  if (!p) return ENOMEM;
  *out = p;
  return 0;
}

PA_API void *pa_memalign(size_t align, size_t size) { return alloc(size, align); }

PA_API void *pa_aligned_alloc(size_t align, size_t size) { return alloc(size, align); }

PA_API void *pa_valloc(size_t size) { return alloc(size, 4096); }

PA_API void *pa_pvalloc(size_t size) { return alloc_reserve(size, (size + 4095) & ~(size_t)4095, 4096); }

// The allocator's own count of outstanding blocks and their requested bytes.
PA_API void pa_stats(size_t *bytes, size_t *count) {
  lock();
  *bytes = live_bytes;
  *count = live_count;
  unlock();
}
