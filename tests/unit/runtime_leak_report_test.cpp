// The memleak report: grouping, filters, order and BCC's exact text.
#include <gtest/gtest.h>

#include <cmath>

#include "runtime/leak_report.h"

using namespace ms::runtime;

namespace {

constexpr uint64_t kMs = 1'000'000;

// Stack 1: main -> make_record -> malloc; stack 2: main -> churn -> malloc.
std::vector<std::string> render(StackKey key) {
  if (key == 1)
    return {"0x00007f0000001000\tmalloc+0x0 [libc.so.6]", "0x0000555500001234\tmake_record+0x14 [leaky]",
            "0x0000555500001300\tmain+0x2a [leaky]"};
  if (key == 2)
    return {"0x00007f0000001000\tmalloc+0x0 [libc.so.6]", "0x0000555500001400\tchurn+0x9 [leaky]",
            "0x0000555500001300\tmain+0x40 [leaky]"};
  return {};
}

std::vector<OutstandingAllocation> sample() {
  // now = 10 s; stack 1 leaks 3 x 100 bytes (old), stack 2 has 5 x 16 bytes
  // old and one 16-byte allocation only 100 ms old; stack 3 is unknown.
  std::vector<OutstandingAllocation> v;
  for (int i = 0; i < 3; ++i) v.push_back({0x1000u + i * 0x100u, 100, 1000 * kMs, 1, true});
  for (int i = 0; i < 5; ++i) v.push_back({0x9000u + i * 0x20u, 16, 2000 * kMs, 2, true});
  v.push_back({0xa000, 16, 9900 * kMs, 2, true});
  v.push_back({0xb000, 64, 1000 * kMs, 0, false});
  return v;
}

}  // namespace

