// Passes a CLOCK_MONOTONIC time (what `nsecs` reads) to stamp(), chosen half a
// second into a wall-clock second, and prints that second as the truth:
// strftime("%s", arg0) must print it.
#include <stdio.h>
#include <time.h>

__attribute__((noinline)) void stamp(long monotonic_ns) { __asm__ volatile("" ::: "memory"); (void)monotonic_ns; }

int main(void) {
  struct timespec real, mono;
  clock_gettime(CLOCK_REALTIME, &real);
  clock_gettime(CLOCK_MONOTONIC, &mono);
  long long mono_ns = (long long)mono.tv_sec * 1000000000LL + mono.tv_nsec;
  // The monotonic time that maps to real.tv_sec + 0.5 s: far from a second boundary.
  long long at = mono_ns - real.tv_nsec + 500000000LL;
  stamp((long)at);
  struct tm tm;
  time_t secs = real.tv_sec;
  localtime_r(&secs, &tm);
  char hms[32];
  strftime(hms, sizeof hms, "%H:%M:%S", &tm);
  printf("truth: epoch=%lld hms=%s\n", (long long)real.tv_sec, hms);
  return 0;
}
