#include "runtime/system_probe_info.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "runtime/tracefs.h"

namespace ms::runtime {

namespace {

bool is_safe_component(const std::string& s) {
  return !s.empty() && s != "." && s != ".." && s.find('/') == std::string::npos;
}

}  // namespace

TracepointLookup SystemProbeInfo::tracepoint_format(const std::string& category, const std::string& name) const {
  TracepointLookup r;
  if (!is_safe_component(category) || !is_safe_component(name)) {
    r.missing = true;
    return r;
  }
  if (auto err = ensure_tracefs()) {
    r.error = *err;
    return r;
  }
  std::string path = std::string(kTracefsPath) + "/events/" + category + "/" + name + "/format";
  std::ifstream in(path);
  if (!in) {
    int e = errno;
    if (e == ENOENT || e == ENOTDIR)
      r.missing = true;
    else
      r.error = "cannot read " + path + ": " + std::strerror(e);
    return r;
  }
  std::stringstream text;
  text << in.rdbuf();
  std::string error;
  r.format = parse_tracepoint_format(category, name, text.str(), error);
  if (!r.format) r.error = path + ": " + error;
  return r;
}

std::vector<std::string> SystemProbeInfo::tracepoints(std::string& error) const {
  if (!listed_) {
    listed_ = true;
    if (auto err = ensure_tracefs()) {
      list_error_ = *err;
    } else {
      std::string path = std::string(kTracefsPath) + "/available_events";
      std::ifstream in(path);
      if (!in) list_error_ = "cannot read " + path + ": " + std::strerror(errno);
      std::string line;
      while (std::getline(in, line))
        if (line.find(':') != std::string::npos) tracepoints_.push_back(line);
      std::sort(tracepoints_.begin(), tracepoints_.end());
      tracepoints_.erase(std::unique(tracepoints_.begin(), tracepoints_.end()), tracepoints_.end());
    }
  }
  error = list_error_;
  return tracepoints_;
}

}  // namespace ms::runtime
