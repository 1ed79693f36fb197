// Reading little-endian words out of map keys, values and events (byte
// buffers with no alignment guarantee).
#pragma once

#include <cstdint>
#include <cstring>

namespace ms::runtime {

inline uint64_t load_u64(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}

}  // namespace ms::runtime
