// A long-running target for the kill-at-random-moments test (fault label):
// every 20 ms it calls tick_work() (malloc + free, and one leaked block in
// every 10 ticks from leak_tick), and every 5 ticks it prints `tick N`, so a
// test can see that it is still alive and still making progress after a
// tracer attached to it was interrupted or killed. Runs for argv[1] seconds
// (default 120). Prints `truth: pid=P` first.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void *volatile sink;

__attribute__((noinline)) void leak_tick(void) {
  void *p = malloc(3000);
  if (p) memset(p, 7, 3000);
  sink = p;
}

__attribute__((noinline)) void tick_work(long n) {
  void *volatile p = malloc(100 + (size_t)(n % 7) * 16);
  free(p);
  if (n % 10 == 0) leak_tick();
}

int main(int argc, char **argv) {
  int seconds = argc > 1 ? atoi(argv[1]) : 120;
  setvbuf(stdout, NULL, _IOLBF, 0);
  printf("truth: pid=%d\n", (int)getpid());
  struct timespec ts = {0, 20 * 1000 * 1000};
  for (long n = 1; n <= seconds * 50L; ++n) {
    tick_work(n);
    if (n % 5 == 0) printf("tick %ld\n", n);
    nanosleep(&ts, NULL);
  }
  return 0;
}
