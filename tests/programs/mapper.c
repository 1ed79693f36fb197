// Maps and unmaps anonymous memory of known sizes, then renames itself, so
// tracepoint tests can check syscall arguments (sys_enter_mmap len) and
// char[16] record fields (task:task_rename newcomm) against the truth.
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

static void map_n(int n, size_t len) {
  for (int i = 0; i < n; ++i) {
    void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
      perror("mmap");
      continue;
    }
    memset(p, 1, 1);
    munmap(p, len);
  }
}

int main(void) {
  // Page multiples no loader or libc startup mapping uses.
  const size_t small = 13 * 4096, large = 29 * 4096;
  map_n(7, small);
  map_n(3, large);
  prctl(PR_SET_NAME, "ms_renamed", 0, 0, 0);
  printf("truth: small_len=%zu small_maps=7 small_map_unmap=14 large_len=%zu large_maps=3 newcomm=ms_renamed pid=%d\n", small, large,
         (int)getpid());
  return 0;
}
