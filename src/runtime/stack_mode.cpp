#include "runtime/stack_mode.h"

#include "runtime/symbolizer.h"

namespace ms::runtime {

AutoStackChoice choose_auto_stack_mode(const std::string& exe) {
  if (exe.empty()) return {true, "no program to check for frame pointers"};
  auto base = exe.substr(exe.rfind('/') + 1);
  auto table = ElfSymbolTable::load(exe);
  auto fp = table ? table->has_frame_pointers() : std::nullopt;
  if (!fp) return {true, "cannot tell whether " + base + " has frame pointers"};
  if (!*fp) return {true, base + " has no frame pointers"};
  return {false, base + " has frame pointers"};
}

}  // namespace ms::runtime
