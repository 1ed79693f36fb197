// Passes NULL-terminated char* arrays to show(): three strings, twenty
// (join() keeps the first 16) with one of 1100 bytes (join() keeps 1023), and
// an empty array. Prints what join(list, ",") shows for the first and the
// number of elements kept of the second.
#include <stdio.h>
#include <string.h>

__attribute__((noinline)) void show(char** list) { __asm__ volatile("" ::: "memory"); (void)list; }

// BPF cannot fault pages in: touch every string (and its page) before show().
static size_t touch(char** list) {
  size_t n = 0;
  for (; *list; ++list) n += strlen(*list);
  return n;
}

int main(void) {
  char* three[] = {"alpha", "beta", "gamma", NULL};
  size_t touched = touch(three);
  show(three);
  static char names[20][8];
  static char long_one[1101];
  memset(long_one, 'y', 1100);
  char* twenty[21];
  for (int i = 0; i < 20; ++i) {
    snprintf(names[i], sizeof names[i], "n%d", i);
    twenty[i] = names[i];
  }
  twenty[2] = long_one;
  twenty[20] = NULL;
  touched += touch(twenty);
  show(twenty);
  char* none[] = {NULL};
  show(none);
  printf("truth: three=alpha,beta,gamma kept=16 long_kept=1023 touched=%zu\n", touched);
  return 0;
}
