// --growth K: the steady leak, apart from caches that fill and plateau.
//
// A cache that fills once and a leak both hold outstanding memory, and a
// cache can be the biggest; what tells them apart is history. The tracker
// remembers each stack's outstanding bytes at the last K+1 reports of one
// allocation map and keeps only the stacks whose bytes grew at every one of
// the last K intervals, ranked by how much they grew over them.
#pragma once

#include <cstdint>
#include <deque>
#include <unordered_map>

#include "runtime/leak_report.h"

namespace ms::runtime {

class LeakGrowthTracker {
 public:
  explicit LeakGrowthTracker(uint32_t intervals) : intervals_(intervals) {}

  // Takes one report's summary, made with every stack (top unlimited), and
  // returns the steady growers: `stacks` cut to `top`, ascending by growth
  // (the biggest last, as in the report), each with `grown_bytes` set;
  // -a's allocations cut to those stacks. `reports_seen` says how far the
  // history goes (K+1 reports are needed before anything can qualify).
  LeakSummary observe(const LeakSummary& all, size_t top);
  size_t reports_seen() const { return seen_; }
  uint32_t intervals() const { return intervals_; }

 private:
  uint32_t intervals_;
  size_t seen_ = 0;
  std::deque<std::unordered_map<StackKey, uint64_t>> history_;  // oldest first, at most K+1
};

}  // namespace ms::runtime
