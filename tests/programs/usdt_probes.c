// USDT probes of every argument kind, for the usdt: runtime tests.
//
//   usdt_test:regs      two register arguments (a signed int and a u64)
//   usdt_test:mem       memory arguments (a struct's fields through a pointer
//                       held in a register) and a constant; this name has two
//                       sites in the code (two locations, different argument specs)
//   usdt_test:narrow    a signed char and an unsigned short: sign/zero extension
//   usdt_test:indexed   memory at base + index * scale: an element of an array
//   usdt_test:guarded   semaphore-guarded: fires only while a tracer holds the
//                       semaphore (USDT_TEST_GUARDED_ENABLED() is true)
//
// Usage: usdt_probes [ITERATIONS] [SLEEP_MS]. With SLEEP_MS it first prints a
// `truth:` line and waits that long (so a tracer can attach with -p), then runs.
// Prints `truth:` lines with the counts and argument sums each probe saw.
#define _SDT_HAS_SEMAPHORES 1
#include <stdio.h>
#include <stdlib.h>
#include <sys/sdt.h>
#include <unistd.h>

// With _SDT_HAS_SEMAPHORES every probe of this file names a semaphore
// PROVIDER_NAME_semaphore (in section .probes), which the kernel increments
// while a uprobe with its ref_ctr_offset is attached. Only `guarded` tests it.
#define USDT_SEMAPHORE(name) \
  __extension__ unsigned short usdt_test_##name##_semaphore __attribute__((unused)) __attribute__((section(".probes")))
USDT_SEMAPHORE(regs);
USDT_SEMAPHORE(mem);
USDT_SEMAPHORE(narrow);
USDT_SEMAPHORE(indexed);
USDT_SEMAPHORE(guarded);
#define USDT_TEST_GUARDED_ENABLED() __builtin_expect(usdt_test_guarded_semaphore, 0)

struct record {
  long id;
  int size;
  short tag;
};

// noinline and a volatile sink keep the arguments in registers and memory as
// the comments say, at -O1.
__attribute__((noinline)) static void fire_regs(int a, unsigned long b) { DTRACE_PROBE2(usdt_test, regs, a, b); }

__attribute__((noinline)) static void fire_mem(const struct record* r) {
  DTRACE_PROBE3(usdt_test, mem, r->id, r->size, 42);
}

__attribute__((noinline)) static void fire_mem_again(const struct record* r) {
  // The same probe name at a second site: its own argument specs.
  DTRACE_PROBE3(usdt_test, mem, r->tag, r->id, 7);
}

__attribute__((noinline)) static void fire_narrow(signed char c, unsigned short s) {
  DTRACE_PROBE2(usdt_test, narrow, c, s);
}

int table[8] = {11, -22, 33, -44, 55, -66, 77, -88};

__attribute__((noinline)) static void fire_indexed(int i) { DTRACE_PROBE1(usdt_test, indexed, table[i]); }

int main(int argc, char** argv) {
  int iterations = argc > 1 ? atoi(argv[1]) : 10;
  int sleep_ms = argc > 2 ? atoi(argv[2]) : 0;
  if (sleep_ms) {
    // The first line is all a test sees before tracing: each probe but mem
    // fires once per iteration (mem twice), guarded only while traced.
    printf("truth: pid=%d iterations=%d\n", getpid(), iterations);
    fflush(stdout);
    usleep((useconds_t)sleep_ms * 1000);
  }

  long regs_a_sum = 0, regs_b_sum = 0, mem_first_sum = 0, mem_second_sum = 0, mem_third_sum = 0;
  long narrow_c_sum = 0, narrow_s_sum = 0, indexed_sum = 0;
  int guarded_fired = 0;
  for (int i = 1; i <= iterations; ++i) {
    int a = -i * 3;  // negative: the int must be sign-extended
    unsigned long b = 1000000000000ul + (unsigned long)i;
    fire_regs(a, b);
    regs_a_sum += a;
    regs_b_sum += (long)b;

    struct record r = {.id = 100 * i, .size = -i, .tag = (short)(-7 * i)};
    fire_mem(&r);
    fire_mem_again(&r);
    mem_first_sum += r.id + r.tag;      // arg0: r.id at site 1, r.tag at site 2
    mem_second_sum += r.size + r.id;    // arg1: r.size, then r.id
    mem_third_sum += 42 + 7;            // arg2: the constants

    signed char c = (signed char)(i % 2 ? -100 : 100);
    unsigned short s = (unsigned short)(60000 + i);
    fire_narrow(c, s);
    narrow_c_sum += c;
    narrow_s_sum += s;

    fire_indexed(i % 8);
    indexed_sum += table[i % 8];

    if (USDT_TEST_GUARDED_ENABLED()) {
      DTRACE_PROBE1(usdt_test, guarded, i);
      ++guarded_fired;
    }
  }
  printf("truth: iterations=%d regs_a_sum=%ld regs_b_sum=%ld\n", iterations, regs_a_sum, regs_b_sum);
  printf("truth: mem_hits=%d mem_arg0_sum=%ld mem_arg1_sum=%ld mem_arg2_sum=%ld\n", 2 * iterations, mem_first_sum,
         mem_second_sum, mem_third_sum);
  printf("truth: narrow_c_sum=%ld narrow_s_sum=%ld\n", narrow_c_sum, narrow_s_sum);
  printf("truth: indexed_sum=%ld\n", indexed_sum);
  printf("truth: guarded_fired=%d\n", guarded_fired);
  return 0;
}
