// tracefs: where tracepoints are listed.
#pragma once

#include <optional>
#include <string>

namespace ms::runtime {

inline constexpr const char* kTracefsPath = "/sys/kernel/tracing";

// Mounts tracefs at /sys/kernel/tracing if it is not mounted (it may not be on
// a fresh boot). nullopt on success, otherwise why not.
std::optional<std::string> ensure_tracefs();

// Whether tracepoint CATEGORY:NAME exists (events/CATEGORY/NAME in tracefs).
bool tracepoint_exists(const std::string& category, const std::string& name);

}  // namespace ms::runtime
