// Calls functions of its own binary a known number of times with known
// arguments and return values, and makes a known number of getppid() calls.
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

__attribute__((noinline)) int add_pair(int a, int b) {
  __asm__ volatile("" ::: "memory");
  return a + b;
}

__attribute__((noinline)) long negate(long x) {
  __asm__ volatile("" ::: "memory");
  return -x;
}

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 5;
  long arg_sum = 0, ret_sum = 0, neg_sum = 0;
  for (int i = 1; i <= n; ++i) {
    arg_sum += i;
    ret_sum += add_pair(i, 100);
    neg_sum += negate(i * 3);
  }
  for (int i = 0; i < 7; ++i) getppid();
  printf("truth: calls=%d arg0_sum=%ld ret_sum=%ld neg_ret_sum=%ld getppid=7 last_arg=%d\n", n, arg_sum, ret_sum,
         neg_sum, n);
  return 0;
}
