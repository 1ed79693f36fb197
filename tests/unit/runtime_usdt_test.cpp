// USDT argument specs as bcc decodes them, pt_regs offsets, and reading the
// probes of tests/programs/usdt_probes through bcc (SystemProbeInfo).
#include <bcc/bcc_usdt.h>
#include <gtest/gtest.h>

#include "common/usdt.h"
#include "runtime/system_probe_info.h"
#include "usdt/usdt_reader.h"

namespace ms {
namespace {

TEST(UsdtArgs, RegisterSignedNarrow) {
  std::string err;
  auto a = usdt::argument_from_bcc(-1, BCC_USDT_ARGUMENT_BASE_REGISTER_NAME, 0, 0, nullptr, "di", nullptr, 0, err);
  ASSERT_TRUE(a) << err;
  EXPECT_EQ(a->kind, UsdtArgKind::Register);
  EXPECT_EQ(a->size, 1u);
  EXPECT_TRUE(a->is_signed);
  EXPECT_EQ(describe(*a), "-1@%di");
  EXPECT_EQ(usdt_arg_type(*a), "int8");
}

TEST(UsdtArgs, MemoryWithDisplacementAndIndex) {
  std::string err;
  int valid = BCC_USDT_ARGUMENT_BASE_REGISTER_NAME | BCC_USDT_ARGUMENT_DEREF_OFFSET;
  auto a = usdt::argument_from_bcc(8, valid, 0, -16, nullptr, "bp", nullptr, 0, err);
  ASSERT_TRUE(a) << err;
  EXPECT_EQ(a->kind, UsdtArgKind::Memory);
  EXPECT_EQ(a->offset, -16);
  EXPECT_FALSE(a->is_signed);
  EXPECT_EQ(describe(*a), "8@-16(%bp)");
  valid |= BCC_USDT_ARGUMENT_INDEX_REGISTER_NAME | BCC_USDT_ARGUMENT_SCALE;
  auto b = usdt::argument_from_bcc(-4, valid, 0, 8, nullptr, "bx", "cx", 4, err);
  ASSERT_TRUE(b) << err;
  EXPECT_EQ(b->scale, 4);
  EXPECT_EQ(describe(*b), "-4@8(%bx,%cx,4)");
  // (%rdi): a dereference with no displacement.
  auto c = usdt::argument_from_bcc(-8, BCC_USDT_ARGUMENT_BASE_REGISTER_NAME | BCC_USDT_ARGUMENT_DEREF_OFFSET, 0, 0,
                                   nullptr, "di", nullptr, 0, err);
  ASSERT_TRUE(c) << err;
  EXPECT_EQ(c->kind, UsdtArgKind::Memory);
  EXPECT_EQ(describe(*c), "-8@(%di)");
}

TEST(UsdtArgs, ConstantIgnoresGarbageFields) {
  std::string err;
  // bcc leaves fields that `valid` does not mention uninitialised.
  auto a = usdt::argument_from_bcc(-4, BCC_USDT_ARGUMENT_CONSTANT, 42, 12345, nullptr, nullptr, nullptr, 99, err);
  ASSERT_TRUE(a) << err;
  EXPECT_EQ(a->kind, UsdtArgKind::Constant);
  EXPECT_EQ(a->constant, 42);
  EXPECT_EQ(describe(*a), "-4@$42");
}

TEST(UsdtArgs, RefusesWhatCannotBeRead) {
  std::string err;
  EXPECT_FALSE(usdt::argument_from_bcc(3, BCC_USDT_ARGUMENT_BASE_REGISTER_NAME, 0, 0, nullptr, "ax", nullptr, 0, err));
  EXPECT_EQ(err, "argument size 3 is not 1, 2, 4 or 8 bytes");
  EXPECT_FALSE(usdt::argument_from_bcc(8, BCC_USDT_ARGUMENT_BASE_REGISTER_NAME, 0, 0, nullptr, "xmm0", nullptr, 0, err));
  EXPECT_EQ(err, "unknown register 'xmm0'");
  EXPECT_FALSE(usdt::argument_from_bcc(8, BCC_USDT_ARGUMENT_NONE, 0, 0, nullptr, nullptr, nullptr, 0, err));
}

TEST(UsdtArgs, PtRegsOffsets) {
  EXPECT_EQ(pt_regs_offset("r15"), 0u);
  EXPECT_EQ(pt_regs_offset("bp"), 32u);
  EXPECT_EQ(pt_regs_offset("ax"), 80u);
  EXPECT_EQ(pt_regs_offset("di"), 112u);
  EXPECT_EQ(pt_regs_offset("ip"), 128u);
  EXPECT_EQ(pt_regs_offset("sp"), 152u);
  EXPECT_FALSE(pt_regs_offset("eax"));  // bcc normalises sub-registers; anything else is unknown
}

TEST(UsdtReader, ProbesOfTheTestProgram) {
  if (!usdt::available_in_this_build()) GTEST_SKIP() << "libbcc cannot be loaded in a sanitizer build";
  runtime::SystemProbeInfo info;
  const std::string path = std::string(MS_BINARY_DIR) + "/tests/programs/usdt_probes";
  UsdtLookup r = info.usdt_probes(path);
  ASSERT_TRUE(r.error.empty()) << r.error;
  ASSERT_EQ(r.probes.size(), 5u);
  const UsdtProbe* mem = nullptr;
  for (const auto& p : r.probes) {
    EXPECT_EQ(p.provider, "usdt_test");
    EXPECT_NE(p.semaphore_offset, 0u) << p.name;
    if (p.name == "mem") mem = &p;
  }
  ASSERT_TRUE(mem);
  ASSERT_EQ(mem->locations.size(), 2u);
  for (const auto& loc : mem->locations) {
    ASSERT_EQ(loc.args.size(), 3u);
    EXPECT_EQ(loc.args[0].kind, UsdtArgKind::Memory);
    EXPECT_EQ(loc.args[2].kind, UsdtArgKind::Constant);
    EXPECT_NE(loc.file_offset, 0u);
  }
  EXPECT_EQ(mem->locations[0].args[2].constant, 42);
  EXPECT_EQ(mem->locations[1].args[2].constant, 7);
}

TEST(UsdtReader, MissingFile) {
  runtime::SystemProbeInfo info;
  UsdtLookup r = info.usdt_probes("/no/such/file");
  EXPECT_TRUE(r.file_missing);
}

}  // namespace
}  // namespace ms
