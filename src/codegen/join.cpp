// join(arr[, sep]): the strings of a NULL-terminated char* array (argv), read
// in BPF straight into a ring-buffer record and joined in user space, as
// bpftrace 0.17 does (at most kJoinElements strings of kJoinElementSize bytes).
#include "codegen/codegen_impl.h"

namespace ms::codegen_detail {

namespace {

enum : int {
  kRingbufReserve = 131,
  kRingbufSubmit = 132,
};

}  // namespace

void Codegen::gen_join(const ast::Call& c) {
  if (c.args.empty() || c.args.size() > 2) {
    internal_error(c.loc, "join() takes one or two arguments");
    return;
  }
  // Event: [id][u64 count][kJoinElements slots of kJoinElementSize bytes]. 16 KiB
  // does not fit the BPF stack, so the record is reserved in the ring buffer
  // and filled in place; a full ring buffer drops it, like any event.
  manifest::EventDesc desc;
  desc.kind = manifest::EventKind::Join;
  desc.format = c.args.size() == 2 ? static_cast<const ast::String&>(*c.args[1]).value : " ";
  manifest::Field count;
  count.offset = 8;
  count.is_signed = false;
  desc.args.push_back(count);
  for (uint32_t i = 0; i < manifest::kJoinElements; ++i) {
    manifest::Field s;
    s.kind = manifest::FieldKind::String;
    s.offset = 16 + i * manifest::kJoinElementSize;
    s.size = manifest::kJoinElementSize;
    s.is_signed = false;
    desc.args.push_back(s);
  }
  desc.size = 16 + manifest::kJoinElements * manifest::kJoinElementSize;
  const uint32_t size = desc.size;
  const int id = event_for(c, std::move(desc));

  auto* i64 = b_->getInt64Ty();
  llvm::Value* arr = gen_int(*c.args[0]);
  llvm::Value* rec = call_helper(kRingbufReserve, b_->getPtrTy(), {ringbuf_, b_->getInt64(size), b_->getInt64(0)}, "join");
  auto* fill_bb = llvm::BasicBlock::Create(*llvm_, "join_fill", fn_);
  auto* done_bb = llvm::BasicBlock::Create(*llvm_, "join_done", fn_);
  auto* lost_bb = llvm::BasicBlock::Create(*llvm_, "join_lost", fn_);
  b_->CreateCondBr(b_->CreateIsNull(rec), lost_bb, fill_bb);
  b_->SetInsertPoint(lost_bb);
  count_lost_event(b_->getTrue(), static_cast<uint32_t>(id));
  b_->CreateBr(done_bb);

  b_->SetInsertPoint(fill_bb);
  b_->CreateAlignedStore(b_->getInt64(static_cast<uint64_t>(id)), rec, llvm::Align(8));
  b_->CreateAlignedStore(b_->getInt64(0), byte_ptr(rec, 8), llvm::Align(8));
  auto* elem = stack_buffer(8, c.loc, "join_elem");
  auto* submit_bb = llvm::BasicBlock::Create(*llvm_, "join_submit", fn_);
  for (uint32_t i = 0; i < manifest::kJoinElements; ++i) {
    // arr[i]; a NULL pointer (or a failed read, which leaves 0) ends the array.
    b_->CreateAlignedStore(b_->getInt64(0), elem, llvm::Align(8));
    call_helper(kProbeReadUser, i64, {elem, b_->getInt32(8), b_->CreateAdd(arr, b_->getInt64(8ull * i))});
    llvm::Value* p = b_->CreateAlignedLoad(i64, elem, llvm::Align(8), "join_ptr");
    auto* read_bb = llvm::BasicBlock::Create(*llvm_, "join_read", fn_);
    b_->CreateCondBr(b_->CreateICmpEQ(p, b_->getInt64(0)), submit_bb, read_bb);
    b_->SetInsertPoint(read_bb);
    call_helper(kProbeReadUserStr, i64,
                {byte_ptr(rec, 16 + i * manifest::kJoinElementSize), b_->getInt32(manifest::kJoinElementSize), p});
    b_->CreateAlignedStore(b_->getInt64(i + 1), byte_ptr(rec, 8), llvm::Align(8));
  }
  b_->CreateBr(submit_bb);
  b_->SetInsertPoint(submit_bb);
  call_helper(kRingbufSubmit, b_->getVoidTy(), {rec, b_->getInt64(0)});
  b_->CreateBr(done_bb);
  b_->SetInsertPoint(done_bb);
}

}  // namespace ms::codegen_detail
