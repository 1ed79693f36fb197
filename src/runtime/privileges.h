// The capabilities loading and attaching BPF programs needs.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace ms::runtime {

// nullopt when the effective set holds CAP_BPF and CAP_PERFMON, or
// CAP_SYS_ADMIN; otherwise one line naming what is missing.
std::optional<std::string> check_privileges();

// The same decision on given effective capability bits (low and high 32-bit
// words as capget returns them), for tests.
std::optional<std::string> check_capability_bits(uint32_t effective_low, uint32_t effective_high);

}  // namespace ms::runtime
