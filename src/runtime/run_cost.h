// Self-reported cost: what the probes of a run cost, so an operator knows
// what the trace took from the traced program (docs/options.md, "Cost").
//
// Probe hits and BPF run time come from the kernel's own per-program
// counters (run_cnt, run_time_ns), which it keeps only while some process
// holds a BPF_ENABLE_STATS fd. The time added to the target is an estimate:
// BPF run time plus, for every uprobe hit, the price of the trap itself,
// which no counter sees.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "manifest/manifest.h"

namespace ms::runtime {

// Per uprobe, uretprobe or USDT hit: the breakpoint trap, its emulation and
// the return to user space, without the BPF program. docs/benchmarks.md:
// empty malloc-entry, malloc-return and free-entry probes (placed where the
// kernel emulates) added 3.05-3.50 us per malloc+free pair on a quiet
// machine, about 1 us per hit. A loaded machine or an instruction that must
// be single-stepped out of line (20-25 us) costs more: it is a floor.
inline constexpr uint64_t kUprobeTrapNs = 1000;

struct ProbeCost {
  std::string display;     // the attach point, as in the script
  manifest::ProbeType type = manifest::ProbeType::Uprobe;
  uint64_t hits = 0;       // run_cnt
  uint64_t run_time_ns = 0;
};

// Totals over probes; `added_ns` is the estimate of time added to traced
// code: BPF run time of probes that run in it (uprobes, USDT, tracepoints,
// software events) plus kUprobeTrapNs per uprobe/USDT hit. BEGIN, END,
// interval and profile probes run in memscript or in timer interrupts.
struct CostTotals {
  uint64_t hits = 0;
  uint64_t run_time_ns = 0;
  uint64_t added_ns = 0;
};

CostTotals total_cost(const std::vector<ProbeCost>& probes);

// The report, a few short lines for stderr: a totals line, then one line per
// probe that fired (busiest first). `when` is "at exit" or "after 5.0 s".
// (Both counters need the statistics on: without them there is no report.)
std::string format_cost(const std::vector<ProbeCost>& probes, const std::string& when);

// Holds the kernel's run-time statistics on for the run and reads them.
class RunCostMeter {
 public:
  RunCostMeter() = default;
  ~RunCostMeter();
  RunCostMeter(const RunCostMeter&) = delete;
  RunCostMeter& operator=(const RunCostMeter&) = delete;

  // BPF_ENABLE_STATS(BPF_STATS_RUN_TIME); false (with `why`) if refused.
  bool enable(std::string& why);
  bool enabled() const { return stats_fd_ >= 0; }

  // Adds each program's counters to its probe (probes with one display,
  // such as a USDT probe's locations, are summed into one entry).
  struct Program {
    int fd;
    const manifest::ProbeDesc* probe;
  };
  std::vector<ProbeCost> read(const std::vector<Program>& programs) const;

 private:
  int stats_fd_ = -1;
};

}  // namespace ms::runtime
