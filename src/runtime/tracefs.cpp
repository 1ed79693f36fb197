#include "runtime/tracefs.h"

#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>

#include <cerrno>
#include <cstring>

namespace ms::runtime {

namespace {

constexpr long kTracefsMagic = 0x74726163;  // TRACEFS_MAGIC

bool is_tracefs_mounted() {
  struct statfs st {};
  return statfs(kTracefsPath, &st) == 0 && st.f_type == kTracefsMagic;
}

bool is_safe_component(const std::string& s) {
  return !s.empty() && s != "." && s != ".." && s.find('/') == std::string::npos;
}

}  // namespace

std::optional<std::string> ensure_tracefs() {
  if (is_tracefs_mounted()) return std::nullopt;
  if (mount("nodev", kTracefsPath, "tracefs", 0, nullptr) != 0 && !is_tracefs_mounted())
    return std::string("cannot mount tracefs at ") + kTracefsPath + ": " + std::strerror(errno);
  return std::nullopt;
}

bool tracepoint_exists(const std::string& category, const std::string& name) {
  if (!is_safe_component(category) || !is_safe_component(name)) return false;
  std::string path = std::string(kTracefsPath) + "/events/" + category + "/" + name;
  struct stat st {};
  return stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

}  // namespace ms::runtime
