// Emulation-aware entry-probe placement on real x86-64 prologues (bytes
// copied from Debian 12's libc.so.6 and from small hand-made functions).
#include <gtest/gtest.h>

#include <vector>

#include "codegen/probe_placement.h"

using ms::place_entry_probe;

namespace {

ms::EntryProbePlacement place(const std::vector<uint8_t>& code) { return place_entry_probe(code.data(), code.size()); }

}  // namespace

TEST(ProbePlacement, FreeStepsOverTestToTheEmulatedJe) {
  // free: test %rdi,%rdi; je ...; push %rbp
  auto p = place({0x48, 0x85, 0xff, 0x0f, 0x84, 0xbf, 0x00, 0x00, 0x00, 0x55});
  EXPECT_EQ(p.offset, 3u) << p.reason;
  EXPECT_EQ(p.skipped, "testq %rdi, %rdi");
}

TEST(ProbePlacement, PosixMemalignStepsOverRipRelativeCompareToPush) {
  // posix_memalign: cmpb $0x0,0x140201(%rip); push %r12; mov %rdx,%r12
  auto p = place({0x80, 0x3d, 0x01, 0x02, 0x14, 0x00, 0x00, 0x41, 0x54, 0x49, 0x89, 0xd4});
  EXPECT_EQ(p.offset, 7u) << p.reason;
}

TEST(ProbePlacement, MallocStartsWithAnEmulatedPush) {
  // malloc: push %r12; push %rbp; push %rbx
  auto p = place({0x41, 0x54, 0x55, 0x53});
  EXPECT_EQ(p.offset, 0u);
  EXPECT_EQ(p.reason, "the first instruction is emulated");
}

TEST(ProbePlacement, RegisterWritesAreNeverSkipped) {
  // mmap: mov %ecx,%r10d; test $0xfff,%r9d; jne
  EXPECT_EQ(place({0x41, 0x89, 0xca, 0x41, 0xf7, 0xc1, 0xff, 0x0f, 0x00, 0x00, 0x75, 0x14}).offset, 0u);
  // munmap: mov $0xb,%eax; syscall
  EXPECT_EQ(place({0xb8, 0x0b, 0x00, 0x00, 0x00, 0x0f, 0x05}).offset, 0u);
  // reallocarray: mov %rsi,%rax; mul %rdx
  EXPECT_EQ(place({0x48, 0x89, 0xf0, 0x48, 0xf7, 0xe2}).offset, 0u);
}

TEST(ProbePlacement, StaysWhenNothingEmulatedFollows) {
  // test %rdi,%rdi; mov %rdi,%rax (not emulated): moving gains nothing.
  auto p = place({0x48, 0x85, 0xff, 0x48, 0x89, 0xf8, 0xc3});
  EXPECT_EQ(p.offset, 0u);
  EXPECT_EQ(p.reason, "no emulated instruction after flag-only instructions");
}

TEST(ProbePlacement, StaysWhenABranchTargetsTheNewOffset) {
  // 0: test %rdi,%rdi   3: je +2 (to 7)   5: jmp -4 (to 3)   7: ret
  auto p = place({0x48, 0x85, 0xff, 0x74, 0x02, 0xeb, 0xfc, 0xc3});
  EXPECT_EQ(p.offset, 0u);
  EXPECT_EQ(p.reason, "a branch at +5 targets +3");
}

TEST(ProbePlacement, StoresAreNeverSkipped) {
  // cmpxchg-like side effects aside, a plain store: mov %rdi,(%rsi); push %rbx
  EXPECT_EQ(place({0x48, 0x89, 0x3e, 0x53}).offset, 0u);
  // A stack-pointer write: sub $0x58,%rsp; (mremap)
  EXPECT_EQ(place({0x48, 0x83, 0xec, 0x58, 0x55}).offset, 0u);
}

TEST(ProbePlacement, EmptyOrUndecodable) {
  EXPECT_EQ(place_entry_probe(nullptr, 0).offset, 0u);
  EXPECT_EQ(place({0x0f, 0xff}).offset, 0u);  // ud0 without operands: undecodable or not flag-only
}
