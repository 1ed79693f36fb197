#include "runtime/leak_report.h"

#include "runtime/json_output.h"

#include <algorithm>
#include <cmath>
#include <cinttypes>
#include <cstdio>
#include <unordered_map>

namespace ms::runtime {

namespace {

uint64_t sort_value(const StackSummary& s, LeakSortKey key) {
  return key == LeakSortKey::Count ? s.allocations : s.bytes;
}

// Ascending by the sort key, ties by stack key so reports are reproducible;
// then the last `top` of them, as BCC's `sorted(...)[-top:]` does.
std::vector<StackSummary> top_ascending(std::vector<StackSummary> all, const LeakReportOptions& options) {
  std::sort(all.begin(), all.end(), [&](const StackSummary& a, const StackSummary& b) {
    uint64_t va = sort_value(a, options.sort), vb = sort_value(b, options.sort);
    return va != vb ? va < vb : a.stack < b.stack;
  });
  if (all.size() > options.top) all.erase(all.begin(), all.end() - static_cast<std::ptrdiff_t>(options.top));
  return all;
}

// "0x00005578c2ff52cb\tmain+0x6d [allocs]" -> "main": the function alone, so
// a flame graph merges every call site of a function into one box.
std::string folded_frame(const std::string& line) {
  std::string f = line;
  if (auto tab = f.find('\t'); tab != std::string::npos) f = f.substr(tab + 1);
  if (auto mod = f.find(" ["); mod != std::string::npos) f = f.substr(0, mod);
  if (auto off = f.rfind("+0x"); off != std::string::npos && off > 0) f = f.substr(0, off);
  std::replace(f.begin(), f.end(), ';', ':');
  std::replace(f.begin(), f.end(), ' ', '_');
  return f.empty() ? "[unknown]" : f;
}

}  // namespace

double byte_sample_weight(uint64_t size, uint64_t mean_bytes) {
  if (mean_bytes == 0) return 1.0;
  // -expm1(-x) is 1 - exp(-x) without cancellation for small x.
  double p = -std::expm1(-static_cast<double>(size) / static_cast<double>(mean_bytes));
  return p > 0 ? 1.0 / p : 1.0;
}

void LeakAccumulator::add(const OutstandingAllocation& a) {
  // Allocations younger than the limit are likely still in use, not leaked.
  if (a.timestamp_ns + options_.min_age_ns > now_ns_) return;
  if (!a.stack_known) {
    ++unknown_stack_;
    return;
  }
  // The list is printed with -a only: a million entries are not kept for nothing.
  if (options_.show_allocs) kept_.push_back(a);
  StackSummary& s = by_stack_[a.stack];
  s.stack = a.stack;
  s.bytes += a.size;
  s.allocations += 1;
  if (options_.sample_bytes) {
    double w = byte_sample_weight(a.size, options_.sample_bytes);
    auto& [b, n] = weighted_[a.stack];
    b += static_cast<double>(a.size) * w;
    n += w;
  }
}

LeakSummary LeakAccumulator::finish() {
  LeakSummary out;
  out.unknown_stack_allocations = unknown_stack_;
  for (auto& [stack, wn] : weighted_) {
    by_stack_[stack].bytes = static_cast<uint64_t>(std::llround(wn.first));
    by_stack_[stack].allocations = static_cast<uint64_t>(std::llround(wn.second));
  }
  out.allocations = std::move(kept_);
  std::stable_sort(out.allocations.begin(), out.allocations.end(),
                   [](const OutstandingAllocation& x, const OutstandingAllocation& y) {
                     return x.size != y.size ? x.size < y.size : x.address < y.address;
                   });
  std::vector<StackSummary> all;
  all.reserve(by_stack_.size());
  for (auto& [_, s] : by_stack_) all.push_back(s);
  out.stacks = top_ascending(std::move(all), options_);
  return out;
}

LeakSummary summarize_outstanding(const std::vector<OutstandingAllocation>& allocations, uint64_t now_ns,
                                  const LeakReportOptions& options) {
  LeakAccumulator acc(now_ns, options);
  for (const auto& a : allocations) acc.add(a);
  return acc.finish();
}

LeakSummary summarize_combined(const std::vector<CombinedStack>& stacks, const LeakReportOptions& options) {
  LeakSummary out;
  std::vector<StackSummary> all;
  all.reserve(stacks.size());
  for (const auto& c : stacks)
    if (c.allocations > 0) all.push_back({c.stack, c.total_size, c.allocations});
  out.stacks = top_ascending(std::move(all), options);
  return out;
}

std::string format_leak_report_text(const LeakSummary& summary, const LeakReportOptions& options,
                                    const std::string& clock_text, const LeakFrames& render_stack) {
  const uint64_t k = std::max<uint64_t>(options.scale, 1);
  const uint32_t growth = options.growth_intervals;
  std::string out = "[" + clock_text + "] Top " + std::to_string(options.top) +
                    (growth ? " stacks whose outstanding bytes grew at each of the last " + std::to_string(growth) +
                                  " reports"
                            : " stacks with outstanding allocations");
  if (options.sample_bytes)
    out += " (estimated from 1 in " + std::to_string(options.sample_bytes) + " bytes sampled):\n";
  else
    out += k > 1 ? " (estimated from 1 in " + std::to_string(k) + " allocations):\n" : ":\n";
  if (growth && summary.growth_reports < growth + 1u)
    out += "\t(growth is ranked from report " + std::to_string(growth + 1) + " on; this is report " +
           std::to_string(summary.growth_reports) + ")\n";
  char buf[96];
  if (options.show_allocs) {
    for (const auto& a : summary.allocations) {
      std::snprintf(buf, sizeof buf, "\taddr = %" PRIx64 " size = %" PRIu64 "\n", a.address, a.size);
      out += buf;
    }
  }
  for (const auto& s : summary.stacks) {
    out += "\t" + std::to_string(s.bytes * k) + " bytes in " + std::to_string(s.allocations * k) +
           " allocations from stack";
    if (growth)
      out += " (+" + std::to_string(s.grown_bytes * k) + " bytes in " + std::to_string(growth) + " intervals)";
    out += "\n";
    std::vector<std::string> frames = render_stack(s.stack);
    if (frames.empty()) frames.push_back("stack information lost");
    for (const auto& f : frames) out += "\t\t" + f + "\n";
  }
  return out;
}

std::string format_leak_report_json(const LeakSummary& summary, const LeakReportOptions& options,
                                    const std::string& clock_text, const LeakFrames& render_stack) {
  const uint64_t k = std::max<uint64_t>(options.scale, 1);
  const char* estimated = k > 1 || options.sample_bytes ? "true" : "false";
  std::string out;
  uint64_t bytes = 0, allocations = 0;
  for (const auto& s : summary.stacks) {
    bytes += s.bytes * k;
    allocations += s.allocations * k;
    out += "{\"type\":\"leak_stack\",\"bytes\":" + std::to_string(s.bytes * k) +
           ",\"allocations\":" + std::to_string(s.allocations * k) + ",\"estimated\":" + estimated;
    if (options.growth_intervals) out += ",\"grown_bytes\":" + std::to_string(s.grown_bytes * k);
    out += ",\"frames\":[";
    std::vector<std::string> frames = render_stack(s.stack);
    for (size_t i = 0; i < frames.size(); ++i) out += (i ? "," : "") + json_string(frames[i]);
    out += "]}\n";
  }
  out += "{\"type\":\"leak_report\",\"time\":" + json_string(clock_text) + ",\"top\":" +
         std::to_string(options.top) + ",\"stacks\":" + std::to_string(summary.stacks.size()) +
         ",\"bytes\":" + std::to_string(bytes) + ",\"allocations\":" + std::to_string(allocations) +
         ",\"estimated\":" + estimated + "}\n";
  return out;
}

std::string format_leak_report_folded(const LeakSummary& summary, const LeakReportOptions& options,
                                      const LeakFrames& render_stack) {
  const uint64_t k = std::max<uint64_t>(options.scale, 1);
  std::string out;
  for (const auto& s : summary.stacks) {
    std::vector<std::string> frames = render_stack(s.stack);
    if (frames.empty()) frames.push_back("[lost]");
    std::string line;
    for (auto it = frames.rbegin(); it != frames.rend(); ++it) {  // root first
      if (!line.empty()) line += ';';
      line += folded_frame(*it);
    }
    out += line + " " + std::to_string(s.bytes * k) + "\n";
  }
  return out;
}

}  // namespace ms::runtime
