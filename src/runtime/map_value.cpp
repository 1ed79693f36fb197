#include "runtime/map_value.h"

#include <cstring>

#include "common/printf_format.h"
#include "common/timestamp.h"
#include "runtime/bytes.h"

namespace ms::runtime {

using manifest::AggKind;
using manifest::Field;
using manifest::FieldKind;
using manifest::MapDesc;

std::string Scalar::to_string() const {
  if (is_string) return text;
  return is_signed ? std::to_string(static_cast<int64_t>(bits)) : std::to_string(bits);
}

namespace {

int compare_text(const std::string& a, const std::string& b) {
  int c = a.compare(b);
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

template <typename T>
int three_way(T a, T b) {
  return a < b ? -1 : (a > b ? 1 : 0);
}

std::optional<Scalar> decode_field(const Field& f, const uint8_t* data, size_t size, FieldRenderer* renderer = nullptr,
                                   bool as_key = false) {
  Scalar s;
  if (f.kind == FieldKind::Timestamp) {
    uint64_t ns = 0;
    if (!read_integer_field(f, data, size, ns)) return std::nullopt;
    s.is_string = true;
    s.text = format_timestamp(f.format, ns);
    return s;
  }
  if (f.kind == FieldKind::Tuple) {
    if (static_cast<size_t>(f.offset) + f.size > size) return std::nullopt;
    s.is_string = true;
    s.text = render_tuple(f, data, size, renderer);
    return s;
  }
  if (f.kind != FieldKind::String && f.kind != FieldKind::Integer) {
    if (static_cast<size_t>(f.offset) + f.size > size) return std::nullopt;
    if (renderer) {
      s.is_string = true;
      s.text = renderer->render(f, data, size, as_key);
      return s;
    }
    s.is_signed = false;
    std::memcpy(&s.bits, data + f.offset, 8);  // no renderer: the raw id or address
    return s;
  }
  if (f.kind == FieldKind::String) {
    s.is_string = true;
    if (!read_string_field(f, data, size, s.text)) return std::nullopt;
    return s;
  }
  s.is_signed = f.is_signed;
  if (!read_integer_field(f, data, size, s.bits)) return std::nullopt;
  return s;
}

}  // namespace

std::string render_tuple(const Field& f, const uint8_t* data, size_t size, FieldRenderer* renderer) {
  std::string out = "(";
  for (size_t i = 0; i < f.elements.size(); ++i) {
    Field e = f.elements[i];
    e.offset += f.offset;
    if (i) out += ", ";
    if (auto s = decode_field(e, data, size, renderer)) out += s->to_string();
  }
  return out + ")";
}

int compare_scalar_as_key(const Scalar& a, const Scalar& b) {
  if (a.is_string != b.is_string) return a.is_string ? 1 : -1;
  if (a.is_string) return compare_text(a.text, b.text);
  return three_way(a.bits, b.bits);
}

int compare_scalar_as_value(const Scalar& a, const Scalar& b) {
  if (a.is_string != b.is_string) return a.is_string ? 1 : -1;
  if (a.is_string) return compare_text(a.text, b.text);
  if (a.is_signed) return three_way(static_cast<int64_t>(a.bits), static_cast<int64_t>(b.bits));
  return three_way(a.bits, b.bits);
}

size_t percpu_value_stride(const MapDesc& map) { return (static_cast<size_t>(map.value_size) + 7) / 8 * 8; }

size_t lookup_value_size(const MapDesc& map, int num_cpus) {
  if (!map.percpu) return map.value_size;
  return percpu_value_stride(map) * static_cast<size_t>(num_cpus > 0 ? num_cpus : 1);
}

std::optional<std::vector<Scalar>> decode_key(const MapDesc& map, const uint8_t* key, size_t size,
                                              FieldRenderer* renderer) {
  std::vector<Scalar> out;
  out.reserve(map.key.size());
  for (const auto& f : map.key) {
    auto s = decode_field(f, key, size, renderer, true);
    if (!s) return std::nullopt;
    out.push_back(std::move(*s));
  }
  return out;
}

std::optional<Scalar> decode_value(const MapDesc& map, const uint8_t* value, size_t size, int num_cpus,
                                   FieldRenderer* renderer) {
  if (map.agg == AggKind::None) {
    // A plain value is never per-CPU, but read CPU 0's slot if it were.
    return decode_field(map.value, value, map.percpu ? std::min(size, percpu_value_stride(map)) : size, renderer);
  }
  const int cpus = map.percpu ? (num_cpus > 0 ? num_cpus : 1) : 1;
  const size_t stride = map.percpu ? percpu_value_stride(map) : map.value_size;
  const size_t needed = map.agg == AggKind::Count || map.agg == AggKind::Sum ? 8 : 16;
  if (map.value_size < needed || stride * static_cast<size_t>(cpus) > size) return std::nullopt;

  Scalar out;
  out.is_signed = map.agg == AggKind::Count ? false : map.value.is_signed;
  switch (map.agg) {
    case AggKind::Count:
    case AggKind::Sum: {
      uint64_t total = 0;  // wrapping add is the same for signed and unsigned
      for (int c = 0; c < cpus; ++c) total += load_u64(value + c * stride);
      out.bits = total;
      return out;
    }
    case AggKind::Min:
    case AggKind::Max: {
      bool any = false;
      for (int c = 0; c < cpus; ++c) {
        const uint8_t* slot = value + c * stride;
        if (load_u64(slot + 8) == 0) continue;
        uint64_t v = load_u64(slot);
        if (!any) {
          out.bits = v;
          any = true;
          continue;
        }
        Scalar cand = out;
        cand.bits = v;
        int cmp = compare_scalar_as_value(cand, out);
        if ((map.agg == AggKind::Min && cmp < 0) || (map.agg == AggKind::Max && cmp > 0)) out.bits = v;
      }
      if (!any) return std::nullopt;
      return out;
    }
    case AggKind::Avg: {
      uint64_t sum = 0, count = 0;
      for (int c = 0; c < cpus; ++c) {
        sum += load_u64(value + c * stride);
        count += load_u64(value + c * stride + 8);
      }
      if (count == 0) return std::nullopt;
      // C division truncates toward zero, as bpftrace's average does.
      out.bits = out.is_signed ? static_cast<uint64_t>(static_cast<int64_t>(sum) / static_cast<int64_t>(count))
                               : sum / count;
      return out;
    }
    case AggKind::None:
    case AggKind::Stats:  // several numbers: map_printer decodes stats and histograms itself
    case AggKind::Hist:
    case AggKind::Lhist:
      break;
  }
  return std::nullopt;
}

}  // namespace ms::runtime
