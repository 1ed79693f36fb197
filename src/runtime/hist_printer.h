// The text of one histogram as bpftrace 0.17 prints it: one line per bucket
// from the first to the last non-empty one,
//
//   [4, 8)                 3 |@@@@@@@@@@@@@@@@@@@@@@@@@@                          |
//
// a 16-column left-aligned label, an 8-column right-aligned count, and a
// 52-column bar scaled to the largest bucket. Empty histograms print nothing.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ms::runtime {

// Power-of-two buckets: [0] negative, [1] zero, [i] for 2^(i-2) <= v < 2^(i-1).
// Counts are divided by `div` (print(@h, top, div)), the bars are not.
std::string format_hist(const std::vector<uint64_t>& buckets, uint32_t div = 1);

// Linear buckets: [0] below min, [1 + (v - min) / step], [buckets + 1] at or above max.
std::string format_lhist(const std::vector<uint64_t>& buckets, int64_t min, int64_t max, int64_t step);

// The same buckets as bpftrace's JSON: [{"min": 4, "max": 7, "count": 1}, ...]
// from the first to the last non-empty bucket; "" when all are empty.
std::string format_hist_json(const std::vector<uint64_t>& buckets, uint32_t div = 1);
std::string format_lhist_json(const std::vector<uint64_t>& buckets, int64_t min, int64_t max, int64_t step);

// Bucket labels: 1, 2, 4 ... 512, 1K ... 512K, 1M ... (powers of two with suffixes).
std::string hist_label(int power);
// Linear labels: multiples of 1M or 1K with a suffix, other numbers as they are.
std::string lhist_label(int64_t n);

}  // namespace ms::runtime
