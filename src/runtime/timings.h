// --timings: how long memscript took to get its probes in, and its peak memory.
#pragma once

#include <optional>
#include <string>

namespace ms::runtime {

// Milliseconds since this process was exec'd (start time from /proc/self/stat,
// which counts in clock ticks, so the resolution is 1/CLK_TCK, usually 10 ms).
std::optional<double> ms_since_exec();

// Peak resident set size in KiB (VmHWM from /proc/self/status).
std::optional<long> peak_rss_kib();

}  // namespace ms::runtime
