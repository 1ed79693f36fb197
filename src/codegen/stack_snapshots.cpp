// ustack(dwarf[, N]): a snapshot of the user registers and stack, unwound in
// user space with the modules' call-frame information (manifest.h has the
// event layout, docs/stacks.md the design).
//
// Why not unwind here: code built without frame pointers (most distribution
// binaries) can only be walked with its CFI, which lives in the files, not in
// the kernel. Copying the stack is what perf --call-graph dwarf does; the
// runtime then unwinds each snapshot once, as it arrives.
//
// The record is reserved in the ring buffer and filled in place (8 KiB does
// not fit the BPF stack). bpf_probe_read_user fails whole when any byte
// faults, and the stack mapping may end less than the snapshot size above sp
// (the main thread's stack tops out just above argv and the environment), so
// the copy goes in kSnapshotChunk pieces and stops at the first that faults;
// the record says how much was copied.
#include "codegen/codegen_impl.h"

namespace ms::codegen_detail {

namespace {

enum : int {
  kRingbufReserve = 131,
  kRingbufSubmit = 132,
};

constexpr uint64_t kMapTypeArray = 2;

// struct pt_regs offsets on x86-64, in DWARF register order (rax rdx rcx rbx
// rsi rdi rbp rsp r8..r15 rip).
constexpr uint32_t kDwarfRegOffsets[manifest::kSnapshotRegs] = {80, 96, 88, 40, 104, 112, 32, 152, 72,
                                                                 64, 56, 48, 24, 16,  8,   0,  128};
constexpr uint32_t kRegsSp = 152;

}  // namespace

Value Codegen::gen_stack_snapshot(const Type& t, const Location& loc) {
  define_stack_maps();  // the error counters (SnapshotDropped)
  auto* i64 = b_->getInt64Ty();
  if (!snapshot_seq_) {
    manifest_.stack_snapshot_seq_elf_name = "stack_snapshot_seq";
    snapshot_seq_ = define_map_global(manifest_.stack_snapshot_seq_elf_name, 0,
                                      {{"type", kMapTypeArray}, {"max_entries", 1}, {"key_size", 4}, {"value_size", 8}});
    manifest::EventDesc desc;
    desc.id = static_cast<uint32_t>(manifest_.events.size());
    desc.kind = manifest::EventKind::StackSnapshot;
    desc.line = loc.line;
    manifest_.stack_snapshot_bytes = options_.stack_snapshot_bytes;
    desc.size = manifest::kSnapshotStackOffset + manifest_.stack_snapshot_bytes;
    manifest_.stack_snapshot_event = static_cast<int>(desc.id);
    manifest_.events.push_back(std::move(desc));
  }
  const uint32_t bytes = manifest_.stack_snapshot_bytes;
  const uint32_t size = manifest::kSnapshotStackOffset + bytes;

  auto* done_bb = llvm::BasicBlock::Create(*llvm_, "snap_done", fn_);
  llvm::SmallVector<std::pair<llvm::Value*, llvm::BasicBlock*>, 4> results;

  // The id first: a dropped snapshot still consumes one, which is harmless.
  auto* key = stack_buffer(4, loc, "snap_key");
  b_->CreateAlignedStore(b_->getInt32(0), key, llvm::Align(8));
  llvm::Value* counter = map_lookup(snapshot_seq_, key);
  auto* have_bb = llvm::BasicBlock::Create(*llvm_, "snap_seq", fn_);
  results.push_back({b_->getInt64(0), b_->GetInsertBlock()});
  b_->CreateCondBr(b_->CreateIsNull(counter), done_bb, have_bb);
  b_->SetInsertPoint(have_bb);
  llvm::Value* seq = b_->CreateAtomicRMW(llvm::AtomicRMWInst::Add, counter, b_->getInt64(1), llvm::MaybeAlign(8),
                                         llvm::AtomicOrdering::Monotonic);
  llvm::Value* id = b_->CreateOr(b_->CreateAnd(b_->CreateAdd(seq, b_->getInt64(1)),
                                               b_->getInt64(manifest::kStackSnapshotTag - 1)),
                                 b_->getInt64(manifest::kStackSnapshotTag), "snapshot_id");

  llvm::Value* rec = call_helper(kRingbufReserve, b_->getPtrTy(), {ringbuf_, b_->getInt64(size), b_->getInt64(0)},
                                 "snapshot");
  auto* fill_bb = llvm::BasicBlock::Create(*llvm_, "snap_fill", fn_);
  auto* dropped_bb = llvm::BasicBlock::Create(*llvm_, "snap_dropped", fn_);
  b_->CreateCondBr(b_->CreateIsNull(rec), dropped_bb, fill_bb);
  b_->SetInsertPoint(dropped_bb);
  count_stack_error(manifest::StackError::SnapshotDropped);
  results.push_back({b_->getInt64(0), b_->GetInsertBlock()});
  b_->CreateBr(done_bb);

  b_->SetInsertPoint(fill_bb);
  auto store = [&](llvm::Value* v, uint32_t off) { b_->CreateAlignedStore(v, byte_ptr(rec, off), llvm::Align(8)); };
  store(b_->getInt64(static_cast<uint64_t>(manifest_.stack_snapshot_event)), 0);
  store(id, manifest::kSnapshotIdOffset);
  store(b_->CreateLShr(call_helper(kGetCurrentPidTgid, i64, {}, "pid_tgid"), 32), manifest::kSnapshotPidOffset);
  for (uint32_t r = 0; r < manifest::kSnapshotRegs; ++r)
    store(load_ctx_u64(kDwarfRegOffsets[r]), manifest::kSnapshotRegsOffset + r * 8);
  llvm::Value* sp = load_ctx_u64(kRegsSp);

  // Chunk i is read only if chunks 0..i-1 were; the first that faults ends
  // the copy with i chunks.
  auto* submit_bb = llvm::BasicBlock::Create(*llvm_, "snap_submit", fn_);
  llvm::SmallVector<std::pair<llvm::Value*, llvm::BasicBlock*>, 32> lengths;
  const uint32_t chunks = bytes / manifest::kSnapshotChunk;
  for (uint32_t i = 0; i < chunks; ++i) {
    const uint32_t off = i * manifest::kSnapshotChunk;
    llvm::Value* rc = call_helper(kProbeReadUser, i64,
                                  {byte_ptr(rec, manifest::kSnapshotStackOffset + off),
                                   b_->getInt32(manifest::kSnapshotChunk), b_->CreateAdd(sp, b_->getInt64(off))},
                                  "snap_read");
    auto* next_bb = llvm::BasicBlock::Create(*llvm_, "snap_chunk", fn_);
    lengths.push_back({b_->getInt64(off), b_->GetInsertBlock()});
    b_->CreateCondBr(b_->CreateICmpNE(rc, b_->getInt64(0)), submit_bb, next_bb);
    b_->SetInsertPoint(next_bb);
  }
  lengths.push_back({b_->getInt64(chunks * manifest::kSnapshotChunk), b_->GetInsertBlock()});
  b_->CreateBr(submit_bb);

  b_->SetInsertPoint(submit_bb);
  auto* len = b_->CreatePHI(i64, static_cast<unsigned>(lengths.size()), "snap_len");
  for (auto& [v, bb] : lengths) len->addIncoming(v, bb);
  store(len, manifest::kSnapshotLengthOffset);
  call_helper(kRingbufSubmit, b_->getVoidTy(), {rec, b_->getInt64(0)});
  results.push_back({id, b_->GetInsertBlock()});
  b_->CreateBr(done_bb);

  b_->SetInsertPoint(done_bb);
  auto* phi = b_->CreatePHI(i64, static_cast<unsigned>(results.size()), "ustack_dwarf");
  for (auto& [v, bb] : results) phi->addIncoming(v, bb);
  return {phi, t};
}

Value Codegen::gen_stack_auto(const Type& t, const Location& loc) {
  if (!stack_auto_) {
    manifest_.stack_auto_elf_name = "stack_auto";
    stack_auto_ = define_map_global(manifest_.stack_auto_elf_name, 0,
                                    {{"type", kMapTypeArray}, {"max_entries", 1}, {"key_size", 4}, {"value_size", 8}});
  }
  auto* i64 = b_->getInt64Ty();
  auto* key = stack_buffer(4, loc, "auto_key");
  b_->CreateAlignedStore(b_->getInt32(0), key, llvm::Align(8));
  llvm::Value* flag = map_lookup(stack_auto_, key);
  auto* read_bb = llvm::BasicBlock::Create(*llvm_, "auto_read", fn_);
  auto* dwarf_bb = llvm::BasicBlock::Create(*llvm_, "auto_dwarf", fn_);
  auto* fp_bb = llvm::BasicBlock::Create(*llvm_, "auto_fp", fn_);
  auto* done_bb = llvm::BasicBlock::Create(*llvm_, "auto_done", fn_);
  b_->CreateCondBr(b_->CreateIsNull(flag), fp_bb, read_bb);
  b_->SetInsertPoint(read_bb);
  llvm::Value* on = b_->CreateAlignedLoad(i64, flag, llvm::Align(8), "auto_dwarf");
  b_->CreateCondBr(b_->CreateICmpNE(on, b_->getInt64(0)), dwarf_bb, fp_bb);
  b_->SetInsertPoint(dwarf_bb);
  Value d = gen_stack_snapshot(t, loc);
  auto* dwarf_end = b_->GetInsertBlock();
  b_->CreateBr(done_bb);
  b_->SetInsertPoint(fp_bb);
  Value f = gen_stack(t, loc);
  auto* fp_end = b_->GetInsertBlock();
  b_->CreateBr(done_bb);
  b_->SetInsertPoint(done_bb);
  auto* phi = b_->CreatePHI(i64, 2, "ustack_auto");
  phi->addIncoming(d.v, dwarf_end);
  phi->addIncoming(f.v, fp_end);
  return {phi, t};
}

}  // namespace ms::codegen_detail
