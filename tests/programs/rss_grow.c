// Holds its memory steady, then grows it, for memleak's attach triggers: the
// allocation probes must attach only after the growth. Leaks from
// leak_before_growth (before) and leak_after_growth (once the probes are in,
// which it sees: a uprobe puts an int3 at malloc's entry in its own copy of
// libc's code) and prints the truth of both.
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BEFORE_SIZE 333
#define BEFORE_COUNT 50
#define GROW_CHUNK (1 << 20)
#define GROW_CHUNKS 12
#define AFTER_SIZE 4321
#define AFTER_COUNT 20

static void sleep_ms(long ms) {
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  nanosleep(&ts, NULL);
}

__attribute__((noinline)) static void *leak_before_growth(void) {
  void *p = malloc(BEFORE_SIZE);
  memset(p, 1, BEFORE_SIZE);
  return p;
}

__attribute__((noinline)) static void *grow_heap(void) {
  void *p = malloc(GROW_CHUNK);
  memset(p, 2, GROW_CHUNK);  // touched: resident
  return p;
}

__attribute__((noinline)) static void *leak_after_growth(void) {
  void *p = malloc(AFTER_SIZE);
  memset(p, 3, AFTER_SIZE);
  return p;
}

int main(void) {
  for (int i = 0; i < BEFORE_COUNT; ++i) {  // about 1.5 s of steady memory
    if (!leak_before_growth()) return 1;
    sleep_ms(30);
  }
  for (int i = 0; i < GROW_CHUNKS; ++i) {
    if (!grow_heap()) return 1;
    sleep_ms(50);
  }
  // Wait for the probes (at most 30 s), then for the rest of them to attach.
  const volatile unsigned char *entry = dlsym(RTLD_DEFAULT, "malloc");
  int waited = 0;
  while (entry && *entry != 0xcc && waited < 30000) {
    sleep_ms(20);
    waited += 20;
  }
  int probed = entry && *entry == 0xcc;
  sleep_ms(1000);
  for (int i = 0; i < AFTER_COUNT; ++i)
    if (!leak_after_growth()) return 1;
  printf("truth: probed_after_growth=%d before_bytes=%d before_count=%d after_bytes=%d after_count=%d grown_bytes=%d\n", probed,
         BEFORE_SIZE * BEFORE_COUNT, BEFORE_COUNT, AFTER_SIZE * AFTER_COUNT, AFTER_COUNT, GROW_CHUNK * GROW_CHUNKS);
  return 0;
}
