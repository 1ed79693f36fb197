// Grows the heap with sbrk by a known amount from one function, so
// brkstack.ms can be checked: bytes grown on that function's stack.
#include <stdio.h>
#include <unistd.h>

#define STEPS 5
#define STEP (15 * 4096)

static long grow_heap(void) {
  long grown = 0;
  for (int i = 0; i < STEPS; ++i)
    if (sbrk(STEP) != (void *)-1) grown += STEP;
  return grown;
}

static char out_buf[4096];

int main(void) {
  // stdout's buffer would be malloc'ed, growing the heap from printf: give it
  // one, so grow_heap is the only stack that moves the break.
  setvbuf(stdout, out_buf, _IOLBF, sizeof out_buf);
  sbrk(0);  // the first brk(0) glibc makes to learn the break, outside grow_heap
  long grown = grow_heap();
  printf("truth: grown=%ld steps=%d step=%d\n", grown, STEPS, STEP);
  return 0;
}
