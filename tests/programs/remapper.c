// Maps, touches and unmaps one anonymous region of a known size every 20 ms
// for the seconds given in argv[1] (default 3), printing its pid first, so
// -p tests of the kernel-side toolkit scripts (mmapsnoop.ms, pagefaults.ms)
// can check that only this process's events are reported.
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define LEN (7 * 4096)

int main(int argc, char **argv) {
  int seconds = argc > 1 ? atoi(argv[1]) : 3;
  printf("truth: pid=%d len=%d\n", (int)getpid(), LEN);
  fflush(stdout);
  struct timespec ts = {0, 20 * 1000 * 1000};
  for (long i = 0; i < seconds * 50L; ++i) {
    volatile char *p = mmap(NULL, LEN, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return 1;
    p[0] = 1;
    munmap((void *)p, LEN);
    nanosleep(&ts, NULL);
  }
  return 0;
}
