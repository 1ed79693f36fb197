// Ground truth for memleak.ms under concurrency: N threads (argument, default 4,
// at most 8) each leak a known number of blocks of a thread-specific size from
// a function of their own (leak_in_thread_<i>), interleaved with malloc/free
// churn of other sizes in the same threads and in 2 churn-only threads. A tool
// that keys the pending malloc size by process instead of by thread records
// wrong sizes (a churn size for a leak, or the other way round).
// Usage: leak_threads [N] [--wait|--wait-start] (modes: leak_common.h).
//
// Truth lines: leak_thread_<i>_fn / _bytes / _count / _size for each thread,
// threads=N, total_leaked_bytes / total_leaked_count (our functions only).
//
// glibc's own allocations (not in the totals; filter the report by function):
//   pthread_create allocates each thread's DTV with calloc (_dl_allocate_tls) and
//   its stack with mmap; joined threads' stacks and DTVs stay cached, so they are
//   outstanding. Each thread's first malloc maps a new arena (mmap of 64 MiB,
//   then munmap of the unaligned parts). In --wait-start mode all threads are
//   created and have done a first malloc/free before the start signal, so a
//   tracer attached by pid before the release sees none of that: only our leaks,
//   and, at join, munmaps of thread stacks that glibc drops from its 40 MiB stack
//   cache (with 8 threads of 8 MiB): unmaps of ranges mapped before the tracer
//   attached, which a leak detector must ignore.
//
// Verified independently of memscript (2026-11-25, glibc 2.36, valgrind 3.19):
//   `valgrind --leak-check=full ./leak_threads` reports "in use at exit: 92,416 bytes
//   in 32 blocks" = total_leaked_bytes/count for 4 threads (valgrind runs glibc's
//   freeres at exit, which releases the cached DTVs), and per leak_in_thread_<i>
//   the blocks of that thread's size (the last block a thread leaked is "still
//   reachable" through `sink`, the others "definitely lost"). The runtime test
//   leak_threads_valgrind pins the totals. tests/runtime/leak_truth.bt (bpftrace,
//   attached by pid, --wait-start) tallies exactly total_leaked_bytes/count for
//   6 threads (runtime test leak_threads_bpftrace_pid).
#include <pthread.h>
#include <stdint.h>

#include "leak_common.h"

#define MAX_THREADS 8
#define CHURNERS 2
#define CHURN_PER_LEAK 500

static int nthreads = 4;
static pthread_barrier_t start_line;
static void *volatile sink;

static size_t leak_size(int i) { return 1024 * (size_t)(i + 1) + 8; }
static int leak_count(int i) { return 5 + 2 * i; }

// Churn sizes are never leak sizes (odd multiples of 8 below 1000), so a size
// mixed up between threads shows in the report.
__attribute__((noinline)) static void churn_some(uint32_t *x, int pairs) {
  for (int k = 0; k < pairs; ++k) {
    *x ^= *x << 13, *x ^= *x >> 17, *x ^= *x << 5;
    void *volatile p = malloc(8 + 16 * (*x % 60));
    free(p);
  }
}

#define LEAKER(i)                                                         \
  __attribute__((noinline)) static void leak_in_thread_##i(uint32_t *x) { \
    for (int k = 0; k < leak_count(i); ++k) {                             \
      void *p = malloc(leak_size(i));                                     \
      if (!p) exit(3);                                                    \
      sink = p;                                                           \
      churn_some(x, CHURN_PER_LEAK);                                      \
    }                                                                     \
  }
LEAKER(0)
LEAKER(1)
LEAKER(2)
LEAKER(3)
LEAKER(4)
LEAKER(5)
LEAKER(6)
LEAKER(7)
static void (*const leakers[MAX_THREADS])(uint32_t *) = {leak_in_thread_0, leak_in_thread_1, leak_in_thread_2,
                                                         leak_in_thread_3, leak_in_thread_4, leak_in_thread_5,
                                                         leak_in_thread_6, leak_in_thread_7};

// Runs before the start line: the thread's arena exists from here on.
static void warm_up(void) {
  void *volatile p = malloc(64);
  free(p);
}

static void *leaker_main(void *arg) {
  int i = (int)(intptr_t)arg;
  uint32_t x = 2654435761u * (uint32_t)(i + 1);
  warm_up();
  pthread_barrier_wait(&start_line);
  leakers[i](&x);
  return NULL;
}

static void *churner_main(void *arg) {
  uint32_t x = 40503u * (uint32_t)((intptr_t)arg + 100);
  warm_up();
  pthread_barrier_wait(&start_line);
  churn_some(&x, 20000);
  return NULL;
}

static pthread_t tids[MAX_THREADS + CHURNERS];

static void create_threads(void) {
  pthread_barrier_init(&start_line, NULL, nthreads + CHURNERS + 1);
  for (int i = 0; i < nthreads; ++i) pthread_create(&tids[i], NULL, leaker_main, (void *)(intptr_t)i);
  for (int i = 0; i < CHURNERS; ++i) pthread_create(&tids[nthreads + i], NULL, churner_main, (void *)(intptr_t)i);
}

static void work(void) {
  pthread_barrier_wait(&start_line);
  for (int i = 0; i < nthreads + CHURNERS; ++i) pthread_join(tids[i], NULL);
}

int main(int argc, char **argv) {
  enum run_mode mode = truth_init(&argc, argv);
  if (argc > 1) nthreads = atoi(argv[1]);
  if (nthreads < 1 || nthreads > MAX_THREADS) {
    fprintf(stderr, "leak_threads: 1 to %d threads\n", MAX_THREADS);
    return 2;
  }
  long bytes = 0, count = 0;
  for (int i = 0; i < nthreads; ++i) {
    truth(
        "leak_thread_%d_fn=leak_in_thread_%d leak_thread_%d_bytes=%zu leak_thread_%d_count=%d leak_thread_%d_size=%zu",
        i, i, i, leak_size(i) * leak_count(i), i, leak_count(i), i, leak_size(i));
    bytes += (long)(leak_size(i) * leak_count(i));
    count += leak_count(i);
  }
  truth("threads=%d churn_threads=%d total_leaked_bytes=%ld total_leaked_count=%ld", nthreads, CHURNERS, bytes, count);
  create_threads();  // before any wait: see the comment at the top
  run_with_mode(mode, work);
  return 0;
}
