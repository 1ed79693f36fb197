#include "runtime/system_probe_info.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include "runtime/elf_symbols.h"
#include "runtime/symbolizer.h"
#include "runtime/tracefs.h"
#include "usdt/usdt_reader.h"

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

std::vector<std::string> SystemProbeInfo::usdt_objects(std::string& error) const {
  if (pid_ <= 0) {
    error = "usdt:*:... means every object of the traced process: give one with -p PID";
    return {};
  }
  std::string path = "/proc/" + std::to_string(pid_) + "/maps";
  std::ifstream in(path);
  if (!in) {
    error = "cannot read " + path + ": " + std::strerror(errno);
    return {};
  }
  std::stringstream text;
  text << in.rdbuf();
  std::vector<std::string> out;
  for (const auto& m : parse_proc_maps(text.str()))
    if (std::find(out.begin(), out.end(), m.path) == out.end() && m.path.find(" (deleted)") == std::string::npos)
      out.push_back(m.path);
  if (out.empty()) error = "process " + std::to_string(pid_) + " maps no files";
  return out;
}

UsdtLookup SystemProbeInfo::usdt_probes(const std::string& target) const {
  if (auto it = usdt_cache_.find(target); it != usdt_cache_.end()) return it->second;
  UsdtLookup r;
  auto path = pid_ > 0 ? resolve_binary_for_pid(target, pid_) : resolve_binary(target);
  if (!path) {
    r.file_missing = true;
  } else {
    r.path = *path;
    std::string detail;
    // check_function answers "missing" and "not ELF" before bcc is loaded.
    SymbolCheck c = check_function(*path, "", &detail);
    if (c == SymbolCheck::FileMissing) {
      r.file_missing = errno == ENOENT || errno == ENOTDIR;
      r.error = detail.empty() ? "cannot open it" : detail;
    } else if (c == SymbolCheck::NotElf) {
      r.error = "not an ELF file";
    } else {
      r = usdt::read_probes(*path);
      for (auto& probe : r.probes) {
        for (auto& loc : probe.locations) {
          auto off = address_to_file_offset(*path, loc.address);
          if (!off) {
            char addr[32];
            std::snprintf(addr, sizeof addr, "0x%llx", static_cast<unsigned long long>(loc.address));
            r.error = probe.provider + ":" + probe.name + " is at " + addr + ", outside every loadable segment";
            r.probes.clear();
            break;
          }
          loc.file_offset = *off;
        }
        if (!r.error.empty()) break;
      }
    }
  }
  usdt_cache_[target] = r;
  return r;
}

}  // namespace ms::runtime
