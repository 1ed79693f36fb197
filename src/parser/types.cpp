#include "parser/types.h"

namespace ms {

std::string to_string(const Type& t) {
  switch (t.kind) {
    case TypeKind::None: return "none";
    case TypeKind::Integer:
      if (t.pointee) return std::string(t.pointee_signed ? "int" : "uint") + std::to_string(t.pointee * 8) + "*";
      return t.is_signed ? "int64" : "uint64";
    case TypeKind::String: return "string[" + std::to_string(t.size) + "]";
    case TypeKind::Count: return "count";
    case TypeKind::Sum: return t.is_signed ? "sum" : "usum";
    case TypeKind::Min: return t.is_signed ? "min" : "umin";
    case TypeKind::Max: return t.is_signed ? "max" : "umax";
    case TypeKind::Avg: return t.is_signed ? "avg" : "uavg";
    case TypeKind::UStack:
    case TypeKind::KStack: {
      std::string out = t.kind == TypeKind::UStack ? "ustack" : "kstack";
      bool limited = t.stack_limit != kDefaultStackFrames;
      if (!t.stack_perf && !limited) return out;
      out += "(";
      if (t.stack_perf) out += "perf";
      if (limited) out += std::string(t.stack_perf ? ", " : "") + std::to_string(t.stack_limit);
      return out + ")";
    }
    case TypeKind::USym: return "usym";
    case TypeKind::KSym: return "ksym";
    case TypeKind::Stats: return t.is_signed ? "stats" : "ustats";
    case TypeKind::Hist: return "hist";
    case TypeKind::Lhist: return "lhist";
    case TypeKind::Buffer: return "buffer[" + std::to_string(t.size - 8) + "]";
    case TypeKind::Tuple: {
      std::string out = "(";
      for (size_t i = 0; i < t.elements.size(); ++i) out += (i ? ", " : "") + to_string(t.elements[i]);
      return out + ")";
    }
    case TypeKind::Timestamp: return "timestamp(\"" + t.format + "\")";
  }
  return "?";
}

namespace {
// Bytes an element takes in a tuple: strings, symbols and buffers their size, the rest 8.
uint32_t element_size(const Type& t) {
  uint32_t n = t.kind == TypeKind::String || t.kind == TypeKind::USym || t.kind == TypeKind::Buffer ? t.size : 8;
  return (n + 7u) & ~7u;
}
}  // namespace

Type Type::tuple(std::vector<Type> elements) {
  Type t;
  t.kind = TypeKind::Tuple;
  for (const auto& e : elements) t.size += element_size(e);
  t.elements = std::move(elements);
  return t;
}

uint32_t Type::element_offset(size_t i) const {
  uint32_t off = 0;
  for (size_t j = 0; j < i && j < elements.size(); ++j) off += element_size(elements[j]);
  return off;
}

const Type& SemanticInfo::type_of(const ast::Expr* e) const {
  static const Type kNone;
  auto it = types.find(e);
  return it == types.end() ? kNone : it->second;
}

}  // namespace ms