TEST(LeakReport, GroupsOldAllocationsByStackAscending) {
  auto allocs = sample();
  LeakReportOptions o;
  LeakSummary s = summarize_outstanding(allocs, 10'000 * kMs, o);
  ASSERT_EQ(s.stacks.size(), 2u);
  EXPECT_EQ(s.stacks[0].stack, 2u);  // 80 bytes: printed first
  EXPECT_EQ(s.stacks[0].bytes, 80u);
  EXPECT_EQ(s.stacks[0].allocations, 5u);  // the 100 ms old one is too young
  EXPECT_EQ(s.stacks[1].stack, 1u);
  EXPECT_EQ(s.stacks[1].bytes, 300u);
  EXPECT_EQ(s.unknown_stack_allocations, 1u);
  EXPECT_TRUE(s.allocations.empty());  // listed for -a only
  o.show_allocs = true;
  EXPECT_EQ(summarize_outstanding(allocs, 10'000 * kMs, o).allocations.size(), 8u);
}

TEST(LeakReport, BccTextExactly) {
  auto allocs = sample();
  LeakReportOptions o;
  o.top = 10;
  std::string text = format_leak_report_text(summarize_outstanding(allocs, 10'000 * kMs, o), o, "11:16:33", render);
  EXPECT_EQ(text,
            "[11:16:33] Top 10 stacks with outstanding allocations:\n"
            "\t80 bytes in 5 allocations from stack\n"
            "\t\t0x00007f0000001000\tmalloc+0x0 [libc.so.6]\n"
            "\t\t0x0000555500001400\tchurn+0x9 [leaky]\n"
            "\t\t0x0000555500001300\tmain+0x40 [leaky]\n"
            "\t300 bytes in 3 allocations from stack\n"
            "\t\t0x00007f0000001000\tmalloc+0x0 [libc.so.6]\n"
            "\t\t0x0000555500001234\tmake_record+0x14 [leaky]\n"
            "\t\t0x0000555500001300\tmain+0x2a [leaky]\n");
}

TEST(LeakReport, TopSortByCountAndShowAllocs) {
  auto allocs = sample();
  LeakReportOptions o;
  o.top = 1;
  o.sort = LeakSortKey::Count;
  o.show_allocs = true;
  o.min_age_ns = 0;
  std::string text = format_leak_report_text(summarize_outstanding(allocs, 10'000 * kMs, o), o, "00:00:01", render);
  EXPECT_EQ(text,
            "[00:00:01] Top 1 stacks with outstanding allocations:\n"
            "\taddr = 9000 size = 16\n"
            "\taddr = 9020 size = 16\n"
            "\taddr = 9040 size = 16\n"
            "\taddr = 9060 size = 16\n"
            "\taddr = 9080 size = 16\n"
            "\taddr = a000 size = 16\n"
            "\taddr = 1000 size = 100\n"
            "\taddr = 1100 size = 100\n"
            "\taddr = 1200 size = 100\n"
            "\t96 bytes in 6 allocations from stack\n"
            "\t\t0x00007f0000001000\tmalloc+0x0 [libc.so.6]\n"
            "\t\t0x0000555500001400\tchurn+0x9 [leaky]\n"
            "\t\t0x0000555500001300\tmain+0x40 [leaky]\n");
}

TEST(LeakReport, SampledFiguresAreScaledAndLabelled) {
  std::vector<OutstandingAllocation> allocs = {{0x10, 32, 0, 1, true}};
  LeakReportOptions o;
  o.scale = 100;
  o.min_age_ns = 0;
  std::string text = format_leak_report_text(summarize_outstanding(allocs, 1, o), o, "12:00:00", render);
  EXPECT_NE(text.find("(estimated from 1 in 100 allocations):\n"), std::string::npos);
  EXPECT_NE(text.find("\t3200 bytes in 100 allocations from stack\n"), std::string::npos);
}

TEST(LeakReport, CombinedStacksAndLostStack) {
  std::vector<CombinedStack> c = {{1, 4096, 2}, {7, 10, 1}, {2, 0, 0}};
  LeakReportOptions o;
  std::string text = format_leak_report_text(summarize_combined(c, o), o, "01:02:03", render);
  EXPECT_EQ(text,
            "[01:02:03] Top 10 stacks with outstanding allocations:\n"
            "\t10 bytes in 1 allocations from stack\n"
            "\t\tstack information lost\n"
            "\t4096 bytes in 2 allocations from stack\n"
            "\t\t0x00007f0000001000\tmalloc+0x0 [libc.so.6]\n"
            "\t\t0x0000555500001234\tmake_record+0x14 [leaky]\n"
            "\t\t0x0000555500001300\tmain+0x2a [leaky]\n");
}

TEST(LeakReport, JsonOneObjectPerStackThenReport) {
  std::vector<CombinedStack> c = {{1, 300, 3}};
  LeakReportOptions o;
  std::string json = format_leak_report_json(summarize_combined(c, o), o, "01:02:03", render);
  EXPECT_EQ(json,
            "{\"type\":\"leak_stack\",\"bytes\":300,\"allocations\":3,\"estimated\":false,\"frames\":["
            "\"0x00007f0000001000\\tmalloc+0x0 [libc.so.6]\",\"0x0000555500001234\\tmake_record+0x14 [leaky]\","
            "\"0x0000555500001300\\tmain+0x2a [leaky]\"]}\n"
            "{\"type\":\"leak_report\",\"time\":\"01:02:03\",\"top\":10,\"stacks\":1,\"bytes\":300,"
            "\"allocations\":3,\"estimated\":false}\n");
}

TEST(LeakReport, FoldedRootFirstWeightedByBytes) {
  auto allocs = sample();
  LeakReportOptions o;
  std::string folded = format_leak_report_folded(summarize_outstanding(allocs, 10'000 * kMs, o), o, render);
  EXPECT_EQ(folded,
            "main;churn;malloc 80\n"
            "main;make_record;malloc 300\n");
}

namespace {

// Byte sampling: each recorded block of s bytes stands for 1/p(s) blocks,
// p(s) = 1 - exp(-s/B); big blocks count once, small ones many times.
TEST(LeakReport, ByteSamplingWeights) {
  EXPECT_NEAR(byte_sample_weight(1000, 1000), 1.0 / (1.0 - std::exp(-1.0)), 1e-12);
  EXPECT_NEAR(byte_sample_weight(1'000'000, 1000), 1.0, 1e-12);
  EXPECT_NEAR(byte_sample_weight(1, 1'000'000), 1'000'000.5, 0.01);
  EXPECT_EQ(byte_sample_weight(64, 0), 1.0);

  std::vector<OutstandingAllocation> v = {{0x10, 1000, 0, 1, true}, {0x20, 1000, 0, 1, true}, {0x30, 50'000, 0, 2, true}};
  LeakReportOptions o;
  o.min_age_ns = 0;
  o.sample_bytes = 1000;
  LeakSummary s = summarize_outstanding(v, 10, o);
  ASSERT_EQ(s.stacks.size(), 2u);
  const double w = 1.0 / (1.0 - std::exp(-1.0));
  EXPECT_EQ(s.stacks[0].stack, 1u);  // 3164 bytes estimated, less than stack 2's 50000
  EXPECT_EQ(s.stacks[0].bytes, static_cast<uint64_t>(std::llround(2000 * w)));
  EXPECT_EQ(s.stacks[0].allocations, static_cast<uint64_t>(std::llround(2 * w)));
  EXPECT_EQ(s.stacks[1].bytes, 50'000u);
  EXPECT_EQ(s.stacks[1].allocations, 1u);
  std::string text = format_leak_report_text(s, o, "12:00:00", render);
  EXPECT_EQ(text.substr(0, text.find('\n')),
            "[12:00:00] Top 10 stacks with outstanding allocations (estimated from 1 in 1000 bytes sampled):");
}

}  // namespace
