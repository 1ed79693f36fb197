// A C++ leak through `new` from a known function: the stack under
// uprobe:libc:malloc must show operator new and, above it, leak_widgets().
#include <cstdio>

struct Widget {
  char payload[2718];
};

namespace shop {
__attribute__((noinline)) Widget* leak_widgets(int n) {
  Widget* last = nullptr;
  for (int i = 0; i < n; ++i) last = new Widget();  // never deleted: the leak
  return last;
}
}  // namespace shop

int main() {
  Widget* w = shop::leak_widgets(5);
  std::printf("truth: size=%zu news=%d\n", sizeof(Widget), 5);
  return w == nullptr;
}
