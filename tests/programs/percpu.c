// Calls tick(v) from one thread pinned to each CPU in turn, so per-CPU map
// values really live on several CPUs, then calls report() once. Prints the
// truth: how many ticks, their sum, the smallest and largest v, and how many
// CPUs ran ticks.
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <unistd.h>

enum { kTicksPerCpu = 5 };

__attribute__((noinline)) void tick(long v) { __asm__ volatile("" ::: "memory"); (void)v; }
__attribute__((noinline)) void report(long ticks) { __asm__ volatile("" ::: "memory"); (void)ticks; }

static long cpu_value(int cpu, int i) { return (cpu + 1) * 100 - 50 + i; }  // cpu 0: 50..54, cpu 1: 150..154

static void* run_on(void* p) {
  int cpu = (int)(long)p;
  for (int i = 0; i < kTicksPerCpu; ++i) tick(cpu_value(cpu, i));
  return NULL;
}

int main(void) {
  cpu_set_t allowed;
  sched_getaffinity(0, sizeof allowed, &allowed);
  long ticks = 0, sum = 0, min = 0, max = 0;
  int cpus = 0;
  for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
    if (!CPU_ISSET(cpu, &allowed)) continue;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(cpu, &one);
    pthread_attr_setaffinity_np(&attr, sizeof one, &one);
    pthread_t t;
    if (pthread_create(&t, &attr, run_on, (void*)(long)cpu) != 0) continue;
    pthread_join(t, NULL);
    pthread_attr_destroy(&attr);
    for (int i = 0; i < kTicksPerCpu; ++i) {
      long v = cpu_value(cpu, i);
      if (ticks == 0 || v < min) min = v;
      if (ticks == 0 || v > max) max = v;
      sum += v;
      ++ticks;
    }
    ++cpus;
  }
  report(ticks);
  printf("truth: ticks=%ld sum=%ld min=%ld max=%ld cpus=%d\n", ticks, sum, min, max, cpus);
  return 0;
}
