#include "runtime/privileges.h"

#include <linux/capability.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>

namespace ms::runtime {

namespace {

// Older headers may lack the two capabilities split out of CAP_SYS_ADMIN in 5.8.
constexpr int kCapSysAdmin = 21;
constexpr int kCapPerfmon = 38;
constexpr int kCapBpf = 39;

bool has_cap(uint32_t low, uint32_t high, int cap) {
  return cap < 32 ? (low >> cap) & 1u : (high >> (cap - 32)) & 1u;
}

}  // namespace

std::optional<std::string> check_capability_bits(uint32_t low, uint32_t high) {
  if (has_cap(low, high, kCapSysAdmin)) return std::nullopt;
  bool bpf = has_cap(low, high, kCapBpf);
  bool perfmon = has_cap(low, high, kCapPerfmon);
  if (bpf && perfmon) return std::nullopt;
  std::string missing = !bpf && !perfmon ? "CAP_BPF and CAP_PERFMON" : (!bpf ? "CAP_BPF" : "CAP_PERFMON");
  return "memscript needs " + missing + " (or CAP_SYS_ADMIN) to load and attach BPF programs; run it as root";
}

std::optional<std::string> check_privileges() {
  __user_cap_header_struct header{};
  header.version = _LINUX_CAPABILITY_VERSION_3;
  header.pid = 0;
  __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3]{};
  if (syscall(SYS_capget, &header, data) != 0)
    return std::string("cannot read this process's capabilities: ") + std::strerror(errno);
  return check_capability_bits(data[0].effective, data[1].effective);
}

}  // namespace ms::runtime
