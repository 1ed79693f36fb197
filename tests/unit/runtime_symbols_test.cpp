// The symbolizer on fixture ELF files built by the test suite
// (tests/fixtures/symbols). Each fixture prints the run-time addresses of its
// functions and its own /proc/self/maps, then exits; the addresses are
// resolved afterwards from the printed mappings, as for an exited -c command.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "runtime/stack_renderer.h"
#include "runtime/symbolizer.h"

namespace ms::runtime {
namespace {

struct FixtureRun {
  std::map<std::string, uint64_t> addrs;
  std::string maps;
};

FixtureRun run_fixture(const std::string& name) {
  FixtureRun r;
  std::string path = std::string(MS_SYMFIX_DIR) + "/" + name;
  FILE* p = popen(path.c_str(), "r");
  EXPECT_NE(p, nullptr) << path;
  if (!p) return r;
  char line[4096];
  bool in_maps = false;
  while (fgets(line, sizeof line, p)) {
    std::string l(line);
    if (in_maps) {
      r.maps += l;
    } else if (l == "maps\n") {
      in_maps = true;
    } else if (l.rfind("addr ", 0) == 0) {
      auto sp = l.rfind(' ');
      r.addrs[l.substr(5, sp - 5)] = std::stoull(l.substr(sp + 1), nullptr, 16);
    }
  }
  pclose(p);
  return r;
}

constexpr pid_t kFakePid = 4242424;  // not a live process: nothing can be re-read

void expect_resolves(const std::string& fixture, const std::string& func, const std::string& module_suffix) {
  FixtureRun run = run_fixture(fixture);
  ASSERT_TRUE(run.addrs.count(func)) << fixture << " did not print " << func;
  Symbolizer s;
  s.set_mappings(kFakePid, parse_proc_maps(run.maps));
  uint64_t addr = run.addrs[func];
  ResolvedFrame f = s.resolve_user(kFakePid, addr + 5);
  EXPECT_EQ(f.symbol, func) << fixture;
  EXPECT_EQ(f.offset, 5u) << fixture;
  EXPECT_TRUE(f.module.size() >= module_suffix.size() &&
              f.module.compare(f.module.size() - module_suffix.size(), module_suffix.size(), module_suffix) == 0)
      << f.module;
  EXPECT_EQ(s.user_name(kFakePid, addr, true), func + "+0");
  EXPECT_EQ(s.user_name(kFakePid, addr, false), func);
}

TEST(RuntimeSymbols, PieExecutable) { expect_resolves("symfix_pie", "fixture_alpha", "/symfix_pie"); }
TEST(RuntimeSymbols, NonPieExecutable) { expect_resolves("symfix_nopie", "fixture_beta", "/symfix_nopie"); }
TEST(RuntimeSymbols, SharedLibraryAtABias) {
  expect_resolves("symfix_pie", "fixture_lib_function", "/libsymfix_lib.so");
}
TEST(RuntimeSymbols, CxxNamesAreDemangled) {
  expect_resolves("symfix_cxx", "fixture::Widget::grow(int)", "/symfix_cxx");
}
TEST(RuntimeSymbols, StrippedBinaryUsesItsDebugLink) {
  // symfix_stripped has no .symtab; its names come from symfix_stripped.debug.
  auto stripped = ElfSymbolTable::load(std::string(MS_SYMFIX_DIR) + "/symfix_stripped");
  ASSERT_TRUE(stripped);
  expect_resolves("symfix_stripped", "fixture_alpha", "/symfix_stripped");
}

TEST(RuntimeSymbols, UnknownAddressPrintsHex) {
  Symbolizer s;
  s.set_mappings(kFakePid, {});
  EXPECT_EQ(s.user_name(kFakePid, 0x1234, true), "0x1234");
  EXPECT_EQ(s.resolve_user(kFakePid, 0x1234).module, "");
}

TEST(RuntimeSymbols, FramePointerHeuristic) {
  auto with = ElfSymbolTable::load(std::string(MS_SYMFIX_DIR) + "/symfix_nopie");
  auto without = ElfSymbolTable::load(std::string(MS_SYMFIX_DIR) + "/symfix_nofp");
  ASSERT_TRUE(with && without);
  EXPECT_EQ(with->has_frame_pointers(), std::optional<bool>(true));
  EXPECT_EQ(without->has_frame_pointers(), std::optional<bool>(false));

  // Said once per module that shows up in a stack.
  FixtureRun run = run_fixture("symfix_nofp");
  Symbolizer s;
  s.set_mappings(kFakePid, parse_proc_maps(run.maps));
  s.resolve_user(kFakePid, run.addrs["fixture_alpha"]);
  s.resolve_user(kFakePid, run.addrs["fixture_beta"]);
  auto w = s.take_warnings();
  ASSERT_EQ(w.size(), 1u);
  EXPECT_EQ(w[0], "symfix_nofp has no frame pointers; stacks through it are truncated");
}

TEST(RuntimeSymbols, ParseProcMapsKeepsFileMappings) {
  auto maps = parse_proc_maps(
      "55d0c0a00000-55d0c0a01000 r--p 00000000 08:01 1234 /usr/bin/prog\n"
      "55d0c0a01000-55d0c0a02000 r-xp 00001000 08:01 1234 /usr/bin/prog\n"
      "7ffd1c000000-7ffd1c021000 rw-p 00000000 00:00 0 [stack]\n"
      "7f0000000000-7f0000001000 rw-p 00000000 00:00 0\n");
  ASSERT_EQ(maps.size(), 2u);
  EXPECT_EQ(maps[1].start, 0x55d0c0a01000u);
  EXPECT_EQ(maps[1].offset, 0x1000u);
  EXPECT_EQ(maps[1].inode, 1234u);
  EXPECT_EQ(maps[1].path, "/usr/bin/prog");
}

TEST(RuntimeSymbols, KernelSymbolsFromKallsyms) {
  char path[] = "/tmp/ms_kallsyms_XXXXXX";
  int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  std::string text =
      "ffffffff81000000 T _stext\n"
      "ffffffff81000100 t do_thing\n"
      "ffffffff81000200 D some_data\n"
      "ffffffffc0000000 t mod_func\t[mymod]\n";
  ASSERT_EQ(write(fd, text.data(), text.size()), static_cast<ssize_t>(text.size()));
  close(fd);
  Symbolizer s;
  s.set_kallsyms_path(path);
  EXPECT_EQ(s.kernel_name(0xffffffff81000105, true), "do_thing+5");
  EXPECT_EQ(s.kernel_name(0xffffffff81000205, false), "do_thing");  // data symbols are not functions
  EXPECT_EQ(s.kernel_name(0xffffffffc0000010, true), "mod_func+16");
  EXPECT_EQ(s.kernel_name(0x1000, true), "0x1000");
  unlink(path);
}

TEST(RuntimeSymbols, DemangleLeavesCNamesAlone) {
  EXPECT_EQ(demangle("_ZN7fixture6Widget4growEi"), "fixture::Widget::grow(int)");
  EXPECT_EQ(demangle("malloc"), "malloc");
  EXPECT_EQ(demangle("_Znot_valid"), "_Znot_valid");
}

// Stack text, exactly as bpftrace 0.17 prints it, from a fake stack store.
TEST(RuntimeStacks, FormatsLikeBpftrace) {
  FixtureRun run = run_fixture("symfix_pie");
  Symbolizer s;
  s.set_mappings(kFakePid, parse_proc_maps(run.maps));
  StackRenderer r(s);
  StackRecord rec;
  rec.owner = kFakePid;
  rec.frames = {run.addrs["fixture_lib_function"] + 3, run.addrs["fixture_beta"] + 7};
  rec.entry_ret = run.addrs["fixture_alpha"] + 9;  // the entry-probe caller: printed second
  r.add(77, rec);
  EXPECT_EQ(r.render_stack(77, false, 127, false, true),
            "\n    fixture_lib_function+3\n    fixture_alpha+9\n    fixture_beta+7\n");
  EXPECT_EQ(r.render_stack(77, false, 2, false, false), "\n        fixture_lib_function+3\n        fixture_alpha+9\n");
  char a[32];
  std::snprintf(a, sizeof a, "%llx", static_cast<unsigned long long>(run.addrs["fixture_lib_function"] + 3));
  std::string lib;
  for (const auto& m : parse_proc_maps(run.maps))
    if (m.path.find("libsymfix_lib") != std::string::npos) lib = m.path;
  EXPECT_EQ(r.render_stack(77, false, 1, true, true), "\n\t" + std::string(a) + " fixture_lib_function+3 (" + lib + ")\n");
  EXPECT_EQ(r.render_stack(0, false, 127, false, true), "\n    [stack not recorded]\n");
}

TEST(RuntimeStacks, RecordDecoding) {
  uint64_t words[manifest::kStackRecordWords] = {};
  words[0] = 99;
  words[1] = 0x500;
  words[2] = 0x100;
  words[3] = 0x200;
  StackRecord r = decode_stack_record(reinterpret_cast<const uint8_t*>(words), sizeof words);
  EXPECT_EQ(r.owner, 99u);
  EXPECT_EQ(r.frames, (std::vector<uint64_t>{0x100, 0x200}));
  EXPECT_EQ(r.printed_frames(127), (std::vector<uint64_t>{0x100, 0x500, 0x200}));
  EXPECT_EQ(r.printed_frames(2), (std::vector<uint64_t>{0x100, 0x500}));
  ASSERT_EQ(r.scan.size(), manifest::kStackScanWords);  // kept when an entry caller was added
  r.hidden_ret = 0x300;  // a frameless caller's own caller, once recovered
  EXPECT_EQ(r.printed_frames(127), (std::vector<uint64_t>{0x100, 0x500, 0x300, 0x200}));
  r.hidden_ret = 0x200;  // already the next frame: never printed twice
  EXPECT_EQ(r.printed_frames(127), (std::vector<uint64_t>{0x100, 0x500, 0x200}));
}

// The unwind table says where a frameless function keeps its return address.
TEST(RuntimeSymbols, FramelessCallerFromEhFrame) {
  FixtureRun run = run_fixture("symfix_nofp");
  auto t = ElfSymbolTable::load(std::string(MS_SYMFIX_DIR) + "/symfix_nofp");
  ASSERT_TRUE(t);
  // At a function's first byte the CFA is rsp + 8 (only the return address).
  Symbolizer s;
  s.set_mappings(kFakePid, parse_proc_maps(run.maps));
  ResolvedFrame f = s.resolve_user(kFakePid, run.addrs["fixture_alpha"]);
  ASSERT_EQ(f.symbol, "fixture_alpha");
  auto fp_table = ElfSymbolTable::load(std::string(MS_SYMFIX_DIR) + "/symfix_nopie");
  ASSERT_TRUE(fp_table);
  // In a frame-pointer build, past the prologue the CFA is rbp-based: nothing to recover.
  uint64_t nopie_alpha = 0;
  for (size_t i = 0; i < 100000 && !nopie_alpha; ++i) {
    const ElfSymbol* sym = fp_table->find(0x401000 + i);
    if (sym && sym->name == "fixture_alpha") nopie_alpha = sym->addr;
  }
  ASSERT_NE(nopie_alpha, 0u);
  EXPECT_EQ(fp_table->rsp_cfa_offset(nopie_alpha), std::optional<int64_t>(8));
  EXPECT_EQ(fp_table->rsp_cfa_offset(nopie_alpha + 8), std::nullopt);
}

}  // namespace
}  // namespace ms::runtime
