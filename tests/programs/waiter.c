// Runs until killed (or for the seconds given in argv[1]), allocating
// WAITER_SIZE bytes and freeing them every 20 ms. Used for -p tests: it prints
// its pid first so a test can attach to it.
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#define WAITER_SIZE 4321

int main(int argc, char **argv) {
  int seconds = argc > 1 ? atoi(argv[1]) : 60;
  printf("truth: pid=%d size=%d\n", (int)getpid(), WAITER_SIZE);
  fflush(stdout);
  struct timespec ts = {0, 20 * 1000 * 1000};
  for (long i = 0; i < seconds * 50L; ++i) {
    // volatile: the compiler may otherwise drop a malloc whose result is only freed.
    void *volatile p = malloc(WAITER_SIZE);
    free(p);
    nanosleep(&ts, NULL);
  }
  return 0;
}
