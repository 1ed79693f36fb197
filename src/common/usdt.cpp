#include "common/usdt.h"

#include <utility>

namespace ms {

std::optional<uint32_t> pt_regs_offset(const std::string& name) {
  // struct pt_regs on x86-64 (arch/x86/include/asm/ptrace.h), 8 bytes a field.
  static const std::pair<const char*, uint32_t> kRegs[] = {
      {"r15", 0},   {"r14", 8},   {"r13", 16},  {"r12", 24},  {"bp", 32},     {"bx", 40},
      {"r11", 48},  {"r10", 56},  {"r9", 64},   {"r8", 72},   {"ax", 80},     {"cx", 88},
      {"dx", 96},   {"si", 104},  {"di", 112},  {"orig_ax", 120}, {"ip", 128}, {"cs", 136},
      {"flags", 144}, {"sp", 152}, {"ss", 160},
  };
  for (const auto& [n, off] : kRegs)
    if (name == n) return off;
  return std::nullopt;
}

std::string describe(const UsdtArgument& a) {
  std::string s;
  if (a.is_signed) s += '-';
  s += std::to_string(a.size);
  s += '@';
  switch (a.kind) {
    case UsdtArgKind::Constant:
      return s + "$" + std::to_string(a.constant);
    case UsdtArgKind::Register:
      return s + "%" + a.base_register;
    case UsdtArgKind::Memory:
      if (!a.symbol.empty()) s += a.symbol;
      if (a.offset || (a.symbol.empty() && a.base_register.empty())) s += std::to_string(a.offset);
      s += "(%" + a.base_register;
      if (!a.index_register.empty()) s += ",%" + a.index_register + "," + std::to_string(a.scale);
      return s + ")";
  }
  return s;
}

std::string usdt_arg_type(const UsdtArgument& a) {
  std::string t = a.is_signed ? "int" : "uint";
  t += std::to_string(a.size * 8);
  return t;
}

}  // namespace ms
