// --growth K: the steady leak is kept, a cache that filled and plateaued is
// not, and the report says what it ranks.
#include <gtest/gtest.h>

#include "runtime/leak_growth.h"

using namespace ms::runtime;

namespace {

// Stack 1 leaks 100 bytes per report; stack 2 (a cache) fills to 8000 bytes
// by report 2 and stays; stack 3 grows, shrinks, grows.
LeakSummary report(int n) {
  LeakSummary s;
  s.stacks.push_back({1, 100u * n, static_cast<uint64_t>(n)});
  s.stacks.push_back({2, n >= 2 ? 8000u : 4000u, n >= 2 ? 80u : 40u});
  s.stacks.push_back({3, n % 2 ? 500u : 300u, 3});
  return s;
}

std::vector<std::string> frames(StackKey key) { return {"0x0000000000001000\tsite" + std::to_string(key) + "+0x0 [app]"}; }

}  // namespace

TEST(LeakGrowth, NothingQualifiesBeforeKPlusOneReports) {
  LeakGrowthTracker t(3);
  for (int n = 1; n <= 3; ++n) EXPECT_TRUE(t.observe(report(n), 10).stacks.empty()) << n;
  EXPECT_EQ(t.reports_seen(), 3u);
}

TEST(LeakGrowth, KeepsTheSteadyLeakNotThePlateauedCache) {
  LeakGrowthTracker t(3);
  LeakSummary out;
  for (int n = 1; n <= 5; ++n) out = t.observe(report(n), 10);
  ASSERT_EQ(out.stacks.size(), 1u);
  EXPECT_EQ(out.stacks[0].stack, 1u);
  EXPECT_EQ(out.stacks[0].bytes, 500u);
  EXPECT_EQ(out.stacks[0].grown_bytes, 300u);  // from report 2 to report 5
}

TEST(LeakGrowth, AStackThatAppearsCountsFromZeroAndOneThatStallsDropsOut) {
  LeakGrowthTracker t(2);
  LeakSummary a, b, c, d;
  a.stacks = {{7, 10, 1}};
  b.stacks = {{7, 20, 2}, {8, 50, 1}};
  c.stacks = {{7, 30, 3}, {8, 90, 2}};
  EXPECT_TRUE(t.observe(a, 10).stacks.empty());
  EXPECT_TRUE(t.observe(b, 10).stacks.empty());
  LeakSummary out = t.observe(c, 10);
  ASSERT_EQ(out.stacks.size(), 2u);
  EXPECT_EQ(out.stacks[0].stack, 7u);  // ascending by growth: the biggest last
  EXPECT_EQ(out.stacks[0].grown_bytes, 20u);
  EXPECT_EQ(out.stacks[1].stack, 8u);
  EXPECT_EQ(out.stacks[1].grown_bytes, 90u);
  d.stacks = {{7, 40, 4}, {8, 90, 2}};  // 8 stalled
  out = t.observe(d, 1);
  ASSERT_EQ(out.stacks.size(), 1u);
  EXPECT_EQ(out.stacks[0].stack, 7u);
}

TEST(LeakGrowth, ReportTextExactly) {
  LeakGrowthTracker t(3);
  LeakReportOptions o;
  o.top = 5;
  o.growth_intervals = 3;
  LeakSummary first = t.observe(report(1), 5);
  first.growth_reports = t.reports_seen();
  EXPECT_EQ(format_leak_report_text(first, o, "12:00:01", frames),
            "[12:00:01] Top 5 stacks whose outstanding bytes grew at each of the last 3 reports:\n"
            "\t(growth is ranked from report 4 on; this is report 1)\n");
  LeakSummary out;
  for (int n = 2; n <= 4; ++n) out = t.observe(report(n), 5);
  out.growth_reports = t.reports_seen();
  EXPECT_EQ(format_leak_report_text(out, o, "12:00:04", frames),
            "[12:00:04] Top 5 stacks whose outstanding bytes grew at each of the last 3 reports:\n"
            "\t400 bytes in 4 allocations from stack (+300 bytes in 3 intervals)\n"
            "\t\t0x0000000000001000\tsite1+0x0 [app]\n");
}
