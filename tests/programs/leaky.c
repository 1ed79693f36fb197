// A small program with known leaks, used by the demo and by runtime tests.
// It prints its own ground truth as "truth: key=value" lines.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LEAK_SIZE 12345
#define LEAKS 10
#define TEMP_SIZE 777
#define TEMPS 25

__attribute__((noinline)) static void *make_record(size_t n) {
  void *p = malloc(n);
  if (p) memset(p, 0x5a, n);
  return p;
}

__attribute__((noinline)) static void churn(void) {
  for (int i = 0; i < TEMPS; ++i) {
    void *p = make_record(TEMP_SIZE);
    free(p);
  }
}

int main(void) {
  static void *kept[LEAKS];
  for (int i = 0; i < LEAKS; ++i) kept[i] = make_record(LEAK_SIZE);
  churn();
  printf("truth: leak_size=%d leaks=%d leaked_bytes=%d temp_size=%d temps=%d\n", LEAK_SIZE, LEAKS,
         LEAK_SIZE * LEAKS, TEMP_SIZE, TEMPS);
  return kept[0] == NULL;  // the blocks are never freed: that is the leak
}
