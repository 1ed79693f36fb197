#include "runtime/attacher.h"

#include <bpf/libbpf.h>
#include <linux/perf_event.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "runtime/libbpf_log.h"
#include "runtime/triggers.h"

namespace ms::runtime {

namespace {

using manifest::ProbeType;

std::string describe(const manifest::ProbeDesc& p, const AttachTarget& t) {
  switch (p.type) {
    case ProbeType::Uprobe:
    case ProbeType::Uretprobe:
      return std::string(manifest::to_string(p.type)) + ":" + (t.resolved_path.empty() ? p.target : t.resolved_path) +
             ":" + p.func;
    case ProbeType::Usdt: {
      char off[32];
      std::snprintf(off, sizeof off, "0x%llx", static_cast<unsigned long long>(p.file_offset));
      return "usdt:" + p.target + ":" + p.usdt_provider + ":" + p.func + " (location " +
             std::to_string(p.usdt_location) + ", offset " + off + ")";
    }
    default:
      return p.display.empty() ? std::string(manifest::to_string(p.type)) : p.display;
  }
}

bpf_link* attach_uprobe(bpf_program* prog, const std::string& path, const std::string& func, bool retprobe, pid_t pid,
                        uint64_t func_offset = 0) {
  // With func_name set, libbpf adds the offset to the function's own.
  LIBBPF_OPTS(bpf_uprobe_opts, opts, .retprobe = retprobe, .func_name = func.c_str());
  return bpf_program__attach_uprobe_opts(prog, pid, path.c_str(), func_offset, &opts);
}

bpf_link* attach_interval(bpf_program* prog, uint64_t interval_ns, int& err) {
  perf_event_attr attr{};
  attr.size = sizeof attr;
  attr.type = PERF_TYPE_SOFTWARE;
  attr.config = PERF_COUNT_SW_CPU_CLOCK;
  attr.sample_period = interval_ns;
  // One CPU, every task: the program fires once per interval, like bpftrace's interval probe.
  int pfd = static_cast<int>(syscall(SYS_perf_event_open, &attr, -1, 0, -1, PERF_FLAG_FD_CLOEXEC));
  if (pfd < 0) {
    err = errno;
    return nullptr;
  }
  bpf_link* link = bpf_program__attach_perf_event(prog, pfd);
  if (!link) {
    err = errno;
    close(pfd);  // the link owns the fd only once it exists
    return nullptr;
  }
  return link;
}

}  // namespace

bpf_link* attach_probe(bpf_program* prog, const manifest::ProbeDesc& probe, const AttachTarget& target,
                       std::string& error) {
  bpf_link* link = nullptr;
  int err = 0;
  take_libbpf_messages();
  switch (probe.type) {
    case ProbeType::Begin:
    case ProbeType::End:
      link = attach_uprobe(prog, target.self_exe, probe.type == ProbeType::Begin ? kBeginTriggerSymbol : kEndTriggerSymbol,
                           false, getpid());
      err = errno;
      break;
    case ProbeType::Uprobe:
    case ProbeType::Uretprobe:
      link = attach_uprobe(prog, target.resolved_path.empty() ? probe.target : target.resolved_path,
                           target.func.empty() ? probe.func : target.func, probe.type == ProbeType::Uretprobe,
                           target.uprobe_pid, target.func_offset);
      err = errno;
      break;
    case ProbeType::Usdt: {
      // A plain uprobe at the location's file offset; with a semaphore, the
      // kernel increments it (ref_ctr_offset) while the probe is attached.
      LIBBPF_OPTS(bpf_uprobe_opts, opts, .ref_ctr_offset = static_cast<size_t>(probe.ref_ctr_offset));
      link = bpf_program__attach_uprobe_opts(prog, target.uprobe_pid, probe.target.c_str(),
                                             static_cast<size_t>(probe.file_offset), &opts);
      err = errno;
      break;
    }
    case ProbeType::Tracepoint:
      link = bpf_program__attach_tracepoint(prog, probe.target.c_str(), probe.func.c_str());
      err = errno;
      break;
    case ProbeType::RawTracepoint:
      link = bpf_program__attach_raw_tracepoint(prog, probe.func.c_str());
      err = errno;
      break;
    case ProbeType::Profile:
    case ProbeType::Software:
      error = "internal error: " + describe(probe, target) + " attaches through attach_perf_probe";
      return nullptr;
    case ProbeType::Interval:
      if (probe.interval_ns == 0) {
        error = "attaching " + describe(probe, target) + ": the interval is zero";
        return nullptr;
      }
      link = attach_interval(prog, probe.interval_ns, err);
      break;
  }
  if (link) return link;
  error = "attaching " + describe(probe, target) + ": " + std::strerror(err ? err : EINVAL);
  std::string why = last_libbpf_warning();
  if (!why.empty()) error += " (libbpf: " + why + ")";
  return nullptr;
}

}  // namespace ms::runtime
