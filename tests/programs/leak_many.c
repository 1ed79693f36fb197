// Ground truth for memleak.ms at scale: N outstanding small allocations
// (argument, default 1,000,000) from 4 call sites (many_a..many_d, sizes 16, 32,
// 48, 64, round-robin), for the "report of 1,000,000 outstanding allocations in
// under a second" check and the report-speed benchmark. Nothing is freed.
// Usage: leak_many [N] [--wait|--wait-start] (modes: leak_common.h): with --wait
// it stays alive after the work until SIGUSR1 or a line/EOF on a stdin pipe, so
// `-p` and interval reports can read all N outstanding allocations.
//
// Truth lines: many_<x>_fn / _bytes / _count / _size for x in a..d,
// total_leaked_bytes / total_leaked_count.
//
// Verified independently of memscript (2026-11-25, valgrind 3.19):
// `valgrind ./leak_many 100000` reports "in use at exit: 4,000,000 bytes in
// 100,000 blocks" = total_leaked_bytes/count for N = 100000.
#include "leak_common.h"

static long n = 1000000;
static long counts[4];
static void *blocks;  // the last block; each block holds the one before

#define SITE(x, size) \
  __attribute__((noinline)) static void *many_##x(void) { return malloc(size); }
SITE(a, 16)
SITE(b, 32)
SITE(c, 48)
SITE(d, 64)
static void *(*const sites[4])(void) = {many_a, many_b, many_c, many_d};
static const int sizes[4] = {16, 32, 48, 64};

static void work(void) {
  for (long i = 0; i < n; ++i) {
    void *p = sites[i & 3]();
    if (!p) exit(3);
    // The block links to the previous one: all of them stay reachable through
    // `blocks`, with no array of our own (which would be one more allocation).
    *(void **)p = blocks;
    blocks = p;
  }
}

int main(int argc, char **argv) {
  enum run_mode mode = truth_init(&argc, argv);
  if (argc > 1) n = atol(argv[1]);
  if (n < 0) return 2;
  long bytes = 0;
  for (int x = 0; x < 4; ++x) {
    counts[x] = n / 4 + (x < n % 4);
    truth("many_%c_fn=many_%c many_%c_bytes=%ld many_%c_count=%ld many_%c_size=%d", 'a' + x, 'a' + x, 'a' + x,
          counts[x] * sizes[x], 'a' + x, counts[x], 'a' + x, sizes[x]);
    bytes += counts[x] * sizes[x];
  }
  truth("total_leaked_bytes=%ld total_leaked_count=%ld", bytes, n);
  run_with_mode(mode, work);
  return 0;
}
