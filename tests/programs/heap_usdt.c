// Carries glibc's heap probes (provider libc, memory_*) with their glibc
// argument lists, and fires each a known number of times with known
// arguments, for heapevents.ms (-O this program): Debian's glibc has no USDT
// notes, so this stands in for a glibc built with --enable-systemtap.
#include <stdio.h>
#include <stdlib.h>
#include <sys/sdt.h>

#define SBRK_MORE 5
#define SBRK_SIZE 135168
#define SBRK_LESS 2
#define LESS_SIZE 4096
#define ARENAS 3
#define RETRY_BYTES 1000

// noinline: one site per probe, arguments from memory and registers.
__attribute__((noinline)) static void fire(int round) {
  char *base = (char *)0x555500000000 + round * SBRK_SIZE;
  size_t size = SBRK_SIZE;
  if (round < SBRK_MORE) DTRACE_PROBE2(libc, memory_sbrk_more, base, size);
  if (round < SBRK_LESS) DTRACE_PROBE2(libc, memory_sbrk_less, base, (size_t)LESS_SIZE);
  if (round < ARENAS) {
    DTRACE_PROBE2(libc, memory_arena_new, (void *)(0x7f0000000000 + round * 0x1000), (size_t)135168);
    DTRACE_PROBE2(libc, memory_heap_new, (void *)(0x7f0000000000 + round * 0x1000), (size_t)135168);
  }
  if (round == 0) {
    DTRACE_PROBE1(libc, memory_malloc_retry, (size_t)RETRY_BYTES);
    DTRACE_PROBE2(libc, memory_mallopt, -3, 65536);  // M_MMAP_THRESHOLD
    DTRACE_PROBE3(libc, memory_mallopt_mmap_threshold, 65536, 131072, 0);
    DTRACE_PROBE2(libc, memory_mallopt_free_dyn_thresholds, (size_t)262144, (size_t)524288);
    DTRACE_PROBE2(libc, memory_heap_free, (void *)0x7f0000000000, (size_t)135168);
    DTRACE_PROBE2(libc, memory_tcache_double_free, (void *)0x1234, 7);
  }
}

int main(void) {
  for (int i = 0; i < SBRK_MORE; ++i) fire(i);
  printf("truth: sbrk_more=%d sbrk_grown_bytes=%d sbrk_less=%d sbrk_shrunk_bytes=%d arenas=%d retry_bytes=%d "
         "mmap_threshold=262144 events=%d\n",
         SBRK_MORE, SBRK_MORE * SBRK_SIZE, SBRK_LESS, SBRK_LESS * LESS_SIZE, ARENAS, RETRY_BYTES,
         SBRK_MORE + SBRK_LESS + 2 * ARENAS + 6);
  return 0;
}
