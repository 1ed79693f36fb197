// Ground truth for memleak.ms on a prefixed allocator: leaks known amounts
// through libprefalloc.so's pa_* functions (each API from its own function),
// plus a separate, known amount through plain libc malloc. Traced with
// `--symbols-prefix pa_ -O <dir>/libprefalloc.so`, a report must show exactly
// the pa_ leaks (prefixed_leaked_*) and none of the libc ones (libc_leaked_*,
// from leak_libc_malloc); traced on libc, the other way round.
// Usage: leak_prefixed [--wait|--wait-start] (modes: leak_common.h).
//
// Truth lines: leak_pa_<api>_fn / _bytes / _count for pa_malloc, pa_calloc,
// pa_realloc (grow: the old block is freed), pa_realloc_null (pa_realloc(NULL, n)),
// pa_posix_memalign (plus 2 failed calls, alignment 3: not counted),
// pa_memalign, pa_aligned_alloc, pa_valloc, pa_pvalloc (requested bytes),
// pa_reallocarray (grow: the old block is freed); pa_realloc(p, 0) frees p;
// prefixed_leaked_bytes/count, libc_leaked_bytes/count (leak_libc_malloc),
// pa_churn_pairs and libc_churn_pairs (freed, must not count).
//
// Verified independently of memscript (2026-11-25): libprefalloc's own
// bookkeeping (pa_stats: requested bytes and count of live blocks) grows by
// exactly prefixed_leaked_bytes/count over the work; the program checks it and
// exits 3 otherwise ("check:" line). `valgrind ./leak_prefixed` reports "in use at
// exit: 15,000 bytes in 6 blocks" = libc_leaked_* (valgrind cannot see pa_*).
// tests/runtime/leak_truth.bt (bpftrace) pointed at libprefalloc.so:pa_* and
// attached by pid (--wait-start) tallies exactly prefixed_leaked_bytes/count
// (runtime test leak_prefixed_bpftrace_pid); on libc, exactly libc_leaked_*
// (leak_prefixed_bpftrace).
#include <stdint.h>

#include "leak_common.h"

void *pa_malloc(size_t size);
void pa_free(void *p);
void *pa_calloc(size_t nmemb, size_t size);
void *pa_realloc(void *p, size_t size);
int pa_posix_memalign(void **out, size_t align, size_t size);
void *pa_memalign(size_t align, size_t size);
void *pa_aligned_alloc(size_t align, size_t size);
void *pa_valloc(size_t size);
void *pa_pvalloc(size_t size);
void *pa_reallocarray(void *p, size_t nmemb, size_t size);
void pa_stats(size_t *bytes, size_t *count);

static void *volatile sink;
static int got;
static void keep(void *p) {
  if (!p) exit(3);
  sink = p;
  ++got;
}

__attribute__((noinline)) static void leak_pa_malloc(void) {
  for (int i = 0; i < 7; ++i) keep(pa_malloc(640));
}
__attribute__((noinline)) static void leak_pa_calloc(void) {
  for (int i = 0; i < 5; ++i) keep(pa_calloc(12, 30));
}
__attribute__((noinline)) static void leak_pa_realloc(void) {
  for (int i = 0; i < 4; ++i) keep(pa_realloc(pa_malloc(100), 1400));
}
__attribute__((noinline)) static void leak_pa_realloc_null(void) {
  for (int i = 0; i < 2; ++i) keep(pa_realloc(NULL, 1800));
}
__attribute__((noinline)) static void pa_realloc_zero(void) {
  for (int i = 0; i < 3; ++i)
    if (pa_realloc(pa_malloc(750), 0)) exit(3);
}
__attribute__((noinline)) static void leak_pa_posix_memalign(void) {
  static char not_heap[2][16];
  for (int i = 0; i < 3; ++i) {
    void *p = NULL;
    if (pa_posix_memalign(&p, 64, 900) != 0) exit(3);
    keep(p);
  }
  for (int i = 0; i < 2; ++i) {  // failures: *out untouched, nothing counts
    void *p = not_heap[i];
    if (pa_posix_memalign(&p, 3, 901) == 0 || p != not_heap[i]) exit(3);
  }
}
__attribute__((noinline)) static void leak_pa_memalign(void) {
  for (int i = 0; i < 3; ++i) keep(pa_memalign(128, 1100));
}
__attribute__((noinline)) static void leak_pa_aligned_alloc(void) {
  for (int i = 0; i < 2; ++i) keep(pa_aligned_alloc(256, 1280));
}
__attribute__((noinline)) static void leak_pa_valloc(void) {
  for (int i = 0; i < 2; ++i) keep(pa_valloc(1700));
}
__attribute__((noinline)) static void leak_pa_pvalloc(void) {
  for (int i = 0; i < 2; ++i) keep(pa_pvalloc(1900));
}
__attribute__((noinline)) static void leak_pa_reallocarray(void) {
  for (int i = 0; i < 3; ++i) keep(pa_reallocarray(pa_malloc(48), 40, 26));
}
#define PA_CHURN 10000
__attribute__((noinline)) static void pa_churn(void) {
  for (int i = 0; i < PA_CHURN; ++i) pa_free(pa_malloc(16 + (size_t)(i * 53) % 2000));
}

