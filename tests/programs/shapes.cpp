// C++ methods and overloads in a namespace, for uprobes by demangled name:
// prints how many times each was called and with which argument sum.
#include <cstdio>
#include <cstdlib>

namespace geo {

class Shape {
 public:
  __attribute__((noinline)) long grow(int by) {
    __asm__ volatile("" ::: "memory");
    size_ += by;
    return size_;
  }
  __attribute__((noinline)) long grow(long by, int times) {
    __asm__ volatile("" ::: "memory");
    size_ += by * times;
    return size_;
  }

 private:
  long size_ = 0;
};

}  // namespace geo

int main(int argc, char** argv) {
  int n = argc > 1 ? std::atoi(argv[1]) : 5;
  geo::Shape s;
  long int_sum = 0;
  for (int i = 1; i <= n; ++i) {
    s.grow(i);
    int_sum += i;
  }
  for (int i = 0; i < 2; ++i) s.grow(10L, 3);
  std::printf("truth: grow_int_calls=%d grow_int_sum=%ld grow_long_calls=2 grow_calls=%d\n", n, int_sum, n + 2);
  return 0;
}
