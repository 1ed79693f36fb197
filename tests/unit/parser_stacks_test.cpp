// ustack / kstack / usym / ksym in the language: types and exact diagnostics.
#include <gtest/gtest.h>

#include "parser/parse.h"
#include "unit/parser_test_support.h"

namespace ms {
namespace {

using test::errors_of;

// The value type of map @m after checking `src`.
std::string map_value_type(const std::string& src, const std::string& map = "@m") {
  Diagnostics diags("-e", src);
  auto program = parse(diags);
  EXPECT_TRUE(program);
  if (!program) return {};
  SemanticInfo info;
  EXPECT_TRUE(check(*program, diags, info)) << diags.render();
  auto it = info.maps.find(map);
  return it == info.maps.end() ? std::string("<no map>") : to_string(it->second.value);
}

TEST(ParserStacks, StackTypesAndModes) {
  EXPECT_EQ(map_value_type("uprobe:/bin/ls:main { @m = ustack; }"), "ustack");
  EXPECT_EQ(map_value_type("uprobe:/bin/ls:main { @m = ustack(); }"), "ustack");
  EXPECT_EQ(map_value_type("uprobe:/bin/ls:main { @m = ustack(5); }"), "ustack(5)");
  EXPECT_EQ(map_value_type("uprobe:/bin/ls:main { @m = ustack(perf); }"), "ustack(perf)");
  EXPECT_EQ(map_value_type("uprobe:/bin/ls:main { @m = ustack(perf, 3); }"), "ustack(perf, 3)");
  EXPECT_EQ(map_value_type("uprobe:/bin/ls:main { @m = ustack(bpftrace, 127); }"), "ustack");
  EXPECT_EQ(map_value_type("uprobe:/bin/ls:main { @m = kstack(perf); }"), "kstack(perf)");
  EXPECT_EQ(map_value_type("uprobe:/bin/ls:main { @m = usym(arg0); }"), "usym");
  EXPECT_EQ(map_value_type("uprobe:/bin/ls:main { @m = ksym(arg0); }"), "ksym");
  EXPECT_EQ(map_value_type("uprobe:/bin/ls:main { @m[ustack, kstack(3)] = count(); }"), "count");
  EXPECT_EQ(errors_of("uprobe:/bin/ls:main { printf(\"%s %s\\n\", ustack(2), usym(arg0)); }"), "");
}

TEST(ParserStacks, TooManyFrames) {
  EXPECT_EQ(errors_of("uprobe:/bin/ls:main { @[ustack(200)] = count(); }"),
            "-e:1:32: error: ustack() keeps 1 to 127 frames, not 200\n"
            "uprobe:/bin/ls:main { @[ustack(200)] = count(); }\n"
            "                               ^~~\n"
            "hint: 127 is the kernel's perf_event_max_stack default\n");
}

TEST(ParserStacks, UnknownMode) {
  EXPECT_EQ(errors_of("uprobe:/bin/ls:main { @[kstack(fast)] = count(); }"),
            "-e:1:32: error: unknown stack mode 'fast'\n"
            "uprobe:/bin/ls:main { @[kstack(fast)] = count(); }\n"
            "                               ^~~~\n"
            "hint: the modes are perf and bpftrace\n");
}

TEST(ParserStacks, FramesMustBeConstant) {
  EXPECT_EQ(errors_of("uprobe:/bin/ls:main { @[ustack(perf, arg0)] = count(); }"),
            "-e:1:38: error: the number of frames given to ustack() must be an integer constant\n"
            "uprobe:/bin/ls:main { @[ustack(perf, arg0)] = count(); }\n"
            "                                     ^~~~\n"
            "hint: usage: ustack([perf|bpftrace|dwarf|auto][, frames])\n");
}

// dwarf is a way to capture, not to print: the value is a plain ustack, so one
// map may hold stacks captured either way (memleak.ms --stack-mode).
TEST(ParserStacks, DwarfModeIsACaptureNotAType) {
  EXPECT_EQ(map_value_type("uprobe:/bin/ls:main { @m = ustack(dwarf); }"), "ustack");
  EXPECT_EQ(map_value_type("uprobe:/bin/ls:main { @m = ustack(dwarf, 4); }"), "ustack(4)");
  EXPECT_EQ(map_value_type("uprobe:/bin/ls:main { @m = ustack(auto); }"), "ustack");
  EXPECT_EQ(errors_of("uprobe:/bin/ls:main { @[ustack] = count(); @[ustack(dwarf)] = count(); @[ustack(auto)] = count(); }"), "");
}

TEST(ParserStacks, KernelStacksHaveNoDwarfMode) {
  EXPECT_EQ(errors_of("uprobe:/bin/ls:main { @[kstack(dwarf)] = count(); }"),
            "-e:1:32: error: kstack() has no dwarf mode: kernel stacks are walked by the kernel\n"
            "uprobe:/bin/ls:main { @[kstack(dwarf)] = count(); }\n"
            "                               ^~~~~\n"
            "hint: dwarf unwinds user stacks: ustack(dwarf)\n");
}

TEST(ParserStacks, DifferentStackModesAreDifferentTypes) {
  EXPECT_EQ(errors_of("uprobe:/bin/ls:main { @[ustack] = count(); @[ustack(perf)] = count(); }"),
            "-e:1:46: error: type mismatch for key 1 of map '@': ustack(perf) here, but ustack before\n"
            "uprobe:/bin/ls:main { @[ustack] = count(); @[ustack(perf)] = count(); }\n"
            "                                             ^~~~~~~~~~~~\n"
            "hint: @ was first used at -e:1:23\n");
}

TEST(ParserStacks, SymbolOfAString) {
  EXPECT_EQ(errors_of("uprobe:/bin/ls:main { @[usym(comm)] = count(); }"),
            "-e:1:30: error: usym() needs an address (an integer), not string[16]\n"
            "uprobe:/bin/ls:main { @[usym(comm)] = count(); }\n"
            "                             ^~~~\n");
}

}  // namespace
}  // namespace ms
