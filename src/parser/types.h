// Types of expressions and maps, computed by the semantic pass and kept in a
// side table keyed by node (SemanticInfo), never stored in the AST itself.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "parser/ast.h"

namespace ms {

enum class TypeKind {
  None,     // statements, calls without a value (printf, exit)
  Integer,  // 64-bit arithmetic; `is_signed` says how it compares, divides and prints
  String,   // fixed-size, NUL-padded byte array of `size` bytes
  // Aggregation values: only ever the value of a map.
  Count,
  Sum,
  Min,
  Max,
  Avg,
};

struct Type {
  TypeKind kind = TypeKind::None;
  uint32_t size = 0;  // bytes: 8 for Integer, N for String
  bool is_signed = false;

  static Type none() { return {}; }
  static Type integer(bool is_signed = true) { return {TypeKind::Integer, 8, is_signed}; }
  static Type string(uint32_t size) { return {TypeKind::String, size, false}; }
  static Type aggregation(TypeKind k, bool is_signed = true) { return {k, 8, is_signed}; }

  bool is_aggregation() const {
    return kind == TypeKind::Count || kind == TypeKind::Sum || kind == TypeKind::Min ||
           kind == TypeKind::Max || kind == TypeKind::Avg;
  }
  bool operator==(const Type&) const = default;
};

std::string to_string(const Type& t);  // "int64", "uint64", "string[16]", "count", ...

// What the program does with one map: its key layout and value type, fixed by
// the first use and checked against every other use.
struct MapInfo {
  std::string name;          // "@x"
  std::vector<Type> key;     // empty: scalar map
  Type value;
  Location first_use;
};

struct SemanticInfo {
  std::unordered_map<const ast::Expr*, Type> types;  // every expression node
  std::map<std::string, MapInfo> maps;               // by name, sorted
  // Scratch variables per probe: name -> type ($x), keyed by the probe.
  std::unordered_map<const ast::Probe*, std::map<std::string, Type>> variables;

  const Type& type_of(const ast::Expr* e) const;
};

// Default and maximum sizes.
inline constexpr uint32_t kCommSize = 16;
inline constexpr uint32_t kDefaultStringSize = 64;

}  // namespace ms
