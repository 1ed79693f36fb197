#include "runtime/timings.h"

#include <time.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

namespace ms::runtime {

std::optional<double> ms_since_exec() {
  std::ifstream in("/proc/self/stat");
  std::string stat;
  if (!std::getline(in, stat)) return std::nullopt;
  // The command name (field 2) may contain spaces; fields after it start past the last ')'.
  size_t paren = stat.rfind(')');
  if (paren == std::string::npos) return std::nullopt;
  std::istringstream fields(stat.substr(paren + 2));
  std::string field;
  // Field 3 is the first after ')'; starttime is field 22.
  for (int i = 3; i <= 22; ++i)
    if (!(fields >> field)) return std::nullopt;
  long ticks_per_second = sysconf(_SC_CLK_TCK);
  if (ticks_per_second <= 0) return std::nullopt;
  double start_ms = std::stod(field) * 1000.0 / static_cast<double>(ticks_per_second);
  timespec now{};
  clock_gettime(CLOCK_BOOTTIME, &now);
  double now_ms = static_cast<double>(now.tv_sec) * 1000.0 + static_cast<double>(now.tv_nsec) / 1e6;
  return now_ms - start_ms;
}

std::optional<long> peak_rss_kib() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmHWM:", 0) == 0) {
      std::istringstream s(line.substr(6));
      long kib = 0;
      if (s >> kib) return kib;
    }
  }
  return std::nullopt;
}

}  // namespace ms::runtime
