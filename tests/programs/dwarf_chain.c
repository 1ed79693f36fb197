// Call chains through code built without frame pointers (-O2
// -fomit-frame-pointer, this file and libdwchain.so), for ustack(dwarf) and
// memleak.ms --stack-mode: main -> work -> dw_first (here) -> dw_second ->
// dw_third_a or dw_third_b (the library) -> dw_fourth (here, called back) ->
// malloc.
// Chain A leaks A_CALLS blocks of A_SIZE bytes, chain B B_CALLS of B_SIZE;
// the same chains also allocate and free CHURN blocks (address reuse: freed
// addresses come back for the leaked blocks). Prints the chains innermost
// first as they must appear, with their figures.
#include <stdlib.h>

#include "leak_common.h"

#define A_CALLS 5
#define A_SIZE 1000
#define B_CALLS 3
#define B_SIZE 2000
#define CHURN 20

#define KEEP(p) __asm__ volatile("" ::"r"(p) : "memory")

void *dw_second(int which, void *(*leaf)(size_t), size_t n);

__attribute__((noipa)) void *dw_fourth(size_t n) {
  void *p = malloc(n);
  KEEP(p);
  return p;
}

__attribute__((noipa)) void *dw_first(int which, size_t n) {
  void *p = dw_second(which, dw_fourth, n);
  KEEP(p);
  return p;
}

static void *kept[A_CALLS + B_CALLS];

__attribute__((noipa)) void work(void) {
  int k = 0;
  for (int i = 0; i < CHURN; ++i) free(dw_first(i & 1, i & 1 ? B_SIZE : A_SIZE));
  for (int i = 0; i < A_CALLS; ++i) kept[k++] = dw_first(0, A_SIZE);
  for (int i = 0; i < B_CALLS; ++i) kept[k++] = dw_first(1, B_SIZE);
}

int main(int argc, char **argv) {
  enum run_mode mode = truth_init(&argc, argv);
  truth("chain_a=dw_fourth;dw_third_a;dw_second;dw_first;work;main chain_a_bytes=%d chain_a_count=%d",
        A_CALLS * A_SIZE, A_CALLS);
  truth("chain_b=dw_fourth;dw_third_b;dw_second;dw_first;work;main chain_b_bytes=%d chain_b_count=%d",
        B_CALLS * B_SIZE, B_CALLS);
  truth("a_size=%d b_size=%d chain_a_calls=%d chain_b_calls=%d", A_SIZE, B_SIZE, CHURN / 2 + A_CALLS,
        CHURN / 2 + B_CALLS);
  // run_with_mode() is not used: it would be one more (cloned) frame.
  pid_t starter = mode == RUN_WAIT_START ? wait_for_release("start") : 0;
  work();
  printf("done: work finished\n");
  fflush(stdout);
  if (ack_start && starter > 0) kill(starter, SIGUSR2);
  if (mode != RUN_ONCE) wait_for_release("exit");
  return kept[0] == NULL;
}
