#include "runtime/attach_trigger.h"

#include <unistd.h>

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <fstream>

namespace ms::runtime {

namespace {
// The rate is judged over this much history: long enough that one page
// fault burst is not a trend, short enough to start soon after a leak does.
constexpr double kRateWindowS = 1.0;
}  // namespace

std::optional<double> parse_growth_rate(const std::string& text, std::string& error) {
  error = "'" + text + "' is not a growth rate (e.g. 5M/min, 100K/s, 1G/h)";
  size_t slash = text.find('/');
  if (slash == std::string::npos || slash == 0) return std::nullopt;
  std::string size = text.substr(0, slash), per = text.substr(slash + 1);
  char* end = nullptr;
  double n = std::strtod(size.c_str(), &end);
  if (end == size.c_str() || !(n > 0)) return std::nullopt;
  std::string suffix(end);
  if (!suffix.empty() && (suffix.back() == 'B' || suffix.back() == 'b')) suffix.pop_back();
  if (suffix.size() > 1 && (suffix.back() == 'i')) suffix.pop_back();  // MiB
  double mult = 1;
  if (suffix.size() == 1) {
    switch (std::toupper(static_cast<unsigned char>(suffix[0]))) {
      case 'K': mult = 1024.0; break;
      case 'M': mult = 1024.0 * 1024; break;
      case 'G': mult = 1024.0 * 1024 * 1024; break;
      case 'T': mult = 1024.0 * 1024 * 1024 * 1024; break;
      default: return std::nullopt;
    }
  } else if (!suffix.empty()) {
    return std::nullopt;
  }
  double seconds = 0;
  if (per == "s" || per == "sec") seconds = 1;
  else if (per == "m" || per == "min") seconds = 60;
  else if (per == "h") seconds = 3600;
  else return std::nullopt;
  error.clear();
  return n * mult / seconds;
}

std::string human_bytes(double bytes) {
  char buf[32];
  if (bytes >= 1024.0 * 1024 * 1024) std::snprintf(buf, sizeof buf, "%.1f GiB", bytes / (1024.0 * 1024 * 1024));
  else if (bytes >= 1024.0 * 1024) std::snprintf(buf, sizeof buf, "%.1f MiB", bytes / (1024.0 * 1024));
  else if (bytes >= 1024.0) std::snprintf(buf, sizeof buf, "%.1f KiB", bytes / 1024.0);
  else std::snprintf(buf, sizeof buf, "%.0f B", bytes);
  return buf;
}

std::string RssTrigger::condition() const {
  std::string out;
  if (trigger_.rss_growth_bytes) out = "RSS to grow by " + human_bytes(static_cast<double>(trigger_.rss_growth_bytes));
  if (trigger_.rate_bytes_per_s > 0)
    out += (out.empty() ? "RSS to grow at " : " or at ") + trigger_.rate_text;
  return out;
}

std::optional<std::string> RssTrigger::observe(double t, uint64_t rss) {
  // Growth counts from the lowest reading: a -c command is first seen as
  // memscript's fork, before its exec shrinks it.
  if (!seen_ || rss < lowest_) lowest_ = rss;
  seen_ = true;
  latest_ = rss;
  window_.emplace_back(t, rss);
  // Keep one reading at least a window old, as the rate's reference.
  while (window_.size() > 2 && t - window_[1].first >= kRateWindowS) window_.pop_front();
  char buf[256];
  if (trigger_.rss_growth_bytes && rss >= lowest_ + trigger_.rss_growth_bytes) {
    std::snprintf(buf, sizeof buf, "RSS grew %s since start (%s -> %s; trigger %s)",
                  human_bytes(static_cast<double>(rss - lowest_)).c_str(), human_bytes(static_cast<double>(lowest_)).c_str(),
                  human_bytes(static_cast<double>(rss)).c_str(),
                  human_bytes(static_cast<double>(trigger_.rss_growth_bytes)).c_str());
    return std::string(buf);
  }
  if (trigger_.rate_bytes_per_s > 0 && window_.size() >= 2) {
    const auto& [t0, rss0] = window_.front();
    double span = t - t0;
    if (span >= kRateWindowS && rss > rss0) {
      double rate = static_cast<double>(rss - rss0) / span;
      if (rate >= trigger_.rate_bytes_per_s) {
        std::snprintf(buf, sizeof buf, "RSS grew at %s/s over the last %.1f s (%s -> %s; trigger %s)",
                      human_bytes(rate).c_str(), span, human_bytes(static_cast<double>(rss0)).c_str(),
                      human_bytes(static_cast<double>(rss)).c_str(), trigger_.rate_text.c_str());
        return std::string(buf);
      }
    }
  }
  return std::nullopt;
}

std::optional<uint64_t> read_rss_bytes(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/statm");
  uint64_t size = 0, resident = 0;
  if (!(in >> size >> resident)) return std::nullopt;
  return resident * static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
}

}  // namespace ms::runtime
