// main -> a -> b -> malloc, each a real call (noinline): the stack under
// uprobe:libc:malloc must show b, a, main. b() is the immediate caller of the
// probed function, the frame an entry probe loses without care.
// Prints its ground truth: the chain and how many calls it made.
#include <stdio.h>
#include <stdlib.h>

#define CALLS 7
#define CHAIN_SIZE 4242

__attribute__((noinline)) void *chain_b(size_t n) {
  void *p = malloc(n);
  __asm__ volatile("" ::"r"(p) : "memory");  // keep the call a call, not a tail jump
  return p;
}

__attribute__((noinline)) void *chain_a(size_t n) {
  void *p = chain_b(n);
  __asm__ volatile("" ::"r"(p) : "memory");
  return p;
}

// Receives a function pointer: usym(arg0) at its entry must name chain_a.
__attribute__((noinline)) void report_function(void (*fn)(void)) { __asm__ volatile("" ::"r"(fn) : "memory"); }

int main(void) {
  static void *kept[CALLS];
  report_function((void (*)(void))chain_a);
  for (int i = 0; i < CALLS; ++i) kept[i] = chain_a(CHAIN_SIZE);
  printf("truth: size=%d calls=%d\n", CHAIN_SIZE, CALLS);
  return kept[0] == NULL;
}
