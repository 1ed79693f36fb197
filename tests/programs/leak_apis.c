// Ground truth for memleak.ms: leaks through every allocation API that glibc
// offers, each from its own non-inlined function named in the truth, next to
// cases a leak detector must NOT count (failed allocations, frees, realloc's
// old block, churn). Usage: leak_apis [--wait|--wait-start] [--valgrind]
// (modes: leak_common.h; --valgrind: see "Verified" below).
//
// Truth lines (all bytes are requested sizes, as the allocator's arguments say):
//   leak_<api>_fn=<function> leak_<api>_bytes=<B> leak_<api>_count=<N>  for each API
//   heap_leaked_bytes / heap_leaked_count     malloc family (everything but mmap)
//   mmap_leaked_bytes / mmap_leaked_count     mmap family (bytes still mapped)
//   total_leaked_bytes / total_leaked_count   both
//   not_leaked_fns=...                        functions that must not appear in a report
//
// What glibc 2.36 (Debian 12) does in the edge cases, and what counts:
//   realloc(NULL, n)      is malloc(n): a new block of n bytes (leak_realloc_null).
//   realloc(p, 0)         frees p (calling free: a free probe fires nested) and
//                         returns NULL (glibc's REALLOC_ZERO_BYTES_FREES):
//                         nothing outstanding; a tool that reads NULL as "realloc
//                         failed, p still live" over-counts (realloc_zero).
//   realloc(p, huge)      fails, returns NULL and p stays allocated (leak_realloc_fail
//                         leaks the original blocks; the failed call adds nothing).
//   realloc grow          the old block is freed (moved or grown in place: both happen
//                         here, the last block sits at the top of the heap).
//   reallocarray(p, n, m) glibc implements it by calling realloc (a probe on realloc
//                         fires nested inside reallocarray: count it once).
//   aligned_alloc         is memalign in glibc 2.36: one address, two names (nm -D
//                         libc.so.6); a tool probing both sees every call twice.
//                         Likewise malloc/__libc_malloc, free/cfree, mmap/mmap64.
//   realloc(NULL, n)      does not fire a malloc probe: glibc inlines malloc there
//                         (checked with bpftrace: no malloc entry inside realloc).
//   posix_memalign        success (0) leaks *memptr; a failed call (alignment 3:
//                         EINVAL) leaves *memptr untouched: we preset it to a static
//                         address, so a tool that reads the out-pointer without the
//                         result records a bogus block there.
//   pvalloc(n)            rounds n up to the page size: requested 2200, usable 4096;
//                         the truth counts requested bytes (as BCC memleak does) and
//                         also says the rounded figure (leak_pvalloc_rounded_bytes).
//   malloc/calloc failing (size > PTRDIFF_MAX, calloc overflow) return NULL without
//                         touching mmap: nothing counts.
//   mmap failing          (length 0: EINVAL; no MAP_ANONYMOUS and fd -1: EBADF) return
//                         MAP_FAILED: nothing counts.
//   munmap of part        of a mapping: only the rest stays (bytes exact below;
//                         count = mmap calls still partly mapped).
//   mremap grow           (MREMAP_MAYMOVE) the old range is gone; the new length counts.
//   munmap of a range     that no traced call mapped (mapped with syscall(SYS_mmap),
//                         which bypasses libc's mmap): must be ignored, and must not
//                         disturb anything tracked.
//   free(NULL)            100 times: must be ignored.
//   alloc_early/free_early  10 blocks malloc'd in main before any wait and freed
//                         by the work: with --wait-start, frees of addresses a
//                         tracer attached by pid never saw; with -c, net 0.
//   address reuse         malloc+free of one size 20 times (glibc's tcache hands back
//                         the same address), then one more malloc kept: 1 block.
//   churn                 50,000 malloc/free pairs with up to 8 live at once, sizes
//                         16..4096: a tool that misses frees over-counts.
// All heap sizes stay below glibc's mmap threshold (128 KiB), so no malloc goes
// through mmap and the heap and mmap families do not overlap; the program is
// single-threaded, so glibc makes no arena mappings either.
//
// Verified independently of memscript (2026-11-25, glibc 2.36, valgrind 3.19):
//   `valgrind ./leak_apis --valgrind` reports "in use at exit: 67,371 bytes in 51
//   blocks" and "100,094 allocs, 100,043 frees", exactly heap_leaked_bytes and
//   heap_leaked_count of that run (runtime test leak_apis_valgrind pins it).
//   Valgrind's own realloc also frees on realloc(p, 0); the program checks glibc's
//   (NULL result) itself. pvalloc is left out there because valgrind 3.19 aborts
//   on it; with it, heap_leaked_* grow by exactly leak_pvalloc_* (2 x 2200).
//   tests/runtime/leak_truth.bt (bpftrace 0.17, its own per-thread/per-address
//   bookkeeping on libc's uprobes) tallies exactly heap_leaked_bytes/count,
//   mmap_net_libc_bytes and mmap_libc_calls, under -c (runtime test
//   leak_apis_bpftrace) and attached by pid with --wait-start, where the
//   alloc_early frees are of untracked addresses (leak_apis_bpftrace_pid).
//   The mmap family is self-checked at the end with mincore(): every leaked range
//   is mapped, every unmapped part is not (exit 3 and a message otherwise). Not
//   under --valgrind: valgrind's mincore does not fail on the unmapped holes.
//   Runtime tests leak_apis_valgrind and leak_apis_self_checks run both.
#define _GNU_SOURCE
#include <malloc.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include "leak_common.h"

