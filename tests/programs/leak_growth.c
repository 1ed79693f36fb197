// A steady leak next to a cache that fills once and plateaus, for memleak's
// --growth: the cache holds far more memory, but only the leak grows from
// report to report. Prints its truth at the end.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CACHE_BLOCKS 200
#define CACHE_BLOCK 4096
#define LEAK_SIZE 100
#define LEAK_STEP_MS 20

static void *cache[CACHE_BLOCKS];

__attribute__((noinline)) static void fill_cache(void) {
  for (int i = 0; i < CACHE_BLOCKS; ++i) {
    cache[i] = malloc(CACHE_BLOCK);
    memset(cache[i], 1, CACHE_BLOCK);
  }
}

__attribute__((noinline)) static void *leak_steadily(void) {
  void *p = malloc(LEAK_SIZE);
  memset(p, 2, LEAK_SIZE);
  return p;
}

int main(int argc, char **argv) {
  int ms = argc > 1 ? atoi(argv[1]) : 4500;  // how long the leak goes on
  fill_cache();
  int leaks = 0;
  struct timespec step = {0, LEAK_STEP_MS * 1000000L};
  for (int t = 0; t < ms; t += LEAK_STEP_MS) {
    if (!leak_steadily()) return 1;
    ++leaks;
    nanosleep(&step, NULL);
  }
  printf("truth: cache_bytes=%d cache_count=%d leak_bytes=%d leak_count=%d\n", CACHE_BLOCKS * CACHE_BLOCK,
         CACHE_BLOCKS, leaks * LEAK_SIZE, leaks);
  return cache[0] == NULL;
}
