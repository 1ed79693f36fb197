// BPF helper calls, stack buffers and the small memory idioms the verifier
// accepts (zeroed, 8-byte aligned stack; constant-offset context loads).
#include <llvm/IR/DebugInfoMetadata.h>

#include "codegen/codegen_impl.h"

namespace ms::codegen_detail {

llvm::Value* Codegen::call_helper(int id, llvm::Type* ret, llvm::ArrayRef<llvm::Value*> args,
                                  const llvm::Twine& name) {
  // Like bpftrace: the callee is the helper number cast to a pointer; the BPF
  // backend turns a call to a constant address into `call <id>`.
  llvm::SmallVector<llvm::Type*, 5> arg_types;
  for (auto* a : args) arg_types.push_back(a->getType());
  auto* fty = llvm::FunctionType::get(ret, arg_types, false);
  auto* callee = llvm::ConstantExpr::getIntToPtr(b_->getInt64(id), b_->getPtrTy());
  return b_->CreateCall(fty, callee, args, name);
}

llvm::AllocaInst* Codegen::stack_buffer(uint32_t size, const Location& loc, const llvm::Twine& name) {
  uint32_t bytes = align8(size == 0 ? 8 : size);
  if (bytes > kBpfStackLimit) {
    error(loc,
          "this value needs " + std::to_string(bytes) + " bytes of BPF stack, more than the " +
              std::to_string(kBpfStackLimit) + "-byte limit",
          "use shorter strings or fewer arguments");
    bytes = 8;  // keep generating so further errors are found; the result is discarded
  }
  stack_bytes_ += bytes;
  // Allocas only in the entry block: anywhere else LLVM treats them as dynamic.
  llvm::IRBuilder<> eb(entry_);
  eb.SetCurrentDebugLocation(b_->getCurrentDebugLocation());
  auto* a = eb.CreateAlloca(llvm::ArrayType::get(eb.getInt8Ty(), bytes), nullptr, name);
  a->setAlignment(llvm::Align(8));
  return a;
}

void Codegen::zero_fill(llvm::Value* ptr, uint32_t size) {
  b_->CreateMemSet(ptr, b_->getInt8(0), align8(size), llvm::MaybeAlign(8));
}

void Codegen::copy_bytes(llvm::Value* dst, llvm::Value* src, uint32_t size) {
  if (size == 0) return;
  b_->CreateMemCpy(dst, llvm::MaybeAlign(8), src, llvm::MaybeAlign(8), size);
}

llvm::Value* Codegen::byte_ptr(llvm::Value* base, uint32_t offset) {
  if (offset == 0) return base;
  return b_->CreateConstInBoundsGEP1_64(b_->getInt8Ty(), base, offset);
}

llvm::Value* Codegen::load_ctx_u64(uint32_t offset) {
  // Volatile: keeps the optimiser from merging loads of different registers
  // through a select of pointers, which the verifier rejects as a modified
  // context pointer.
  auto* load = b_->CreateAlignedLoad(b_->getInt64Ty(), byte_ptr(ctx_arg_, offset), llvm::Align(8), true);
  return load;
}

void Codegen::increment_counter(llvm::GlobalVariable* percpu_array, llvm::Value* key) {
  llvm::Value* p = map_lookup(percpu_array, key);
  auto* have = llvm::BasicBlock::Create(*llvm_, "counter_have", fn_);
  auto* done = llvm::BasicBlock::Create(*llvm_, "counter_done", fn_);
  b_->CreateCondBr(b_->CreateIsNull(p), done, have);
  b_->SetInsertPoint(have);
  // Per-CPU slot: a plain increment is enough.
  llvm::Value* old = b_->CreateAlignedLoad(b_->getInt64Ty(), p, llvm::Align(8));
  b_->CreateAlignedStore(b_->CreateAdd(old, b_->getInt64(1)), p, llvm::Align(8));
  b_->CreateBr(done);
  b_->SetInsertPoint(done);
}

llvm::Value* Codegen::map_lookup(llvm::GlobalVariable* map, llvm::Value* key) {
  return call_helper(kMapLookupElem, b_->getPtrTy(), {map, key}, "lookup");
}

void Codegen::set_loc(const Location& loc) {
  if (!sp_) return;
  b_->SetCurrentDebugLocation(llvm::DILocation::get(*llvm_, static_cast<unsigned>(loc.line),
                                                    static_cast<unsigned>(loc.column), sp_));
}

void Codegen::store_value(llvm::Value* dst, const Value& val, const Type& dst_type) {
  if (val.type.kind == TypeKind::Tuple && dst_type.kind == TypeKind::Tuple && !(val.type == dst_type)) {
    for (size_t i = 0; i < val.type.elements.size() && i < dst_type.elements.size(); ++i)
      store_value(byte_ptr(dst, dst_type.element_offset(i)), tuple_field(val, i), dst_type.elements[i]);
    return;
  }
  store_field(dst, val, field_size(dst_type));
}

void Codegen::store_field(llvm::Value* dst, const Value& val, uint32_t size) {
  if (is_bytes(val.type)) {
    copy_bytes(dst, val.v, std::min(size, val.type.size));
    return;
  }
  b_->CreateAlignedStore(val.v, dst, llvm::Align(8));
  if (val.type.kind == TypeKind::USym && size >= 16) {
    // The process whose mappings resolve the address: the current one.
    llvm::Value* pid = b_->CreateLShr(call_helper(kGetCurrentPidTgid, b_->getInt64Ty(), {}, "pid_tgid"), 32);
    b_->CreateAlignedStore(pid, byte_ptr(dst, 8), llvm::Align(8));
  }
}

}  // namespace ms::codegen_detail