#define PAGE 4096

// Counts the blocks that the leak_* functions got (the pointers themselves are
// dead stores the compiler may drop: valgrind calls the blocks "definitely lost").
static void *kept[256];
static int nkept;
static void keep(void *p) {
  if (p) kept[nkept++] = p;
}

// The sizes are all different so a test can also tell the APIs apart by size.
#define MALLOC_N 10
#define MALLOC_SIZE 1000
#define CALLOC_N 12
#define CALLOC_NMEMB 40
#define CALLOC_SIZE 10
#define REALLOC_N 5
#define REALLOC_FROM 300
#define REALLOC_TO 3000
#define REALLOC_NULL_N 3
#define REALLOC_NULL_SIZE 2000
#define REALLOC_FAIL_N 2
#define REALLOC_FAIL_SIZE 800
#define REALLOC_ZERO_N 4
#define REALLOC_ZERO_SIZE 700
#define REALLOCARRAY_N 4
#define REALLOCARRAY_FROM 96
#define REALLOCARRAY_NMEMB 50
#define REALLOCARRAY_SIZE 24
#define POSIX_MEMALIGN_N 6
#define POSIX_MEMALIGN_ALIGN 64
#define POSIX_MEMALIGN_SIZE 1500
#define POSIX_MEMALIGN_BAD_N 3
#define MEMALIGN_N 3
#define MEMALIGN_ALIGN 256
#define MEMALIGN_SIZE 1700
#define ALIGNED_ALLOC_N 3
#define ALIGNED_ALLOC_ALIGN 128
#define ALIGNED_ALLOC_SIZE 1920
#define VALLOC_N 2
#define VALLOC_SIZE 2100
#define PVALLOC_N 2
#define PVALLOC_SIZE 2200
#define REUSE_ROUNDS 20
#define REUSE_SIZE 1111
#define FREE_NULL_N 100
#define EARLY_N 10
#define EARLY_SIZE 900
#define CHURN_PAIRS 50000

#define MMAP_N 3
#define MMAP_LEN (16 * PAGE)
#define MREMAP_FROM (4 * PAGE)
#define MREMAP_TO (12 * PAGE)
#define MMAP_CHURN 200

// --valgrind leaves pvalloc out (valgrind 3.19 aborts the program on it:
// "Program aborting because of call to pvalloc") and the mincore check.
static int with_pvalloc = 1;

