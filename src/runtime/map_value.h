// Decoding map keys and values from raw bytes, per the layouts in manifest.h.
//
// Kept apart from the map syscalls so it can be tested on fake bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "manifest/manifest.h"

namespace ms::runtime {

// One decoded key field or value: an integer (with its signedness) or a string.
struct Scalar {
  bool is_string = false;
  bool is_signed = false;
  uint64_t bits = 0;  // integer value; two's complement when is_signed
  std::string text;   // string value, up to its first NUL

  std::string to_string() const;  // as bpftrace prints it in a map entry
};

// Turns fields that need outside knowledge into text: stacks (the stack
// store) and symbols (the symbolizer). `as_key` selects bpftrace's key layout.
class FieldRenderer {
 public:
  virtual ~FieldRenderer() = default;
  virtual std::string render(const manifest::Field& f, const uint8_t* data, size_t size, bool as_key) = 0;
};

// A tuple field as bpftrace prints it: "(1, abc, 0x10)". Integers in decimal,
// strings as text, stacks and symbols through `renderer` (raw numbers without).
std::string render_tuple(const manifest::Field& f, const uint8_t* data, size_t size, FieldRenderer* renderer);

// Orders like bpftrace's map printing: integers by their unsigned bits (so -1
// sorts after every positive number, as bpftrace shows), strings bytewise.
// Returns <0, 0, >0.
int compare_scalar_as_key(const Scalar& a, const Scalar& b);
// Orders values numerically, honouring signedness; strings bytewise.
int compare_scalar_as_value(const Scalar& a, const Scalar& b);

// Bytes one CPU's value occupies in a per-CPU lookup buffer (the kernel rounds
// each CPU's slot up to 8 bytes).
size_t percpu_value_stride(const manifest::MapDesc& map);
// Size of the buffer a lookup of this map needs.
size_t lookup_value_size(const manifest::MapDesc& map, int num_cpus);

// Decodes the key fields of one entry. A scalar map has no fields.
// nullopt if the bytes are too short for the layout.
std::optional<std::vector<Scalar>> decode_key(const manifest::MapDesc& map, const uint8_t* key, size_t size,
                                              FieldRenderer* renderer = nullptr);

// Decodes and, for per-CPU maps, combines the value of one entry as manifest.h
// describes per AggKind. nullopt when there is nothing to show: a min/max no
// CPU has set, an avg with a zero count, or bytes too short for the layout.
std::optional<Scalar> decode_value(const manifest::MapDesc& map, const uint8_t* value, size_t size, int num_cpus,
                                   FieldRenderer* renderer = nullptr);

}  // namespace ms::runtime
