#include "runtime/perf_probes.h"

#include <bpf/libbpf.h>
#include <linux/perf_event.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

namespace ms::runtime {

namespace {

struct SoftwareEventConfig {
  const char* name;
  const char* alias;
  uint64_t config;
};
const SoftwareEventConfig kSoftware[] = {
    {"cpu-clock", "cpu", PERF_COUNT_SW_CPU_CLOCK},
    {"task-clock", "", PERF_COUNT_SW_TASK_CLOCK},
    {"page-faults", "faults", PERF_COUNT_SW_PAGE_FAULTS},
    {"context-switches", "cs", PERF_COUNT_SW_CONTEXT_SWITCHES},
    {"cpu-migrations", "", PERF_COUNT_SW_CPU_MIGRATIONS},
    {"minor-faults", "", PERF_COUNT_SW_PAGE_FAULTS_MIN},
    {"major-faults", "", PERF_COUNT_SW_PAGE_FAULTS_MAJ},
    {"alignment-faults", "", PERF_COUNT_SW_ALIGNMENT_FAULTS},
    {"emulation-faults", "", PERF_COUNT_SW_EMULATION_FAULTS},
};

// The online CPUs, from "0-3,5" in /sys/devices/system/cpu/online.
std::vector<int> online_cpus() {
  std::vector<int> cpus;
  std::ifstream in("/sys/devices/system/cpu/online");
  std::string text;
  std::getline(in, text);
  size_t pos = 0;
  while (pos < text.size()) {
    size_t comma = text.find(',', pos);
    std::string range = text.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
    size_t dash = range.find('-');
    int lo = std::atoi(range.c_str());
    int hi = dash == std::string::npos ? lo : std::atoi(range.c_str() + dash + 1);
    for (int c = lo; c <= hi; ++c) cpus.push_back(c);
    if (comma == std::string::npos) break;
    pos = comma + 1;
  }
  return cpus;
}

}  // namespace

bool attach_perf_probe(bpf_program* prog, const manifest::ProbeDesc& probe, std::vector<bpf_link*>& links,
                       std::string& error) {
  perf_event_attr attr{};
  attr.size = sizeof attr;
  attr.type = PERF_TYPE_SOFTWARE;
  if (probe.type == manifest::ProbeType::Profile) {
    attr.config = PERF_COUNT_SW_CPU_CLOCK;
  } else {
    const SoftwareEventConfig* ev = nullptr;
    for (const auto& e : kSoftware)
      if (probe.func == e.name || (*e.alias && probe.func == e.alias)) ev = &e;
    if (!ev) {
      error = "attaching " + probe.display + ": unknown software event '" + probe.func + "'";
      return false;
    }
    attr.config = ev->config;
  }
  if (probe.frequency) {
    attr.freq = 1;
    attr.sample_freq = probe.period;
  } else {
    attr.sample_period = probe.period ? probe.period : 1;
  }
  std::vector<int> cpus = online_cpus();
  if (cpus.empty()) {
    error = "attaching " + probe.display + ": cannot read the online CPUs";
    return false;
  }
  for (int cpu : cpus) {
    int pfd = static_cast<int>(syscall(SYS_perf_event_open, &attr, -1, cpu, -1, PERF_FLAG_FD_CLOEXEC));
    if (pfd < 0) {
      error = "attaching " + probe.display + " on CPU " + std::to_string(cpu) + ": perf_event_open: " +
              std::strerror(errno);
      return false;
    }
    bpf_link* link = bpf_program__attach_perf_event(prog, pfd);
    if (!link) {
      int err = errno;
      close(pfd);
      error = "attaching " + probe.display + " on CPU " + std::to_string(cpu) + ": " + std::strerror(err);
      return false;
    }
    links.push_back(link);
  }
  return true;
}

}  // namespace ms::runtime
