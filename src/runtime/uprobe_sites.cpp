#include "runtime/uprobe_sites.h"

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "runtime/libbpf_log.h"

namespace ms::runtime {

namespace {

// The link_create part of union bpf_attr for uprobe_multi, as in the kernel's
// include/uapi/linux/bpf.h (6.6+); the system headers predate it.
struct UprobeMultiLinkCreate {
  uint32_t prog_fd;
  uint32_t target_fd;
  uint32_t attach_type;
  uint32_t flags;
  uint64_t path;
  uint64_t offsets;
  uint64_t ref_ctr_offsets;
  uint64_t cookies;
  uint32_t cnt;
  uint32_t multi_flags;  // BPF_F_UPROBE_MULTI_RETURN = 1
  uint32_t pid;
};
constexpr int kBpfLinkCreate = 28;  // enum bpf_cmd
constexpr uint32_t kUprobeMultiReturn = 1;

int uprobe_multi_link(int prog_fd, const std::string& path, const std::vector<uint64_t>& offsets,
                      const std::vector<uint64_t>& cookies, UprobeKind kind, pid_t pid) {
  union {
    UprobeMultiLinkCreate lc;
    char bytes[128];  // the kernel wants every byte past the command's fields zero
  } attr;
  std::memset(&attr, 0, sizeof attr);
  attr.lc.prog_fd = static_cast<uint32_t>(prog_fd);
  attr.lc.attach_type = kind == UprobeKind::Session ? kBpfTraceUprobeSession : kBpfTraceUprobeMulti;
  attr.lc.path = reinterpret_cast<uint64_t>(path.c_str());
  attr.lc.offsets = reinterpret_cast<uint64_t>(offsets.data());
  attr.lc.cookies = reinterpret_cast<uint64_t>(cookies.data());
  attr.lc.cnt = static_cast<uint32_t>(offsets.size());
  attr.lc.multi_flags = kind == UprobeKind::Return ? kUprobeMultiReturn : 0;
  attr.lc.pid = pid > 0 ? static_cast<uint32_t>(pid) : 0;
  return static_cast<int>(syscall(SYS_bpf, kBpfLinkCreate, &attr, sizeof attr));
}

}  // namespace

bool use_uprobe_multi() {
  const char* v = std::getenv("MEMSCRIPT_UPROBE_MULTI");
  return !(v && std::strcmp(v, "0") == 0);
}

bool uprobe_sessions_supported() {
  static const bool supported = [] {
    const char* v = std::getenv("MEMSCRIPT_UPROBE_SESSION");
    if ((v && std::strcmp(v, "0") == 0) || !use_uprobe_multi()) return false;
    struct utsname u;
    int major = 0, minor = 0;
    if (uname(&u) != 0 || std::sscanf(u.release, "%d.%d", &major, &minor) != 2) return false;
    if (major < 6 || (major == 6 && minor < 12)) return false;
    // The kfunc the session program calls; libbpf resolves it from this BTF.
    btf* vmlinux = btf__load_vmlinux_btf();
    if (!vmlinux || libbpf_get_error(vmlinux)) return false;
    const bool has = btf__find_by_name_kind(vmlinux, "bpf_session_is_return", BTF_KIND_FUNC) > 0;
    btf__free(vmlinux);
    return has;
  }();
  return supported;
}

bool bpf_loop_supported() {
  // 1: supported, 0: not; an error (no privilege, e.g. an unprivileged
  // --dry-run) says nothing about the kernel: compile as a real run would.
  static const bool supported = libbpf_probe_bpf_helper(BPF_PROG_TYPE_KPROBE, BPF_FUNC_loop, nullptr) != 0;
  return supported;
}

namespace {

constexpr int kEnotsupp = 524;  // the kernel's ENOTSUPP: an instruction uprobes cannot handle

bool unprobeable(int err) { return err == kEnotsupp || err == EOPNOTSUPP; }

// Attaches sites [lo, hi) with uprobe_multi links. The kernel refuses the
// whole link if one site cannot be probed, without saying which. A refused
// link costs far more than an accepted one (measured here: ~80 ms for 236
// sites, as the kernel undoes every registration), so bisecting is slower
// than trying each site on its own link once the whole range was refused
// (236 libc functions with one refused: bisection 840 ms, one link per site
// 180 ms, one link when none is refused 45 ms).
bool attach_multi_range(int prog_fd, const std::string& path, const UprobePlan& plan, size_t lo, size_t hi,
                        UprobeKind kind, pid_t pid, SiteLinks& out, int& err) {
  std::vector<uint64_t> offsets, cookies;
  for (size_t i = lo; i < hi; ++i) {
    offsets.push_back(plan.sites[i].file_offset);
    cookies.push_back(plan.cookie_base + i);
  }
  int fd = uprobe_multi_link(prog_fd, path, offsets, cookies, kind, pid);
  if (fd >= 0) {
    out.multi_fds.push_back(fd);
    return true;
  }
  err = errno;
  if (!unprobeable(err)) return false;
  if (hi - lo == 1) {
    out.skipped.push_back(plan.sites[lo].name);
    return true;
  }
  for (size_t i = lo; i < hi; ++i)
    if (!attach_multi_range(prog_fd, path, plan, i, i + 1, kind, pid, out, err)) return false;
  return true;
}

std::string describe_errno(int err) {
  if (unprobeable(err)) return "the instruction there cannot be probed";
  return std::strerror(err);
}

}  // namespace

bool attach_uprobe_sites(bpf_program* prog, const std::string& path, const UprobePlan& plan, UprobeKind how, pid_t pid,
                         bool multi, SiteLinks& out, std::string& error) {
  const bool retprobe = how == UprobeKind::Return;
  const char* kind = how == UprobeKind::Session ? "uprobe session" : retprobe ? "uretprobe" : "uprobe";
  if (multi || how == UprobeKind::Session) {
    int err = 0;
    if (!attach_multi_range(bpf_program__fd(prog), path, plan, 0, plan.sites.size(), how, pid, out, err)) {
      error = std::string("attaching ") + kind + ":" + path + " at " + std::to_string(plan.sites.size()) +
              " functions with uprobe_multi: " + describe_errno(err) +
              " (set MEMSCRIPT_UPROBE_MULTI=0 to attach one uprobe per function)";
      return false;
    }
  } else {
    for (size_t i = 0; i < plan.sites.size(); ++i) {
      take_libbpf_messages();
      LIBBPF_OPTS(bpf_uprobe_opts, opts, .bpf_cookie = plan.cookie_base + i, .retprobe = retprobe);
      bpf_link* link = bpf_program__attach_uprobe_opts(prog, pid, path.c_str(), plan.sites[i].file_offset, &opts);
      if (link) {
        out.links.push_back(link);
        continue;
      }
      int err = errno;
      if (unprobeable(err) && plan.sites.size() > 1) {
        out.skipped.push_back(plan.sites[i].name);
        continue;
      }
      error = std::string("attaching ") + kind + ":" + path + ":" + plan.sites[i].name + ": " + describe_errno(err);
      std::string why = last_libbpf_warning();
      if (!why.empty() && !unprobeable(err)) error += " (libbpf: " + why + ")";
      return false;
    }
  }
  if (out.skipped.size() == plan.sites.size()) {
    error = std::string("attaching ") + kind + ":" + path + ": none of the " + std::to_string(plan.sites.size()) +
            " matching functions can be probed";
    return false;
  }
  return true;
}

}  // namespace ms::runtime
