// The shared-library half of dwarf_chain's call chains, built like the
// executable with -O2 -fomit-frame-pointer: frame-pointer walks cannot cross
// these functions; only their CFI (.eh_frame) can.
#include <stddef.h>

#define KEEP(p) __asm__ volatile("" ::"r"(p) : "memory")  // the call stays a call, not a tail jump

// Two third links, so two chains differ only inside the library.
__attribute__((noipa)) void *dw_third_a(void *(*leaf)(size_t), size_t n) {
  void *p = leaf(n);
  KEEP(p);
  return p;
}

__attribute__((noipa)) void *dw_third_b(void *(*leaf)(size_t), size_t n) {
  void *p = leaf(n);
  KEEP(p);
  return p;
}

// Spills and a frame that is not a plain push: the CFA moves with rsp here.
__attribute__((noipa)) void *dw_second(int which, void *(*leaf)(size_t), size_t n) {
  volatile char pad[200];
  pad[0] = (char)n;
  pad[199] = pad[0];
  void *p = which ? dw_third_b(leaf, n) : dw_third_a(leaf, n);
  KEEP(p);
  return p;
}
