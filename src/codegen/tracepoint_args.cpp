// `args.FIELD` in tracepoint probes: reads from the tracepoint's record, which
// is the program's context, at the offset its tracefs format gives.
#include "codegen/codegen_impl.h"

namespace ms::codegen_detail {

Value Codegen::gen_tracepoint_field(const ast::FieldAccess& f, const Type& t) {
  if (!attach_ || attach_->type != manifest::ProbeType::Tracepoint) {
    internal_error(f.loc, "args outside a tracepoint probe");
    return {b_->getInt64(0), Type::integer()};
  }
  auto fmt = info_.tracepoint_formats.find(attach_->target + ":" + attach_->func);
  const TracepointField* field = fmt == info_.tracepoint_formats.end() ? nullptr : fmt->second.find(f.field);
  if (!field) {
    internal_error(f.loc, "no format for args." + f.field);
    return {b_->getInt64(0), Type::integer()};
  }
  auto* i64 = b_->getInt64Ty();
  switch (field->kind) {
    case TracepointFieldKind::Integer: {
      // The verifier allows narrow, aligned context loads in tracepoint programs.
      auto* ty = b_->getIntNTy(field->size * 8);
      auto* load = b_->CreateAlignedLoad(ty, byte_ptr(ctx_arg_, field->offset), llvm::Align(field->size), true,
                                         "args." + f.field);
      llvm::Value* v = field->size == 8 ? static_cast<llvm::Value*>(load)
                       : field->is_signed ? b_->CreateSExt(load, i64)
                                          : b_->CreateZExt(load, i64);
      return {v, t};
    }
    case TracepointFieldKind::CharArray: {
      auto* buf = stack_buffer(t.size, f.loc, "args." + f.field);
      zero_fill(buf, t.size);
      // A helper reads the bytes: a copy by loads would be one load per byte.
      auto* src = b_->CreateGEP(b_->getInt8Ty(), ctx_arg_, b_->getInt64(field->offset));
      call_helper(kProbeReadKernel, i64, {buf, b_->getInt32(std::min(field->size, t.size)), src});
      return {buf, t};
    }
    case TracepointFieldKind::DataLocString: {
      // A u32: the string's offset in the record (low 16 bits) and its length.
      auto* loc = b_->CreateAlignedLoad(b_->getInt32Ty(), byte_ptr(ctx_arg_, field->offset), llvm::Align(4), true,
                                        "args." + f.field + ".loc");
      auto* off = b_->CreateZExt(b_->CreateAnd(loc, 0xffff), i64);
      auto* src = b_->CreateGEP(b_->getInt8Ty(), ctx_arg_, off);
      auto* buf = stack_buffer(t.size, f.loc, "args." + f.field);
      zero_fill(buf, t.size);
      call_helper(kProbeReadKernelStr, i64, {buf, b_->getInt32(t.size), src});
      return {buf, t};
    }
  }
  return {b_->getInt64(0), t};
}

}  // namespace ms::codegen_detail
