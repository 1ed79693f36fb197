// Many distinct stacks: recurse(d) calls itself down to depth d, then
// allocates. Each depth 1..DEPTHS is a distinct user stack, allocated
// `depth % 3 + 1` times, so the stacks must not be merged or dropped: the
// count per stack is known. With more depths than the kernel walks frames
// (127), two depths would share a truncated stack; DEPTHS stays below that.
// Distinctness across many stacks comes from SITES different call sites.
#include <stdio.h>
#include <stdlib.h>

#define DEPTHS 100
#define SITES 20
#define SIZE 3131

static void *volatile sink;

__attribute__((noinline)) void recurse(int depth, int site) {
  if (depth <= 0) {
    // One distinct leaf call site per `site`: a switch of separate calls.
    switch (site % SITES) {
#define SITE(n) \
  case n: sink = malloc(SIZE); free(sink); break;
      SITE(0) SITE(1) SITE(2) SITE(3) SITE(4) SITE(5) SITE(6) SITE(7) SITE(8) SITE(9)
      SITE(10) SITE(11) SITE(12) SITE(13) SITE(14) SITE(15) SITE(16) SITE(17) SITE(18) SITE(19)
    }
    return;
  }
  recurse(depth - 1, site);
  __asm__ volatile("" ::: "memory");  // not a tail call: each level keeps its frame
}

int main(void) {
  long calls = 0, first_site_calls = 0;
  for (int site = 0; site < SITES; ++site)
    for (int d = 1; d <= DEPTHS; ++d)
      for (int r = 0; r < d % 3 + 1; ++r) {
        recurse(d, site);
        ++calls;
        if (site == 0) ++first_site_calls;
      }
  // With room for only DEPTHS stacks, the first site's are the ones kept
  // (the program is single-threaded): every later call cannot be recorded.
  printf("truth: size=%d stacks=%d calls=%ld depths=%d unrecorded_with_depths_room=%ld\n", SIZE, DEPTHS * SITES,
         calls, DEPTHS, calls - first_site_calls);
  return 0;
}
