// The cost report's text (what operators read) and its arithmetic.
#include <gtest/gtest.h>

#include "runtime/run_cost.h"

namespace ms::runtime {
namespace {

using manifest::ProbeType;

TEST(RunCost, EstimateAddsATrapPerUprobeHitButNotForTimers) {
  std::vector<ProbeCost> probes = {
      {"uprobe:libc:malloc", ProbeType::Uprobe, 1000, 50000},
      {"uretprobe:libc:malloc", ProbeType::Uretprobe, 1000, 70000},
      {"usdt:/bin/app:p:q", ProbeType::Usdt, 10, 1000},
      {"tracepoint:kmem:kfree", ProbeType::Tracepoint, 500, 20000},
      {"interval:s:1", ProbeType::Interval, 3, 9000},
  };
  CostTotals t = total_cost(probes);
  EXPECT_EQ(t.hits, 2513u);
  EXPECT_EQ(t.run_time_ns, 150000u);
  // Run time of all but the interval probe, and 2010 uprobe/USDT traps.
  EXPECT_EQ(t.added_ns, 141000u + 2010u * kUprobeTrapNs);
}

TEST(RunCost, ReportListsProbesThatFiredBusiestFirst) {
  std::vector<ProbeCost> probes = {
      {"uprobe:libc:free", ProbeType::Uprobe, 40, 1500},
      {"uprobe:libc:calloc", ProbeType::Uprobe, 0, 0},
      {"uprobe:libc:malloc", ProbeType::Uprobe, 2500000, 1234567890},
      {"interval:s:5", ProbeType::Interval, 1, 800},
  };
  EXPECT_EQ(format_cost(probes, "at exit"),
            "memscript: cost at exit: 2500041 probe hits, BPF run time 1.23 s, estimated time added to the traced "
            "code 3.73 s (BPF run time + 1.0 us per uprobe hit)\n"
            "memscript:   2500000 hits, 1.23 s: uprobe:libc:malloc\n"
            "memscript:   40 hits, 1.5 us: uprobe:libc:free\n"
            "memscript:   1 hit, 800 ns: interval:s:5\n");
}

TEST(RunCost, NothingFired) {
  EXPECT_EQ(format_cost({{"uprobe:libc:malloc", ProbeType::Uprobe, 0, 0}}, "after 1.0 s"),
            "memscript: cost after 1.0 s: 0 probe hits, BPF run time 0 ns, estimated time added to the traced code "
            "0 ns (BPF run time + 1.0 us per uprobe hit)\n");
}

}  // namespace
}  // namespace ms::runtime
