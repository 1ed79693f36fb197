// Load for memleak.ms (runtime test load.*): THREADS threads (default 4)
// allocate and free as fast as they can for SECONDS (default 60), each
// leaking one block in every LEAK_EVERY calls from leak_under_load(). Usage:
// load_threads [SECONDS] [THREADS]. At the end it prints its truth: every
// thread's calls summed (malloc+free pairs), the blocks and bytes leaked, and
// the rate reached.
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LEAK_EVERY 1000
#define LEAK_SIZE 3333
#define MAX_THREADS 16

static double seconds = 60;
static volatile int stop;
static void *volatile sink;

struct tally {
  long pairs, leaks;
};

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

__attribute__((noinline)) static void leak_under_load(void) {
  void *p = malloc(LEAK_SIZE);
  if (!p) exit(3);
  sink = p;
}

__attribute__((noinline)) static void churn_once(uint32_t *x) {
  *x ^= *x << 13, *x ^= *x >> 17, *x ^= *x << 5;
  void *volatile p = malloc(16 + (*x % 256));
  free(p);
}

static void *thread_main(void *arg) {
  struct tally *t = arg;
  uint32_t x = 2654435761u ^ (uint32_t)(uintptr_t)arg;
  while (!stop) {
    churn_once(&x);
    if (++t->pairs % LEAK_EVERY == 0) {
      leak_under_load();
      ++t->leaks;
    }
  }
  return NULL;
}

int main(int argc, char **argv) {
  if (argc > 1) seconds = atof(argv[1]);
  int nthreads = argc > 2 ? atoi(argv[2]) : 4;
  if (nthreads < 1 || nthreads > MAX_THREADS) return 2;
  static char buf[1 << 16];
  setvbuf(stdout, buf, _IOLBF, sizeof buf);
  pthread_t tids[MAX_THREADS];
  static struct tally tallies[MAX_THREADS];
  double start = now_s();
  for (int i = 0; i < nthreads; ++i) pthread_create(&tids[i], NULL, thread_main, &tallies[i]);
  struct timespec tick = {0, 50 * 1000 * 1000};
  while (now_s() - start < seconds) nanosleep(&tick, NULL);
  stop = 1;
  long pairs = 0, leaks = 0;
  for (int i = 0; i < nthreads; ++i) {
    pthread_join(tids[i], NULL);
    pairs += tallies[i].pairs;
    leaks += tallies[i].leaks;
  }
  double elapsed = now_s() - start;
  printf("truth: threads=%d seconds=%.1f pairs=%ld pairs_per_s=%.0f leaks=%ld leak_bytes=%ld leak_size=%d\n", nthreads,
         elapsed, pairs, pairs / elapsed, leaks, leaks * (long)LEAK_SIZE, LEAK_SIZE);
  return 0;
}
