// Renames itself to a name holding a terminal escape sequence, then makes one
// getppid() call: a traced program must not be able to drive the operator's
// terminal through memscript's output.
#include <stdio.h>
#include <sys/prctl.h>
#include <unistd.h>

int main(void) {
  prctl(PR_SET_NAME, "ev\x1b[2Jil", 0, 0, 0);
  getppid();
  printf("truth: renamed=1\n");
  return 0;
}
