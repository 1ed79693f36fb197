// malloc, calloc and realloc calls of sizes nothing else in the process asks
// for, each size in its own power-of-two bucket, so allocsize.ms's histograms
// can be checked bucket by bucket against the truth.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MALLOCS 3
#define MALLOC_SIZE 100000 /* [64K, 128K) */
#define CALLOCS 5
#define CALLOC_N 7
#define CALLOC_EACH 3000 /* 21000: [16K, 32K) */
#define REALLOCS 2
#define REALLOC_SIZE 300000 /* [256K, 512K) */

static void *keep[MALLOCS + CALLOCS + REALLOCS];

static void do_mallocs(void) {
  for (int i = 0; i < MALLOCS; ++i) keep[i] = malloc(MALLOC_SIZE);
}

static void do_callocs(void) {
  for (int i = 0; i < CALLOCS; ++i) keep[MALLOCS + i] = calloc(CALLOC_N, CALLOC_EACH);
}

static void do_reallocs(void) {
  for (int i = 0; i < REALLOCS; ++i) keep[i] = realloc(keep[i], REALLOC_SIZE);
}

static char out_buf[4096];

int main(void) {
  // stdout's buffer would be malloc'ed by printf: give it one, so these are
  // the only allocations of the process after startup.
  setvbuf(stdout, out_buf, _IOLBF, sizeof out_buf);
  do_mallocs();
  do_callocs();
  do_reallocs();
  printf("truth: mallocs=%d malloc_size=%d callocs=%d calloc_size=%d reallocs=%d realloc_size=%d "
         "total_bytes=%d calls=%d pid=%d\n",
         MALLOCS, MALLOC_SIZE, CALLOCS, CALLOC_N * CALLOC_EACH, REALLOCS, REALLOC_SIZE,
         MALLOCS * MALLOC_SIZE + CALLOCS * CALLOC_N * CALLOC_EACH + REALLOCS * REALLOC_SIZE,
         MALLOCS + CALLOCS + REALLOCS, (int)getpid());
  for (size_t i = 0; i < sizeof keep / sizeof keep[0]; ++i) free(keep[i]);
  return 0;
}
