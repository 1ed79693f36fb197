// C++ new/delete heavy: small objects and strings, plus a known leak through new.
#include <memory>
#include <string>
#include <vector>

extern "C" {
#include "common.h"
}

struct Node {
  long value;
  std::string name;
  Node* next;
};

__attribute__((noinline)) static Node* leak_node(long i) { return new Node{i, "leaked-node-name-long-enough-to-heap", nullptr}; }

int main(int argc, char** argv) {
  long ops = bench_arg(argc, argv, 1, 100000);
  const long kLeaks = 8;
  double t0 = bench_now_ns();
  for (long i = 0; i < ops; ++i) {
    auto* n = new Node{i, {}, nullptr};
    // Without the barrier the compiler may elide the new/delete pair entirely.
    __asm__ volatile("" : : "r"(n) : "memory");
    delete n;
  }
  double t1 = bench_now_ns();
  for (long i = 0; i < kLeaks; ++i) (void)leak_node(i);
  // Each leaked Node owns one heap string buffer too (2 allocations per leak).
  bench_report("cppnew", ops, t1 - t0, kLeaks * 2, 0);
  return 0;
}