static volatile size_t huge_size = (size_t)PTRDIFF_MAX + 1;  // volatile: no compile-time warning or folding

__attribute__((noinline)) static void leak_malloc(void) {
  for (int i = 0; i < MALLOC_N; ++i) keep(malloc(MALLOC_SIZE));
}

__attribute__((noinline)) static void leak_calloc(void) {
  for (int i = 0; i < CALLOC_N; ++i) keep(calloc(CALLOC_NMEMB, CALLOC_SIZE));
}

// All small blocks first, then grow each: the neighbours are live, so most move;
// the last one borders the top of the heap and may grow in place.
__attribute__((noinline)) static void leak_realloc(void) {
  void *p[REALLOC_N];
  for (int i = 0; i < REALLOC_N; ++i) p[i] = malloc(REALLOC_FROM);
  for (int i = 0; i < REALLOC_N; ++i) keep(realloc(p[i], REALLOC_TO));
}

__attribute__((noinline)) static void leak_realloc_null(void) {
  for (int i = 0; i < REALLOC_NULL_N; ++i) keep(realloc(NULL, REALLOC_NULL_SIZE));
}

// The realloc fails; the original block stays allocated and is what leaks.
__attribute__((noinline)) static void leak_realloc_fail(void) {
  for (int i = 0; i < REALLOC_FAIL_N; ++i) {
    void *p = malloc(REALLOC_FAIL_SIZE);
    void *q = realloc(p, huge_size);
    if (q) {
      fprintf(stderr, "leak_apis: realloc of %zu bytes succeeded?\n", huge_size);
      exit(3);
    }
    keep(p);
  }
}

// realloc(p, 0) frees p in glibc and returns NULL: nothing leaks.
__attribute__((noinline)) static void realloc_zero(void) {
  for (int i = 0; i < REALLOC_ZERO_N; ++i) {
    void *p = malloc(REALLOC_ZERO_SIZE);
    void *q = realloc(p, 0);
    if (q) {
      fprintf(stderr, "leak_apis: realloc(p, 0) returned a block: not glibc's behaviour\n");
      exit(3);
    }
  }
}

__attribute__((noinline)) static void leak_reallocarray(void) {
  for (int i = 0; i < REALLOCARRAY_N; ++i) {
    void *p = malloc(REALLOCARRAY_FROM);
    keep(reallocarray(p, REALLOCARRAY_NMEMB, REALLOCARRAY_SIZE));
  }
}

__attribute__((noinline)) static void leak_posix_memalign(void) {
  for (int i = 0; i < POSIX_MEMALIGN_N; ++i) {
    void *p = NULL;
    if (posix_memalign(&p, POSIX_MEMALIGN_ALIGN, POSIX_MEMALIGN_SIZE) == 0) keep(p);
  }
}

// Alignment 3 is not a power of two: EINVAL, *memptr untouched.
static char not_heap[POSIX_MEMALIGN_BAD_N][64];
__attribute__((noinline)) static void posix_memalign_fail(void) {
  for (int i = 0; i < POSIX_MEMALIGN_BAD_N; ++i) {
    void *p = not_heap[i];
    int rc = posix_memalign(&p, 3, POSIX_MEMALIGN_SIZE + 1);
    if (rc != EINVAL || p != not_heap[i]) {
      fprintf(stderr, "leak_apis: posix_memalign(3) gave %d\n", rc);
      exit(3);
    }
  }
}

__attribute__((noinline)) static void leak_memalign(void) {
  for (int i = 0; i < MEMALIGN_N; ++i) keep(memalign(MEMALIGN_ALIGN, MEMALIGN_SIZE));
}

__attribute__((noinline)) static void leak_aligned_alloc(void) {
  for (int i = 0; i < ALIGNED_ALLOC_N; ++i) keep(aligned_alloc(ALIGNED_ALLOC_ALIGN, ALIGNED_ALLOC_SIZE));
}