#define LIBC_N 6
#define LIBC_SIZE 2500
#define LIBC_CHURN 5000
__attribute__((noinline)) static void leak_libc_malloc(void) {
  for (int i = 0; i < LIBC_N; ++i) {
    void *p = malloc(LIBC_SIZE);
    if (!p) exit(3);
    sink = p;
  }
}
__attribute__((noinline)) static void libc_churn(void) {
  for (int i = 0; i < LIBC_CHURN; ++i) {
    void *volatile p = malloc(32 + (size_t)i % 500);
    free(p);
  }
}

static long pa_bytes, pa_count;

static void work(void) {
  size_t b0, c0, b1, c1;
  pa_stats(&b0, &c0);
  pa_churn();
  leak_pa_malloc();
  leak_pa_calloc();
  leak_pa_realloc();
  leak_pa_realloc_null();
  pa_realloc_zero();
  leak_pa_posix_memalign();
  leak_pa_memalign();
  leak_pa_aligned_alloc();
  leak_pa_valloc();
  leak_pa_pvalloc();
  leak_pa_reallocarray();
  leak_libc_malloc();
  libc_churn();
  pa_churn();
  pa_stats(&b1, &c1);
  if ((long)(b1 - b0) != pa_bytes || (long)(c1 - c0) != pa_count || got != pa_count) {
    fprintf(stderr, "leak_prefixed: pa_stats says %zu bytes in %zu blocks, truth %ld in %ld\n", b1 - b0, c1 - c0,
            pa_bytes, pa_count);
    exit(3);
  }
  printf("check: pa_stats outstanding %zu bytes in %zu blocks, as the truth says\n", b1 - b0, c1 - c0);
}

static void api(const char *name, long count, long each) {
  truth("leak_%s_fn=leak_%s leak_%s_bytes=%ld leak_%s_count=%ld", name, name, name, count * each, name, count);
  pa_bytes += count * each;
  pa_count += count;
}

int main(int argc, char **argv) {
  enum run_mode mode = truth_init(&argc, argv);
  api("pa_malloc", 7, 640);
  api("pa_calloc", 5, 12 * 30);
  api("pa_realloc", 4, 1400);
  api("pa_realloc_null", 2, 1800);
  api("pa_posix_memalign", 3, 900);
  api("pa_memalign", 3, 1100);
  api("pa_aligned_alloc", 2, 1280);
  api("pa_valloc", 2, 1700);
  api("pa_pvalloc", 2, 1900);  // requested bytes; each takes a whole page
  api("pa_reallocarray", 3, 40 * 26);
  truth("prefixed_leaked_bytes=%ld prefixed_leaked_count=%ld", pa_bytes, pa_count);
  truth("libc_leaked_fn=leak_libc_malloc libc_leaked_bytes=%d libc_leaked_count=%d libc_leaked_size=%d",
        LIBC_N * LIBC_SIZE, LIBC_N, LIBC_SIZE);
  truth("not_leaked_fns=pa_churn,pa_realloc_zero,libc_churn pa_churn_pairs=%d libc_churn_pairs=%d", 2 * PA_CHURN,
        LIBC_CHURN);
  run_with_mode(mode, work);
  return 0;
}
