// strftime() values: nanoseconds of CLOCK_MONOTONIC (what `nsecs` and
// bpf_ktime_get_ns read) turned into local wall-clock text in user space, as
// bpftrace does with its boot-time offset.
#pragma once

#include <cstdint>
#include <string>

namespace ms {

// CLOCK_REALTIME minus CLOCK_MONOTONIC, in nanoseconds, measured on first use
// and kept, so every timestamp of a run shares one offset.
int64_t monotonic_to_realtime_offset_ns();

// `fmt` as strftime(3) gives it for the wall-clock time `monotonic_ns +
// offset_ns` in the local time zone; `%f` (bpftrace's extension) is the
// microseconds, six digits. Text longer than 512 bytes is cut.
std::string format_timestamp(const std::string& fmt, uint64_t monotonic_ns, int64_t offset_ns);

// The same with monotonic_to_realtime_offset_ns().
std::string format_timestamp(const std::string& fmt, uint64_t monotonic_ns);

}  // namespace ms
