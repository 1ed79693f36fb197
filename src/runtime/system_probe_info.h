// The ProbeInfoProvider of the machine memscript runs on: tracepoint formats
// and lists from tracefs (mounted on demand).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "common/tracepoint_format.h"

namespace ms::runtime {

class SystemProbeInfo : public ProbeInfoProvider {
 public:
  // With a target process (-p), bare library names in usdt: attach points
  // name what that process maps.
  void set_target_pid(int pid) { pid_ = pid; }
  UsdtLookup usdt_probes(const std::string& target) const override;
  std::vector<std::string> usdt_objects(std::string& error) const override;
  TracepointLookup tracepoint_format(const std::string& category, const std::string& name) const override;
  std::vector<std::string> tracepoints(std::string& error) const override;

 private:
  mutable bool listed_ = false;
  mutable std::vector<std::string> tracepoints_;
  mutable std::string list_error_;
  int pid_ = 0;
  mutable std::map<std::string, UsdtLookup> usdt_cache_;
};

}  // namespace ms::runtime
