// Allocates at a steady rate for memleak --auto-sample: every millisecond a
// burst of short-lived malloc/free pairs, and one block in every 50 bursts
// leaked from leak_sampled. Usage: alloc_churn [MS] [BURST]. Prints its truth.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LEAK_SIZE 2000

__attribute__((noinline)) static void *leak_sampled(void) {
  void *p = malloc(LEAK_SIZE);
  memset(p, 1, LEAK_SIZE);
  return p;
}

__attribute__((noinline)) static void churn(int n) {
  for (int i = 0; i < n; ++i) {
    void *volatile p = malloc(64 + (i & 7) * 8);
    free(p);
  }
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
  int ms = argc > 1 ? atoi(argv[1]) : 3000;
  int burst = argc > 2 ? atoi(argv[2]) : 10;
  struct timespec tick = {0, 1000000};
  long bursts = 0, leaks = 0;
  double start = now_s();
  while ((now_s() - start) * 1000 < ms) {
    churn(burst);
    if (++bursts % 50 == 0) {
      if (!leak_sampled()) return 1;
      ++leaks;
    }
    nanosleep(&tick, NULL);
  }
  printf("truth: pairs=%ld leaks=%ld leak_bytes=%ld\n", bursts * burst, leaks, leaks * LEAK_SIZE);
  return 0;
}
