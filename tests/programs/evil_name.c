// Renames itself to a name holding a terminal escape sequence, then makes one
// getppid() call, and leaks one block from a function whose symbol name holds
// another (`ev<ESC>[31mfn`, an assembler-quoted name): a traced program must
// not be able to drive the operator's terminal through memscript's output
// (comm, stacks, probe listings).
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <unistd.h>

__attribute__((noinline)) void *evil_fn(void) __asm__("\"ev\x1b[31mfn\"");
__attribute__((noinline)) void *evil_fn(void) { return malloc(77); }

static void *volatile sink;

int main(void) {
  prctl(PR_SET_NAME, "ev\x1b[2Jil", 0, 0, 0);
  getppid();
  sink = evil_fn();
  printf("truth: renamed=1 leaked=77\n");
  return 0;
}