__attribute__((noinline)) static void leak_valloc(void) {
  for (int i = 0; i < VALLOC_N; ++i) keep(valloc(VALLOC_SIZE));
}

__attribute__((noinline)) static void leak_pvalloc(void) {
  for (int i = 0; i < PVALLOC_N; ++i) keep(pvalloc(PVALLOC_SIZE));
}

__attribute__((noinline)) static void malloc_fail(void) {
  for (int i = 0; i < 3; ++i) {
    void *volatile p = malloc(huge_size);
    void *volatile q = calloc(huge_size, 4);  // nmemb * size overflows
    if (p || q) {
      fprintf(stderr, "leak_apis: a huge malloc/calloc succeeded?\n");
      exit(3);
    }
  }
}

// Same size allocated and freed again and again: the addresses repeat.
__attribute__((noinline)) static void leak_reuse(void) {
  void *first = NULL;
  int same = 0;
  for (int i = 0; i < REUSE_ROUNDS; ++i) {
    void *volatile p = malloc(REUSE_SIZE);
    if (!first) first = p;
    same += p == first;
    free(p);
  }
  void *last = malloc(REUSE_SIZE);
  same += last == first;
  keep(last);
  printf("check: leak_reuse got the same address %d times of %d\n", same, REUSE_ROUNDS + 1);
}

__attribute__((noinline)) static void free_null(void) {
  for (int i = 0; i < FREE_NULL_N; ++i) free(NULL);
}

// Allocated in main before any wait, freed by the work: under --wait-start a
// tracer attached by pid never saw these allocations, so the frees are of
// addresses it does not track (ignore them); under -c both are seen (net 0).
static void *early[EARLY_N];
__attribute__((noinline)) static void alloc_early(void) {
  for (int i = 0; i < EARLY_N; ++i) early[i] = malloc(EARLY_SIZE);
}
__attribute__((noinline)) static void free_early(void) {
  for (int i = 0; i < EARLY_N; ++i) free(early[i]);
}

__attribute__((noinline)) static void churn(void) {
  void *slot[8] = {0};
  for (int i = 0; i < CHURN_PAIRS; ++i) {
    int s = i & 7;
    free(slot[s]);
    slot[s] = malloc(16 + (size_t)(i * 37) % 4081);
  }
  for (int s = 0; s < 8; ++s) free(slot[s]);
}

// --- mmap family -------------------------------------------------------------

static void *anon(size_t len) {
  void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) {
    perror("leak_apis: mmap");
    exit(3);
  }
  return p;
}

static void *mapped[MMAP_N];
__attribute__((noinline)) static void leak_mmap(void) {
  for (int i = 0; i < MMAP_N; ++i) mapped[i] = anon(MMAP_LEN);
}

// Mapping A: 10 pages, pages [2,6) unmapped: 2 + 4 pages stay, in two pieces.
// Mapping B: 8 pages, the last 3 unmapped: 5 pages stay.
static char *part_a, *part_b;
#define PART_A_PAGES 10
#define PART_B_PAGES 8
#define PARTIAL_BYTES ((PART_A_PAGES - 4 + PART_B_PAGES - 3) * PAGE)
__attribute__((noinline)) static void leak_mmap_partial(void) {
  part_a = anon(PART_A_PAGES * PAGE);
  munmap(part_a + 2 * PAGE, 4 * PAGE);
  part_b = anon(PART_B_PAGES * PAGE);
  munmap(part_b + 5 * PAGE, 3 * PAGE);
}

// Grown with MREMAP_MAYMOVE. mmap places mappings top-down, so the range right
// after this one is usually taken and the mapping moves; the check line says
// which happened (both must leave exactly MREMAP_TO bytes counted).
static char *remap_old, *remap_new;
__attribute__((noinline)) static void leak_mremap(void) {
  remap_old = anon(MREMAP_FROM);
  remap_new = mremap(remap_old, MREMAP_FROM, MREMAP_TO, MREMAP_MAYMOVE);
  if (remap_new == MAP_FAILED) {
    perror("leak_apis: mremap");
    exit(3);
  }
}

