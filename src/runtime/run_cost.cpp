#include "runtime/run_cost.h"

#include <bpf/bpf.h>
#include <linux/bpf.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <map>

namespace ms::runtime {

namespace {

using manifest::ProbeType;

bool traps(ProbeType t) { return t == ProbeType::Uprobe || t == ProbeType::Uretprobe || t == ProbeType::Usdt; }

bool runs_in_traced_code(ProbeType t) {
  return traps(t) || t == ProbeType::Tracepoint || t == ProbeType::RawTracepoint || t == ProbeType::Software;
}

// 1234 ns -> "1.2 us"; keeps three significant figures at most.
std::string human_ns(uint64_t ns) {
  char buf[32];
  if (ns < 1000)
    std::snprintf(buf, sizeof buf, "%llu ns", static_cast<unsigned long long>(ns));
  else if (ns < 1000000)
    std::snprintf(buf, sizeof buf, "%.1f us", ns / 1e3);
  else if (ns < 1000000000)
    std::snprintf(buf, sizeof buf, "%.1f ms", ns / 1e6);
  else
    std::snprintf(buf, sizeof buf, "%.2f s", ns / 1e9);
  return buf;
}

}  // namespace

CostTotals total_cost(const std::vector<ProbeCost>& probes) {
  CostTotals t;
  for (const auto& p : probes) {
    t.hits += p.hits;
    t.run_time_ns += p.run_time_ns;
    if (runs_in_traced_code(p.type)) t.added_ns += p.run_time_ns;
    if (traps(p.type)) t.added_ns += p.hits * kUprobeTrapNs;
  }
  return t;
}

std::string format_cost(const std::vector<ProbeCost>& probes, const std::string& when) {
  CostTotals t = total_cost(probes);
  std::string out;
  char line[512];
  std::snprintf(line, sizeof line,
                "memscript: cost %s: %llu probe hit%s, BPF run time %s, estimated time added to the traced code %s "
                "(BPF run time + %s per uprobe hit)\n",
                when.c_str(), static_cast<unsigned long long>(t.hits), t.hits == 1 ? "" : "s",
                human_ns(t.run_time_ns).c_str(), human_ns(t.added_ns).c_str(), human_ns(kUprobeTrapNs).c_str());
  out += line;
  std::vector<const ProbeCost*> fired;
  for (const auto& p : probes)
    if (p.hits) fired.push_back(&p);
  std::stable_sort(fired.begin(), fired.end(), [](const ProbeCost* a, const ProbeCost* b) { return a->hits > b->hits; });
  for (const ProbeCost* p : fired) {
    std::snprintf(line, sizeof line, "memscript:   %llu hit%s, %s: %s\n", static_cast<unsigned long long>(p->hits),
                  p->hits == 1 ? "" : "s", human_ns(p->run_time_ns).c_str(), p->display.c_str());
    out += line;
  }
  return out;
}

RunCostMeter::~RunCostMeter() {
  if (stats_fd_ >= 0) close(stats_fd_);
}

bool RunCostMeter::enable(std::string& why) {
  int fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
  if (fd < 0) {
    why = std::string("BPF_ENABLE_STATS: ") + std::strerror(errno);
    return false;
  }
  stats_fd_ = fd;
  return true;
}

std::vector<ProbeCost> RunCostMeter::read(const std::vector<Program>& programs) const {
  std::vector<ProbeCost> out;
  std::map<std::string, size_t> by_display;
  for (const auto& prog : programs) {
    if (prog.fd < 0 || !prog.probe) continue;
    bpf_prog_info info{};
    uint32_t len = sizeof info;
    if (bpf_obj_get_info_by_fd(prog.fd, &info, &len) != 0) continue;
    // A session runs at entry and at return: both are its hits.
    const std::string name =
        prog.probe->session ? prog.probe->display + " + " + prog.probe->session_display : prog.probe->display;
    auto [it, added] = by_display.emplace(name, out.size());
    if (added) out.push_back({name, prog.probe->type, 0, 0});
    ProbeCost& c = out[it->second];
    c.hits += info.run_cnt;
    c.run_time_ns += info.run_time_ns;
  }
  return out;
}

}  // namespace ms::runtime
