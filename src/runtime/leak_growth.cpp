#include "runtime/leak_growth.h"

#include <algorithm>
#include <unordered_set>

namespace ms::runtime {

LeakSummary LeakGrowthTracker::observe(const LeakSummary& all, size_t top) {
  std::unordered_map<StackKey, uint64_t> now;
  for (const auto& s : all.stacks) now[s.stack] = s.bytes;
  history_.push_back(std::move(now));
  while (history_.size() > static_cast<size_t>(intervals_) + 1) history_.pop_front();
  ++seen_;

  LeakSummary out;
  out.unknown_stack_allocations = all.unknown_stack_allocations;
  if (intervals_ == 0 || history_.size() < static_cast<size_t>(intervals_) + 1) return out;
  auto bytes_at = [&](size_t report, StackKey stack) -> uint64_t {
    auto it = history_[report].find(stack);
    return it == history_[report].end() ? 0 : it->second;  // not outstanding then
  };
  std::vector<StackSummary> steady;
  for (const auto& s : all.stacks) {
    bool grew = true;
    for (size_t r = 1; r < history_.size() && grew; ++r) grew = bytes_at(r, s.stack) > bytes_at(r - 1, s.stack);
    if (!grew) continue;
    StackSummary kept = s;
    kept.grown_bytes = s.bytes - bytes_at(0, s.stack);
    steady.push_back(kept);
  }
  std::sort(steady.begin(), steady.end(), [](const StackSummary& a, const StackSummary& b) {
    return a.grown_bytes != b.grown_bytes ? a.grown_bytes < b.grown_bytes : a.stack < b.stack;
  });
  if (steady.size() > top) steady.erase(steady.begin(), steady.end() - static_cast<std::ptrdiff_t>(top));
  std::unordered_set<StackKey> kept;
  for (const auto& s : steady) kept.insert(s.stack);
  for (const auto& a : all.allocations)
    if (kept.count(a.stack)) out.allocations.push_back(a);
  out.stacks = std::move(steady);
  return out;
}

}  // namespace ms::runtime
