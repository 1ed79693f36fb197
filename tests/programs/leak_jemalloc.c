// Ground truth for memleak.ms on Debian's jemalloc (libjemalloc2 5.3.0, linked
// with -ljemalloc from libjemalloc-dev): `-O libjemalloc.so.2` must see these
// leaks. Each API leaks from its own function.
// Usage: leak_jemalloc [--wait|--wait-start] (modes: leak_common.h).
//
// `nm -D /usr/lib/x86_64-linux-gnu/libjemalloc.so.2` exports (T), unprefixed:
//   malloc calloc realloc free posix_memalign aligned_alloc memalign valloc
//   malloc_usable_size mallocx rallocx xallocx sallocx dallocx sdallocx nallocx
//   mallctl mallctlnametomib mallctlbymib malloc_stats_print, and C++ new/delete
//   (_Znwm, _ZdlPv, ... with nothrow/align_val_t/sized variants).
// It has NO pvalloc and NO reallocarray: those would resolve to glibc's, which
// (reallocarray) calls glibc's internal realloc on a jemalloc block, so this
// program does not use them. jemalloc gets its memory with mmap through libc
// (extents of 2 MiB and more): a tool tracing libc's mmap sees those too.
// libjemalloc.so.2 links libstdc++, whose load-time initialiser mallocs (through
// jemalloc) its 72,704-byte emergency exception pool and never frees it: under
// -c that block is outstanding too (not in the truth: it is not ours); with
// --wait-start and -p it predates the tracer.
//
// Truth lines: leak_je_<api>_fn / _bytes / _count for malloc, calloc, realloc
// (grow: the old block is freed), posix_memalign (plus 2 failed calls, alignment
// 3: not counted), aligned_alloc, memalign, valloc; total_leaked_bytes/count;
// churn_pairs (freed, must not count).
//
// Verified independently of memscript (2026-11-25): all sizes are jemalloc size
// classes, so usable size == requested size, and jemalloc's own statistics
// (mallctl "stats.allocated", after "thread.tcache.flush" and an "epoch" refresh)
// grow by exactly total_leaked_bytes over the work; the program checks it and
// exits 3 otherwise ("check:" line). tests/runtime/leak_truth.bt pointed at
// libjemalloc.so.2 (bpftrace, attached by pid, --wait-start) tallies exactly
// total_leaked_bytes/count (runtime test leak_jemalloc_bpftrace_pid), and on
// libc it sees no heap block at all (leak_jemalloc_not_in_libc).
#include <jemalloc/jemalloc.h>
#include <malloc.h>
#include <stdint.h>

#include "leak_common.h"

static void *volatile sink;
static int got;
static void keep(void *p) {
  if (!p) exit(3);
  sink = p;
  ++got;
}

__attribute__((noinline)) static void leak_je_malloc(void) {
  for (int i = 0; i < 8; ++i) keep(malloc(1024));
}
__attribute__((noinline)) static void leak_je_calloc(void) {
  for (int i = 0; i < 6; ++i) keep(calloc(16, 20));
}
__attribute__((noinline)) static void leak_je_realloc(void) {
  for (int i = 0; i < 4; ++i) keep(realloc(malloc(64), 2048));
}
__attribute__((noinline)) static void leak_je_posix_memalign(void) {
  static char not_heap[2][16];
  for (int i = 0; i < 3; ++i) {
    void *p = NULL;
    if (posix_memalign(&p, 64, 512) != 0) exit(3);
    keep(p);
  }
  for (int i = 0; i < 2; ++i) {
    void *p = not_heap[i];
    if (posix_memalign(&p, 3, 513) == 0 || p != not_heap[i]) exit(3);
  }
}
__attribute__((noinline)) static void leak_je_aligned_alloc(void) {
  for (int i = 0; i < 2; ++i) keep(aligned_alloc(4096, 8192));
}
__attribute__((noinline)) static void leak_je_memalign(void) {
  for (int i = 0; i < 2; ++i) keep(memalign(256, 768));
}
__attribute__((noinline)) static void leak_je_valloc(void) {
  for (int i = 0; i < 2; ++i) keep(valloc(4096));
}
#define CHURN 20000
__attribute__((noinline)) static void churn(void) {
  for (int i = 0; i < CHURN; ++i) {
    void *volatile p = malloc(16 + (size_t)(i * 29) % 3000);
    free(p);
  }
}

static size_t je_allocated(void) {
  uint64_t epoch = 1;
  size_t len = sizeof epoch, allocated = 0;
  mallctl("thread.tcache.flush", NULL, NULL, NULL, 0);
  mallctl("epoch", &epoch, &len, &epoch, len);
  len = sizeof allocated;
  if (mallctl("stats.allocated", &allocated, &len, NULL, 0) != 0) {
    fprintf(stderr, "leak_jemalloc: mallctl stats.allocated failed\n");
    exit(3);
  }
  return allocated;
}

static long total_bytes, total_count;

static void work(void) {
  size_t before = je_allocated();
  churn();
  leak_je_malloc();
  leak_je_calloc();
  leak_je_realloc();
  leak_je_posix_memalign();
  leak_je_aligned_alloc();
  leak_je_memalign();
  leak_je_valloc();
  churn();
  size_t grown = je_allocated() - before;
  if ((long)grown != total_bytes || got != total_count) {
    fprintf(stderr, "leak_jemalloc: stats.allocated grew by %zu, truth %ld\n", grown, total_bytes);
    exit(3);
  }
  printf("check: jemalloc stats.allocated grew by %zu bytes, as the truth says\n", grown);
}

static void api(const char *name, long count, long each) {
  truth("leak_%s_fn=leak_%s leak_%s_bytes=%ld leak_%s_count=%ld", name, name, name, count * each, name, count);
  total_bytes += count * each;
  total_count += count;
}

int main(int argc, char **argv) {
  enum run_mode mode = truth_init(&argc, argv);
  api("je_malloc", 8, 1024);
  api("je_calloc", 6, 16 * 20);
  api("je_realloc", 4, 2048);
  api("je_posix_memalign", 3, 512);
  api("je_aligned_alloc", 2, 8192);
  api("je_memalign", 2, 768);
  api("je_valloc", 2, 4096);
  truth("total_leaked_bytes=%ld total_leaked_count=%ld churn_pairs=%d", total_bytes, total_count, 2 * CHURN);
  run_with_mode(mode, work);
  return 0;
}
