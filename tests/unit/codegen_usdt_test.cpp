// usdt: attach points through an injected ProbeInfoProvider: expansion of
// globs, the located errors, and code generation (one program per location,
// manifest fields, arguments read by their specs).
#include <gtest/gtest.h>

#include "codegen_test_support.h"
#include "common/usdt.h"

namespace ms {
namespace {

UsdtArgument reg(const char* name, uint32_t size, bool is_signed) {
  UsdtArgument a;
  a.kind = UsdtArgKind::Register;
  a.base_register = name;
  a.size = size;
  a.is_signed = is_signed;
  return a;
}

UsdtArgument mem(const char* base, int64_t offset, uint32_t size, bool is_signed) {
  UsdtArgument a = reg(base, size, is_signed);
  a.kind = UsdtArgKind::Memory;
  a.offset = offset;
  return a;
}

UsdtArgument constant(int64_t v) {
  UsdtArgument a;
  a.kind = UsdtArgKind::Constant;
  a.constant = v;
  a.size = 4;
  a.is_signed = true;
  return a;
}

class FakeUsdtProvider : public ProbeInfoProvider {
 public:
  TracepointLookup tracepoint_format(const std::string&, const std::string&) const override { return {}; }
  std::vector<std::string> tracepoints(std::string&) const override { return {}; }
  UsdtLookup usdt_probes(const std::string& target) const override {
    UsdtLookup r;
    if (target == "/bin/app") {
      r.path = target;
      UsdtProbe regs{target, "app", "regs", 0x3010, {{0x1100, 0x100, {reg("di", 1, true), reg("si", 2, false)}}}};
      UsdtProbe two{target,
                    "app",
                    "two",
                    0,
                    {{0x1200, 0x200, {mem("di", 8, 4, true), constant(42)}}, {0x1300, 0x300, {mem("bx", -16, 8, false)}}}};
      UsdtProbe sym{target, "other", "sym", 0, {{0x1400, 0x400, {mem("ip", 0, 4, true)}}}};
      sym.locations[0].args[0].symbol = "counter";
      r.probes = {regs, two, sym};
    } else if (target == "libc") {
      r.path = "/lib/x86_64-linux-gnu/libc.so.6";
    } else if (target == "/bin/plain") {
      r.path = target;
    } else {
      r.file_missing = true;
    }
    return r;
  }
  std::vector<std::string> usdt_objects(std::string&) const override { return {"/bin/plain", "/bin/app", "/nope"}; }
};

struct Result {
  std::string errors;
  std::optional<CompileResult> compiled;
  SemanticInfo info;
};

Result compile_usdt(const std::string& src, const CompileOptions& opts = {}) {
  Result r;
  Diagnostics diags("-e", src);
  auto program = parse(diags);
  FakeUsdtProvider provider;
  if (program && check(*program, diags, r.info, &provider)) r.compiled = compile(*program, r.info, diags, opts);
  r.errors = diags.render();
  return r;
}

TEST(Usdt, OneProgramPerLocationWithOffsetsAndSemaphore) {
  auto r = compile_usdt("usdt:/bin/app:app:two { @a = sum(arg0); } usdt:/bin/app:regs { @b = sum(arg1); }");
  ASSERT_TRUE(r.compiled) << r.errors;
  const auto& probes = r.compiled->manifest.probes;
  ASSERT_EQ(probes.size(), 3u);
  EXPECT_EQ(probes[0].type, manifest::ProbeType::Usdt);
  EXPECT_EQ(probes[0].target, "/bin/app");
  EXPECT_EQ(probes[0].usdt_provider, "app");
  EXPECT_EQ(probes[0].func, "two");
  EXPECT_EQ(probes[0].file_offset, 0x200u);
  EXPECT_EQ(probes[0].usdt_location, 0u);
  EXPECT_EQ(probes[0].ref_ctr_offset, 0u);
  EXPECT_EQ(probes[1].file_offset, 0x300u);
  EXPECT_EQ(probes[1].usdt_location, 1u);
  EXPECT_EQ(probes[2].func, "regs");  // usdt:PATH:NAME finds the provider
  EXPECT_EQ(probes[2].ref_ctr_offset, 0x3010u);
  EXPECT_NE(probes[0].prog_name, probes[1].prog_name);
  auto obj = test::open_elf(r.compiled->elf);
  ASSERT_TRUE(obj);
  int programs = 0;
  bpf_program* p = nullptr;
  bpf_object__for_each_program(p, obj.get()) ++programs;
  EXPECT_EQ(programs, 3);
}

// Sign and zero extension by the spec's size are checked end to end against
// the truth (tests/runtime/usdt.test, the narrow probe): the optimiser
// rewrites them, so the IR says nothing stable about them.
TEST(Usdt, ArgumentsAreSigned64BitValues) {
  auto r = compile_usdt("usdt:/bin/app:app:regs { @a = sum(arg0); @b = sum(arg1); }");
  ASSERT_TRUE(r.compiled) << r.errors;
  EXPECT_TRUE(r.info.maps.at("@a").value.is_signed);
  EXPECT_TRUE(r.info.maps.at("@b").value.is_signed);
}

TEST(Usdt, GlobExpandsToEveryMatchingProbe) {
  auto r = compile_usdt("usdt:/bin/app:app:* { @[probe] = count(); }");
  ASSERT_TRUE(r.compiled) << r.errors;
  ASSERT_EQ(r.compiled->manifest.probes.size(), 3u);  // regs, two (two locations)
  EXPECT_EQ(r.compiled->manifest.probes[0].display, "usdt:/bin/app:app:regs");
  EXPECT_EQ(r.info.usdt_probes.size(), 2u);
}

TEST(Usdt, ArgumentBeyondTheProbesIsLocated) {
  auto r = compile_usdt("usdt:/bin/app:app:regs { @ = sum(arg2); }");
  EXPECT_EQ(r.errors,
            "-e:1:34: error: USDT probe app:regs has 2 arguments: arg2 does not exist\n"
            "usdt:/bin/app:app:regs { @ = sum(arg2); }\n"
            "                                 ^~~~\n"
            "hint: use arg0 to arg1\n");
}

TEST(Usdt, SymbolRelativeArgumentIsRefused) {
  auto r = compile_usdt("usdt:/bin/app:other:sym { @ = sum(arg0); }");
  EXPECT_NE(r.errors.find("error: USDT probe other:sym arg0 is at -4@counter(%ip), a symbol-relative address"),
            std::string::npos)
      << r.errors;
}

TEST(Usdt, UnknownProbeSuggestsAClosename) {
  auto r = compile_usdt("usdt:/bin/app:app:regz { @ = count(); }");
  EXPECT_EQ(r.errors,
            "-e:1:1: error: no USDT probe matches 'app:regz' in /bin/app\n"
            "usdt:/bin/app:app:regz { @ = count(); }\n"
            "^~~~~~~~~~~~~~~~~~~~~~\n"
            "hint: did you mean 'app:regs'?\n");
}

TEST(Usdt, FileWithoutNotesAndLibc) {
  EXPECT_NE(compile_usdt("usdt:/bin/plain:x { @ = count(); }").errors.find("error: /bin/plain has no USDT probes"),
            std::string::npos);
  auto libc = compile_usdt("usdt:libc:memory_malloc_retry { @ = count(); }").errors;
  EXPECT_NE(libc.find("error: the installed libc (/lib/x86_64-linux-gnu/libc.so.6) carries no USDT probes"),
            std::string::npos)
      << libc;
  auto missing = compile_usdt("usdt:/nope:x { @ = count(); }").errors;
  EXPECT_NE(missing.find("error: cannot find '/nope' to attach usdt:/nope:x"), std::string::npos) << missing;
}

TEST(Usdt, EveryObjectOfTheProcess) {
  auto r = compile_usdt("usdt:*:app:regs { @ = count(); }");
  ASSERT_TRUE(r.compiled) << r.errors;
  ASSERT_EQ(r.compiled->manifest.probes.size(), 1u);
  EXPECT_EQ(r.compiled->manifest.probes[0].target, "/bin/app");
  EXPECT_EQ(compile_usdt("usdt:*:app:nothing { @ = count(); }").errors,
            "-e:1:1: error: no USDT probe matches 'app:nothing' in the files the traced process maps\n"
            "usdt:*:app:nothing { @ = count(); }\n"
            "^~~~~~~~~~~~~~~~~~\n");
}

TEST(Usdt, MalformedAttachPoint) {
  auto r = compile_usdt("usdt:/bin/app { @ = count(); }");
  EXPECT_NE(r.errors.find("error: malformed attach point 'usdt:/bin/app'"), std::string::npos) << r.errors;
  EXPECT_NE(r.errors.find("hint: expected usdt:PATH:PROVIDER:NAME or usdt:PATH:NAME"), std::string::npos) << r.errors;
}

TEST(Usdt, HighArgumentsOnlyInUsdtProbes) {
  auto r = compile_usdt("uprobe:/bin/app:main { @ = sum(arg6); }");
  EXPECT_NE(r.errors.find("error: builtin 'arg6' can only be used in usdt probes"), std::string::npos) << r.errors;
}

}  // namespace
}  // namespace ms
