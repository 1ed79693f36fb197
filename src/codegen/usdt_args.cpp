// argN in usdt probes: read where the probe's location spec says (a register
// of pt_regs, memory at base register + displacement, or a constant), at the
// spec's width, then sign- or zero-extended to 64 bits.
#include "codegen/codegen_impl.h"

namespace ms::codegen_detail {

Value Codegen::gen_usdt_arg(uint32_t index, const Location& loc, const Type& t) {
  auto* i64 = b_->getInt64Ty();
  if (!usdt_location_ || !usdt_probe_) {
    internal_error(loc, "usdt argument outside a usdt probe");
    return {b_->getInt64(0), t};
  }
  const auto& args = usdt_location_->args;
  if (index >= args.size()) {
    error(loc,
          "USDT probe " + usdt_probe_->provider + ":" + usdt_probe_->name + " has " + std::to_string(args.size()) +
              " argument" + (args.size() == 1 ? "" : "s") + ": arg" + std::to_string(index) + " does not exist",
          args.empty() ? "" : "use arg0 to arg" + std::to_string(args.size() - 1));
    return {b_->getInt64(0), t};
  }
  const UsdtArgument& a = args[index];
  const std::string name = "arg" + std::to_string(index);
  llvm::Value* raw = nullptr;
  switch (a.kind) {
    case UsdtArgKind::Constant:
      raw = b_->getInt64(static_cast<uint64_t>(a.constant));
      break;
    case UsdtArgKind::Register: {
      auto off = pt_regs_offset(a.base_register);
      if (!off) {
        internal_error(loc, "unknown register " + a.base_register);
        return {b_->getInt64(0), t};
      }
      raw = load_ctx_u64(*off);
      break;
    }
    case UsdtArgKind::Memory: {
      if (!a.symbol.empty()) {
        error(loc,
              "USDT probe " + usdt_probe_->provider + ":" + usdt_probe_->name + " " + name + " is at " + describe(a) +
                  ", a symbol-relative address memscript cannot read yet");
        return {b_->getInt64(0), t};
      }
      auto base = pt_regs_offset(a.base_register);
      auto index_reg = a.index_register.empty() ? std::optional<uint32_t>(0) : pt_regs_offset(a.index_register);
      if (!base || !index_reg) {
        internal_error(loc, "unknown register in " + describe(a));
        return {b_->getInt64(0), t};
      }
      llvm::Value* addr = b_->CreateAdd(load_ctx_u64(*base), b_->getInt64(static_cast<uint64_t>(a.offset)));
      if (!a.index_register.empty())
        addr = b_->CreateAdd(addr, b_->CreateMul(load_ctx_u64(*index_reg), b_->getInt64(static_cast<uint64_t>(a.scale))));
      auto* slot = stack_buffer(8, loc, name);
      b_->CreateAlignedStore(b_->getInt64(0), slot, llvm::Align(8));
      // A failed read leaves 0, like bpftrace.
      call_helper(kProbeReadUser, i64, {slot, b_->getInt32(a.size), b_->CreateIntToPtr(addr, b_->getPtrTy())});
      raw = b_->CreateAlignedLoad(i64, slot, llvm::Align(8), name);
      break;
    }
  }
  if (a.size < 8) {
    llvm::Value* narrow = b_->CreateTrunc(raw, b_->getIntNTy(a.size * 8));
    raw = a.is_signed ? b_->CreateSExt(narrow, i64) : b_->CreateZExt(narrow, i64);
  }
  return {raw, t};
}

}  // namespace ms::codegen_detail
