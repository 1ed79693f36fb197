// The ProbeInfoProvider of the machine memscript runs on: tracepoint formats
// and lists from tracefs (mounted on demand).
#pragma once

#include <string>
#include <vector>

#include "common/tracepoint_format.h"

namespace ms::runtime {

class SystemProbeInfo : public ProbeInfoProvider {
 public:
  TracepointLookup tracepoint_format(const std::string& category, const std::string& name) const override;
  std::vector<std::string> tracepoints(std::string& error) const override;

 private:
  mutable bool listed_ = false;
  mutable std::vector<std::string> tracepoints_;
  mutable std::string list_error_;
};

}  // namespace ms::runtime
