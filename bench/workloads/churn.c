// malloc/free churn of mixed sizes in T threads (argv: ops_per_thread threads).
// Each thread also leaks LEAKS_PER_THREAD blocks of LEAK_SIZE from leak_some().
#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include "common.h"

#define LEAKS_PER_THREAD 16
#define LEAK_SIZE 4000

static long ops_per_thread;

__attribute__((noinline)) static void leak_some(void) {
  for (int i = 0; i < LEAKS_PER_THREAD; ++i) {
    void *volatile p = malloc(LEAK_SIZE);
    (void)p;
  }
}

static void *worker(void *arg) {
  uint32_t x = (uint32_t)(uintptr_t)arg * 2654435761u + 1;
  void *slots[64] = {0};
  for (long i = 0; i < ops_per_thread; ++i) {
    x ^= x << 13, x ^= x >> 17, x ^= x << 5;
    int s = x & 63;
    free(slots[s]);
    size_t size = 16 + (x >> 8) % 2048;
    slots[s] = malloc(size);
    memset(slots[s], 1, 8);
  }
  for (int s = 0; s < 64; ++s) free(slots[s]);
  leak_some();
  return NULL;
}

int main(int argc, char **argv) {
  ops_per_thread = bench_arg(argc, argv, 1, 100000);
  long threads = bench_arg(argc, argv, 2, 1);
  pthread_t tids[64];
  if (threads < 1 || threads > 64) return 2;
  double t0 = bench_now_ns();
  for (long t = 0; t < threads; ++t) pthread_create(&tids[t], NULL, worker, (void *)(uintptr_t)(t + 1));
  for (long t = 0; t < threads; ++t) pthread_join(tids[t], NULL);
  double t1 = bench_now_ns();
  // Wall time per pair across all threads: what the traced program feels.
  bench_report(threads == 1 ? "churn1" : "churn4", ops_per_thread * threads, t1 - t0, LEAKS_PER_THREAD * threads,
               (long)LEAKS_PER_THREAD * threads * LEAK_SIZE);
  return 0;
}
