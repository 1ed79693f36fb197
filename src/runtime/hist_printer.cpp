#include "runtime/hist_printer.h"

#include <cstdio>

namespace ms::runtime {

namespace {

constexpr int kBarWidth = 52;

std::string bucket_line(const std::string& label, uint64_t count, uint64_t shown, uint64_t max_count) {
  // bpftrace scales in single precision and truncates; do the same so bars match.
  int bar = max_count ? static_cast<int>(static_cast<float>(count) / static_cast<float>(max_count) * kBarWidth) : 0;
  if (bar < 0) bar = 0;
  if (bar > kBarWidth) bar = kBarWidth;
  char buf[160];
  std::snprintf(buf, sizeof buf, "%-16s%8llu |%s%*s|\n", label.c_str(), static_cast<unsigned long long>(shown),
                std::string(static_cast<size_t>(bar), '@').c_str(), kBarWidth - bar, "");
  return buf;
}

}  // namespace

std::string hist_label(int power) {
  static const char kSuffix[] = {'\0', 'K', 'M', 'G', 'T', 'P', 'E'};
  int unit = power / 10;
  if (unit > 6) unit = 6;
  std::string out = std::to_string(1ull << (power - unit * 10));
  if (kSuffix[unit]) out += kSuffix[unit];
  return out;
}

std::string lhist_label(int64_t n) {
  if (n == 0) return "0";
  if (n % (1024 * 1024) == 0) return std::to_string(n / (1024 * 1024)) + "M";
  if (n % 1024 == 0) return std::to_string(n / 1024) + "K";
  return std::to_string(n);
}

namespace {

// The first and last non-empty bucket among the first `limit`, and the
// largest count (which scales the bars); first < 0 when all are empty.
struct FilledRange {
  int first = -1, last = -1;
  uint64_t max_count = 0;
};

FilledRange filled_range(const std::vector<uint64_t>& buckets, size_t limit) {
  FilledRange r;
  for (size_t i = 0; i < buckets.size() && i < limit; ++i) {
    if (buckets[i] == 0) continue;
    if (r.first < 0) r.first = static_cast<int>(i);
    r.last = static_cast<int>(i);
    if (buckets[i] > r.max_count) r.max_count = buckets[i];
  }
  return r;
}

}  // namespace

std::string format_hist(const std::vector<uint64_t>& buckets, uint32_t div) {
  const auto [first, last, max_count] = filled_range(buckets, buckets.size());
  if (first < 0) return {};
  std::string out;
  for (int i = first; i <= last; ++i) {
    std::string label;
    if (i == 0) label = "(..., 0)";
    else if (i == 1) label = "[0]";
    else if (i == 2) label = "[1]";
    else label = "[" + hist_label(i - 2) + ", " + hist_label(i - 1) + ")";
    out += bucket_line(label, buckets[i], buckets[i] / (div ? div : 1), max_count);
  }
  return out;
}

std::string format_lhist(const std::vector<uint64_t>& buckets, int64_t min, int64_t max, int64_t step) {
  const int64_t n = (max - min) / step;  // buckets between min and max
  const auto [first, last, max_count] = filled_range(buckets, n + 2 <= 0 ? 0 : static_cast<size_t>(n + 2));
  if (first < 0) return {};
  std::string out;
  for (int i = first; i <= last; ++i) {
    std::string label;
    if (i == 0) label = "(..., " + lhist_label(min) + ")";
    else if (i == n + 1) label = "[" + lhist_label(max) + ", ...)";
    else label = "[" + lhist_label((i - 1) * step + min) + ", " + lhist_label(i * step + min) + ")";
    out += bucket_line(label, buckets[i], buckets[i], max_count);
  }
  return out;
}

namespace {

// First and last non-empty bucket among the first `limit`; false if none.
bool used_range(const std::vector<uint64_t>& buckets, size_t limit, int& first, int& last) {
  first = last = -1;
  for (size_t i = 0; i < buckets.size() && i < limit; ++i) {
    if (buckets[i] == 0) continue;
    if (first < 0) first = static_cast<int>(i);
    last = static_cast<int>(i);
  }
  return first >= 0;
}

}  // namespace

std::string format_hist_json(const std::vector<uint64_t>& buckets, uint32_t div) {
  int first, last;
  if (!used_range(buckets, buckets.size(), first, last)) return {};
  std::string out = "[";
  for (int i = first; i <= last; ++i) {
    if (i > first) out += ", ";
    out += "{";
    if (i == 0) out += "\"max\": -1, ";
    else if (i == 1) out += "\"min\": 0, \"max\": 0, ";
    else if (i == 2) out += "\"min\": 1, \"max\": 1, ";
    else
      out += "\"min\": " + std::to_string(1ull << (i - 2)) + ", \"max\": " + std::to_string((1ull << (i - 1)) - 1) + ", ";
    out += "\"count\": " + std::to_string(buckets[i] / (div ? div : 1)) + "}";
  }
  return out + "]";
}

std::string format_lhist_json(const std::vector<uint64_t>& buckets, int64_t min, int64_t max, int64_t step) {
  const int64_t n = (max - min) / step;
  int first, last;
  if (!used_range(buckets, static_cast<size_t>(n + 2), first, last)) return {};
  std::string out = "[";
  for (int i = first; i <= last; ++i) {
    if (i > first) out += ", ";
    out += "{";
    if (i == 0) out += "\"max\": " + std::to_string(min - 1) + ", ";
    else if (i == n + 1) out += "\"min\": " + std::to_string(max) + ", ";
    else
      out += "\"min\": " + std::to_string((i - 1) * step + min) + ", \"max\": " + std::to_string(i * step + min - 1) + ", ";
    out += "\"count\": " + std::to_string(buckets[i]) + "}";
  }
  return out + "]";
}

}  // namespace ms::runtime
