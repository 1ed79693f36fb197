// A deterministic target for the language compatibility suite: calls its own
// functions a known number of times with known integers, strings and
// pointers, so one script run under memscript and under bpftrace must print
// the same thing. Prints its ground truth as `truth: key=value` lines.
#include <stdint.h>
#include <stdio.h>
#include <string.h>

__attribute__((noinline)) int take_str(const char *s, int len) {
  __asm__ volatile("" ::: "memory");
  return len;
}

__attribute__((noinline)) long take_ints(long a, int b, unsigned int c) {
  __asm__ volatile("" ::: "memory");
  return a + b + (long)c;
}

__attribute__((noinline)) int take_ptr(const int32_t *p, const uint8_t *bytes) {
  __asm__ volatile("" ::: "memory");
  return *p + bytes[0];
}

__attribute__((noinline)) long size_of(long size) {
  __asm__ volatile("" ::: "memory");
  return size * 2;
}

int main(void) {
  static const char *const names[] = {"alpha", "beta", "gamma", "beta", "alpha", "alpha"};
  int str_calls = 0;
  for (int i = 0; i < 6; ++i) str_calls += take_str(names[i], (int)strlen(names[i])) >= 0;

  long ints_sum = 0;
  for (int i = -3; i <= 3; ++i) ints_sum += take_ints(i * 1000L, i, (unsigned)(i + 3));

  int32_t values[] = {-7, 42, 100000};
  uint8_t bytes[] = {200, 1};
  long ptr_sum = 0;
  for (int i = 0; i < 3; ++i) ptr_sum += take_ptr(&values[i], bytes);

  long sizes_sum = 0;
  int sizes = 0;
  for (long s = 1; s <= 5000; s = s * 3 + 1) {
    sizes_sum += s;
    ++sizes;
    size_of(s);
  }
  size_of(0);
  size_of(-4);

  // What `$i = 0; $acc = 0; while ($i < len) { $acc += $i; $i++; }` leaves per name.
  long loop[3] = {0, 0, 0};
  for (int k = 0; k < 3; ++k)
    for (int i = 0; i < (int)strlen(names[k]); ++i) loop[k] += i;
  printf("truth: loop_alpha=%ld loop_beta=%ld loop_gamma=%ld\n", loop[0], loop[1], loop[2]);
  printf("truth: str_calls=%d alpha=3 beta=2 gamma=1 ints_calls=7 ints_sum=%ld ptr_calls=3 ptr_sum=%ld sizes=%d "
         "sizes_sum=%ld\n",
         str_calls, ints_sum, ptr_sum, sizes + 2, sizes_sum);
  return 0;
}
