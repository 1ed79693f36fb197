// Shared by the allocation workloads: timing and the report line that the
// benchmark harness parses ("bench: name=... ops=... ns_per_op=...").
#pragma once
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static inline double bench_now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static inline long bench_arg(int argc, char **argv, int i, long def) {
  return argc > i ? atol(argv[i]) : def;
}

// ops counts malloc+free pairs (or new+delete pairs).
static inline void bench_report(const char *name, long ops, double ns, long leaks, long leaked_bytes) {
  printf("bench: name=%s ops=%ld ns_per_op=%.1f\n", name, ops, ns / (double)ops);
  printf("truth: leaks=%ld leaked_bytes=%ld\n", leaks, leaked_bytes);
  fflush(stdout);
}
