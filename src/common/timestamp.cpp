#include "common/timestamp.h"

#include <ctime>

namespace ms {

int64_t monotonic_to_realtime_offset_ns() {
  static const int64_t offset = [] {
    timespec real{}, mono{};
    clock_gettime(CLOCK_REALTIME, &real);
    clock_gettime(CLOCK_MONOTONIC, &mono);
    return (static_cast<int64_t>(real.tv_sec) - mono.tv_sec) * 1000000000 + (real.tv_nsec - mono.tv_nsec);
  }();
  return offset;
}

std::string format_timestamp(const std::string& fmt, uint64_t monotonic_ns, int64_t offset_ns) {
  const int64_t wall = static_cast<int64_t>(monotonic_ns) + offset_ns;
  int64_t secs = wall / 1000000000;
  int64_t nanos = wall % 1000000000;
  if (nanos < 0) {
    nanos += 1000000000;
    --secs;
  }
  // %f first (strftime does not know it); %% stays for strftime.
  std::string expanded;
  for (size_t i = 0; i < fmt.size(); ++i) {
    if (fmt[i] == '%' && i + 1 < fmt.size()) {
      if (fmt[i + 1] == 'f') {
        char us[8];
        snprintf(us, sizeof us, "%06lld", static_cast<long long>(nanos / 1000));
        expanded += us;
      } else {
        expanded += fmt.substr(i, 2);
      }
      ++i;
      continue;
    }
    expanded += fmt[i];
  }
  time_t t = static_cast<time_t>(secs);
  struct tm tm {};
  localtime_r(&t, &tm);
  char buf[513];
  size_t n = strftime(buf, sizeof buf, expanded.c_str(), &tm);
  return std::string(buf, n);
}

std::string format_timestamp(const std::string& fmt, uint64_t monotonic_ns) {
  return format_timestamp(fmt, monotonic_ns, monotonic_to_realtime_offset_ns());
}

}  // namespace ms
