// Outstanding-allocation reports: the reusable part of memleak.
//
// A leak-tracing script keeps, per live allocation, its size, when it was made
// and the stack that made it (or, in "combined" mode, per-stack totals kept in
// the kernel). This module turns those records into the report BCC's memleak
// prints, byte for byte, and into JSON and folded-stack (flamegraph) forms.
// It knows nothing about maps or symbols: callers hand it decoded records and
// a function that renders one stack's frames, so any allocator script (malloc,
// jemalloc, a pool) gets the same report.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <unordered_map>
#include <vector>

namespace ms::runtime {

// An opaque stack identity (a stack id, or a hash of the frames): allocations
// with equal keys are grouped together.
using StackKey = uint64_t;

struct OutstandingAllocation {
  uint64_t address = 0;
  uint64_t size = 0;
  uint64_t timestamp_ns = 0;  // CLOCK_MONOTONIC (bpf_ktime_get_ns) at allocation
  StackKey stack = 0;
  bool stack_known = true;  // false: the stack could not be recorded (BCC skips these)
};

// Per-stack totals, as kept in the kernel by --combined-only.
struct CombinedStack {
  StackKey stack = 0;
  uint64_t total_size = 0;
  uint64_t allocations = 0;
};

enum class LeakSortKey { Size, Count };

struct LeakReportOptions {
  size_t top = 10;               // -T: how many stacks
  uint64_t min_age_ns = 500'000'000;  // -o: younger allocations are left out
  LeakSortKey sort = LeakSortKey::Size;
  bool show_allocs = false;      // -a: print each allocation's address and size
  // Sampling: each recorded allocation stands for `scale` real ones (-s N gives
  // N). Reports then say the figures are estimates.
  uint64_t scale = 1;
  // Byte sampling (--sample-bytes B): each recorded allocation of s bytes was
  // sampled with probability p = 1 - exp(-s/B) and stands for 1/p
  // allocations and s/p bytes (unbiased estimates; docs/memleak.md).
  uint64_t sample_bytes = 0;
  // --growth K: only stacks whose outstanding bytes grew at each of the last K
  // reports (leak_growth.h); the report says so and gives each one's growth.
  uint32_t growth_intervals = 0;
};

// The weight 1/p of a recorded allocation of `size` bytes under byte sampling
// with mean interval `mean_bytes`.
double byte_sample_weight(uint64_t size, uint64_t mean_bytes);

// One stack's share of the outstanding memory.
struct StackSummary {
  StackKey stack = 0;
  uint64_t bytes = 0;
  uint64_t allocations = 0;
  uint64_t grown_bytes = 0;  // --growth: bytes gained over the last K intervals
};

struct LeakSummary {
  // The top `options.top` stacks in the order BCC prints them: ascending by
  // the sort key, so the biggest comes last, next to the prompt.
  std::vector<StackSummary> stacks;
  // Every allocation that passed the age filter (with a known stack), by size
  // ascending: what -a lists (empty without it).
  std::vector<OutstandingAllocation> allocations;
  uint64_t unknown_stack_allocations = 0;  // left out: their stack was not recorded
  size_t growth_reports = 0;  // --growth: reports of this map so far, this one included
};

// Groups allocations older than the age limit by stack, one at a time: a
// report of a million outstanding blocks holds per-stack totals, not the
// blocks (only -a keeps them, to list them). `now_ns` is the same clock as the
// timestamps.
class LeakAccumulator {
 public:
  LeakAccumulator(uint64_t now_ns, const LeakReportOptions& options) : now_ns_(now_ns), options_(options) {}
  void add(const OutstandingAllocation& a);
  // The summary (once: it takes the kept allocations).
  LeakSummary finish();

 private:
  uint64_t now_ns_;
  LeakReportOptions options_;
  std::unordered_map<StackKey, StackSummary> by_stack_;
  std::unordered_map<StackKey, std::pair<double, double>> weighted_;  // bytes, allocations
  std::vector<OutstandingAllocation> kept_;                           // -a
  uint64_t unknown_stack_ = 0;
};

LeakSummary summarize_outstanding(const std::vector<OutstandingAllocation>& allocations, uint64_t now_ns,
                                  const LeakReportOptions& options);

// The same for combined per-stack totals (no age filter: the kernel keeps no
// per-allocation time in that mode).
LeakSummary summarize_combined(const std::vector<CombinedStack>& stacks, const LeakReportOptions& options);

// Renders one stack as report lines, innermost frame first, e.g.
// "0x00005578c2ff52cb\tmain+0x6d [allocs]". An empty result prints
// "stack information lost".
using LeakFrames = std::function<std::vector<std::string>(StackKey)>;

// BCC memleak's text:
//   [HH:MM:SS] Top N stacks with outstanding allocations:
//   \taddr = 7f... size = 16          (with show_allocs, before the stacks)
//   \tB bytes in N allocations from stack
//   \t\t<frame>
// `clock_text` is the "HH:MM:SS" to print. With scale > 1 the figures are
// multiplied and the header says they are estimates. With growth_intervals K:
//   [HH:MM:SS] Top N stacks whose outstanding bytes grew at each of the last K reports:
//   \tB bytes in N allocations from stack (+G bytes in K intervals)
// and, until K+1 reports exist, a line saying how many are still needed.
std::string format_leak_report_text(const LeakSummary& summary, const LeakReportOptions& options,
                                    const std::string& clock_text, const LeakFrames& render_stack);

// One JSON object per stack, then one per report, each on its own line:
//   {"type":"leak_stack","bytes":B,"allocations":N,"estimated":false,"frames":["...",...]}
//   {"type":"leak_report","time":"HH:MM:SS","top":N,"stacks":K,"bytes":B,"allocations":N,"estimated":false}
std::string format_leak_report_json(const LeakSummary& summary, const LeakReportOptions& options,
                                    const std::string& clock_text, const LeakFrames& render_stack);

// Folded stacks for flamegraph.pl / speedscope: "outer;...;inner BYTES" per
// stack, root first, weighted by outstanding bytes. Frames are rendered
// without the address column; ';' inside a frame becomes ':'.
std::string format_leak_report_folded(const LeakSummary& summary, const LeakReportOptions& options,
                                      const LeakFrames& render_stack);

}  // namespace ms::runtime