__attribute__((noinline)) static void mmap_fail(void) {
  for (int i = 0; i < 3; ++i) {
    void *a = mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);  // EINVAL
    void *b = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, -1, 0);               // EBADF
    if (a != MAP_FAILED || b != MAP_FAILED) {
      fprintf(stderr, "leak_apis: a bad mmap succeeded?\n");
      exit(3);
    }
  }
}

// Mapped behind libc's back (raw syscall: no uprobe on mmap sees it), unmapped
// through libc: a munmap of an address no traced call returned.
#define UNTRACKED_BYTES (4 * PAGE)
__attribute__((noinline)) static void munmap_untracked(void) {
  void *p =
      (void *)syscall(SYS_mmap, NULL, UNTRACKED_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) {
    perror("leak_apis: raw mmap");
    exit(3);
  }
  munmap(p, UNTRACKED_BYTES);
}

__attribute__((noinline)) static void mmap_churn(void) {
  for (int i = 0; i < MMAP_CHURN; ++i) {
    void *p = anon(2 * PAGE);
    munmap(p, 2 * PAGE);
  }
}

// mincore() fails with ENOMEM when a range holds an unmapped page.
static int is_mapped(const void *p, size_t len) {
  unsigned char vec[64];
  return mincore((void *)p, len, vec) == 0;
}
static int is_unmapped(const void *p, size_t len) {
  unsigned char vec[64];
  for (size_t off = 0; off < len; off += PAGE)
    if (mincore((char *)p + off, PAGE, vec) == 0 || errno != ENOMEM) return 0;
  return 1;
}

static void check_mappings(void) {
  int ok = 1;
  for (int i = 0; i < MMAP_N; ++i) ok &= is_mapped(mapped[i], MMAP_LEN);
  ok &=
      is_mapped(part_a, 2 * PAGE) && is_unmapped(part_a + 2 * PAGE, 4 * PAGE) && is_mapped(part_a + 6 * PAGE, 4 * PAGE);
  ok &= is_mapped(part_b, 5 * PAGE) && is_unmapped(part_b + 5 * PAGE, 3 * PAGE);
  ok &= is_mapped(remap_new, MREMAP_TO);
  if (remap_new != remap_old) ok &= is_unmapped(remap_old, MREMAP_FROM);
  if (!ok) {
    fprintf(stderr, "leak_apis: the mappings are not what the truth says\n");
    exit(3);
  }
  printf("check: mmap family mapped as the truth says (mremap %s)\n", remap_new == remap_old ? "in place" : "moved");
}

static void work(void) {
  churn();
  leak_malloc();
  leak_calloc();
  leak_realloc();
  leak_realloc_null();
  leak_realloc_fail();
  realloc_zero();
  leak_reallocarray();
  leak_posix_memalign();
  posix_memalign_fail();
  leak_memalign();
  leak_aligned_alloc();
  leak_valloc();
  if (with_pvalloc) leak_pvalloc();
  malloc_fail();
  leak_reuse();
  free_null();
  free_early();
  churn();
  leak_mmap();
  leak_mmap_partial();
  leak_mremap();
  mmap_fail();
  munmap_untracked();
  mmap_churn();
  if (with_pvalloc) check_mappings();
  if (nkept != MALLOC_N + CALLOC_N + REALLOC_N + REALLOC_NULL_N + REALLOC_FAIL_N + REALLOCARRAY_N + POSIX_MEMALIGN_N +
                   MEMALIGN_N + ALIGNED_ALLOC_N + VALLOC_N + with_pvalloc * PVALLOC_N + 1) {
    fprintf(stderr, "leak_apis: an allocation failed (%d blocks kept)\n", nkept);
    exit(3);
  }
}

static long heap_bytes, heap_count, mmap_bytes, mmap_count;

static void api(const char *name, const char *fn, long count, long each, int is_mmap) {
  truth("leak_%s_fn=%s leak_%s_bytes=%ld leak_%s_count=%ld", name, fn, name, count * each, name, count);
  if (is_mmap) {
    mmap_bytes += count * each;
    mmap_count += count;
  } else {
    heap_bytes += count * each;
    heap_count += count;
  }
}

int main(int argc, char **argv) {
  enum run_mode mode = truth_init(&argc, argv);
  if (argc > 1 && strcmp(argv[1], "--valgrind") == 0) with_pvalloc = 0;
  api("malloc", "leak_malloc", MALLOC_N, MALLOC_SIZE, 0);
  api("calloc", "leak_calloc", CALLOC_N, CALLOC_NMEMB * CALLOC_SIZE, 0);
  api("realloc", "leak_realloc", REALLOC_N, REALLOC_TO, 0);
  api("realloc_null", "leak_realloc_null", REALLOC_NULL_N, REALLOC_NULL_SIZE, 0);
  api("realloc_fail", "leak_realloc_fail", REALLOC_FAIL_N, REALLOC_FAIL_SIZE, 0);
  api("reallocarray", "leak_reallocarray", REALLOCARRAY_N, REALLOCARRAY_NMEMB * REALLOCARRAY_SIZE, 0);
  api("posix_memalign", "leak_posix_memalign", POSIX_MEMALIGN_N, POSIX_MEMALIGN_SIZE, 0);
  api("memalign", "leak_memalign", MEMALIGN_N, MEMALIGN_SIZE, 0);
  api("aligned_alloc", "leak_aligned_alloc", ALIGNED_ALLOC_N, ALIGNED_ALLOC_SIZE, 0);
  api("valloc", "leak_valloc", VALLOC_N, VALLOC_SIZE, 0);
  if (with_pvalloc) {
    api("pvalloc", "leak_pvalloc", PVALLOC_N, PVALLOC_SIZE, 0);
    truth("leak_pvalloc_rounded_bytes=%d", PVALLOC_N * PAGE);
  }
  api("reuse", "leak_reuse", 1, REUSE_SIZE, 0);
  api("mmap", "leak_mmap", MMAP_N, MMAP_LEN, 1);
  truth(
      "leak_mmap_partial_fn=leak_mmap_partial leak_mmap_partial_bytes=%d leak_mmap_partial_count=2 "
      "leak_mmap_partial_pieces=3 leak_mmap_partial_unmapped_bytes=%d",
      PARTIAL_BYTES, 7 * PAGE);
  mmap_bytes += PARTIAL_BYTES;
  mmap_count += 2;
  api("mremap", "leak_mremap", 1, MREMAP_TO, 1);
  truth("heap_leaked_bytes=%ld heap_leaked_count=%ld", heap_bytes, heap_count);
  truth("mmap_leaked_bytes=%ld mmap_leaked_count=%ld", mmap_bytes, mmap_count);
  // What a tally without range bookkeeping gets (libc mmap/mremap bytes minus
  // libc munmap bytes): the untracked range's munmap also goes through libc.
  truth("mmap_net_libc_bytes=%ld mmap_libc_calls=%d", mmap_bytes - UNTRACKED_BYTES, MMAP_N + 2 + 1 + MMAP_CHURN);
  truth("total_leaked_bytes=%ld total_leaked_count=%ld", heap_bytes + mmap_bytes, heap_count + mmap_count);
  truth(
      "not_leaked_fns=churn,realloc_zero,posix_memalign_fail,malloc_fail,free_null,alloc_early,mmap_fail,munmap_"
      "untracked,"
      "mmap_churn churn_pairs=%d mmap_churn_pairs=%d",
      2 * CHURN_PAIRS, MMAP_CHURN);
  alloc_early();
  run_with_mode(mode, work);
  return 0;
}
