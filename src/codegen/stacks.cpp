// Stack capture: ustack / kstack into the stack store (see manifest.h).
//
// Why not a BPF_MAP_TYPE_STACK_TRACE: its buckets are indexed by a 32-bit hash
// modulo the map size, so distinct stacks collide often (2,000 stacks in a
// 4,096-bucket map lose hundreds), and with BPF_F_REUSE_STACKID a collision
// silently replaces the older stack. It also cannot add the caller frame an
// entry uprobe misses. Here a stack is captured with bpf_get_stack into a
// per-CPU scratch record, identified by a 64-bit hash of the whole record,
// and stored by value with BPF_NOEXIST. When the id is already present the
// stored record is compared word by word: equal means the same stack; a
// difference is a real 64-bit collision, counted, never merged. Every stack
// that cannot be recorded (fault, store full, collision) is counted in the
// error map, which the runtime reports at exit.
//
// The hash and the comparison are straight-line code (no loops): at most
// kStackScanWord words each, which keeps the verifier's work trivial.
//
// User stacks in uprobes, uretprobes and USDT probes (ctx is the user's
// registers) are walked here, not by bpf_get_stack: the kernel's walk reads
// frames until a read faults, and the outermost saved rbp is 0 in threads
// (and often in main), so nearly every capture ended in a page fault of
// ~0.5 µs, a third of a memleak.ms malloc probe (docs/benchmarks.md). This
// walk stops at a null frame pointer or one that does not grow (frames go up
// the stack; the kernel's own unwind_user requires the same) and yields the
// same frames otherwise: ip, then each frame's return address.
#include <algorithm>
#include <functional>

#include "codegen/codegen_impl.h"

namespace ms::codegen_detail {

namespace {

constexpr uint64_t kMapTypeHash = 1;
constexpr uint64_t kMapTypePercpuArray = 6;
constexpr uint64_t kBpfFNoPrealloc = 1;
constexpr uint64_t kBpfFUserStack = 1ull << 8;
constexpr int64_t kEExist = 17;
// struct pt_regs on x86-64.
constexpr uint32_t kRegsBp = 32;
constexpr uint32_t kRegsIp = 128;
constexpr uint32_t kRegsSp = 152;
// The BPF-side walk's state (emit_frame_pointer_walk).
constexpr uint32_t kWalkFp = 0;      // the next frame pointer to read
constexpr uint32_t kWalkRecord = 8;  // the stack record (a map value pointer)
constexpr uint32_t kWalkBytes = 16;
// In the record: frames stored so far; 0: a trampoline was seen.
constexpr uint32_t kWalkFrames = manifest::kStackRecordWords * 8;

}  // namespace

void Codegen::define_stack_maps() {
  if (stacks_) return;
  const uint32_t record = manifest::kStackRecordWords * 8;
  manifest_.stacks_elf_name = "stacks";
  manifest_.stack_scratch_elf_name = "stack_scratch";
  manifest_.stack_errors_elf_name = "stack_errors";
  manifest_.stack_map_entries = options_.stack_map_entries;
  // No preallocation: a record is ~1 KiB and most stores stay far from full.
  stacks_ = define_map_global(manifest_.stacks_elf_name, 0,
                              {{"type", kMapTypeHash},
                               {"max_entries", options_.stack_map_entries},
                               {"map_flags", kBpfFNoPrealloc},
                               {"key_size", 8},
                               {"value_size", record}});
  // One word past the record: the frame count of the BPF-side walk (see
  // emit_frame_pointer_walk).
  stack_scratch_ = define_map_global(manifest_.stack_scratch_elf_name, 0,
                                     {{"type", kMapTypePercpuArray}, {"max_entries", 1}, {"key_size", 4},
                                      {"value_size", record + 8}});
  stack_errors_ = define_map_global(
      manifest_.stack_errors_elf_name, 0,
      {{"type", kMapTypePercpuArray},
       {"max_entries", static_cast<uint64_t>(manifest::StackError::Count)},
       {"key_size", 4},
       {"value_size", 8}});
}

void Codegen::count_stack_error(manifest::StackError why) {
  auto* key = stack_buffer(4, {}, "stack_err_key");
  b_->CreateAlignedStore(b_->getInt32(static_cast<uint32_t>(why)), key, llvm::Align(8));
  increment_counter(stack_errors_, key);
}

Value Codegen::gen_stack(const Type& t, const Location& loc) {
  define_stack_maps();
  StackCaptureKind kind;
  kind.kernel = t.kind == TypeKind::KStack;
  kind.limit = std::clamp<uint32_t>(t.stack_limit ? t.stack_limit : kDefaultStackFrames, 1, manifest::kStackMaxFrames);
  kind.entry_caller = !kind.kernel && attach_->type == manifest::ProbeType::Uprobe;
  // The agent (--in-process) has its own walk behind bpf_get_stack.
  const auto type = attach_->type;
  kind.fp_walk = !kind.kernel && options_.bpf_stack_walk && !options_.in_process &&
                 (type == manifest::ProbeType::Uprobe || type == manifest::ProbeType::Uretprobe ||
                  type == manifest::ProbeType::Usdt);
  llvm::Function* f = stack_capture_function(kind);
  // The verifier limits the stack of a call chain as a whole: the capture's
  // own frame is kept to a few slots (four 8-byte values).
  return {b_->CreateCall(f, {ctx_arg_}, "stack"), t};
}

// Every ustack/kstack of one kind (user or kernel, frame limit, entry-probe
// caller) calls one BPF subprogram: libbpf copies it into each program that
// uses it. Inlined, the capture is ~1,000 IR instructions per site and
// memleak.ms (a dozen sites) spent over a second in LLVM compiling copies.
llvm::Function* Codegen::stack_capture_function(const StackCaptureKind& kind) {
  const std::string name = std::string("ms_stack_") + (kind.kernel ? "k" : "u") + std::to_string(kind.limit) +
                           (kind.entry_caller ? "_entry" : "") + (kind.fp_walk ? "_fp" : "");
  if (auto* f = module_->getFunction(name)) return f;
  auto* ptr_di = di_->createPointerType(nullptr, 64);
  return define_subprogram(name, {b_->getPtrTy()}, {{"ctx", ptr_di}},
                           [&](llvm::Function* f) { return emit_stack_capture(kind, Location{}); });
}

// An internal BPF subprogram returning long, with the BTF func info the
// verifier wants for every subprogram. `body` emits its code with the
// per-function state of its own (allocas, error key, ...) and returns the
// result; the caller's state is restored after. ctx_arg_ is the first argument.
llvm::Function* Codegen::define_subprogram(const std::string& name, llvm::ArrayRef<llvm::Type*> params,
                                           llvm::ArrayRef<std::pair<const char*, llvm::DIType*>> di_params,
                                           const std::function<llvm::Value*(llvm::Function*)>& body) {
  auto* i64 = b_->getInt64Ty();
  auto* fty = llvm::FunctionType::get(i64, params, false);
  auto* f = llvm::Function::Create(fty, llvm::GlobalValue::InternalLinkage, name, *module_);
  f->addFnAttr(llvm::Attribute::NoUnwind);
  f->addFnAttr(llvm::Attribute::NoInline);
  auto* long_ty = di_->createBasicType("long", 64, llvm::dwarf::DW_ATE_signed);
  llvm::SmallVector<llvm::Metadata*, 4> sig{long_ty};
  for (const auto& [pname, ty] : di_params) sig.push_back(ty);
  auto* sub_ty = di_->createSubroutineType(di_->getOrCreateTypeArray(sig));
  auto* sp = di_->createFunction(file_, name, name, file_, 0, sub_ty, 0, llvm::DINode::FlagPrototyped,
                                 llvm::DISubprogram::SPFlagDefinition | llvm::DISubprogram::SPFlagOptimized |
                                     llvm::DISubprogram::SPFlagLocalToUnit);
  f->setSubprogram(sp);
  for (unsigned i = 0; i < di_params.size(); ++i) {
    di_->createParameterVariable(sp, di_params[i].first, i + 1, file_, 0, di_params[i].second, /*AlwaysPreserve=*/true);
    f->getArg(i)->setName(di_params[i].first);
  }

  auto* saved_fn = fn_;
  auto* saved_ctx = ctx_arg_;
  auto* saved_sp = sp_;
  auto* saved_entry = entry_;
  auto* saved_err_key = map_err_key_;
  const uint32_t saved_bytes = stack_bytes_;
  llvm::IRBuilderBase::InsertPointGuard guard(*b_);
  fn_ = f;
  ctx_arg_ = f->getArg(0);
  sp_ = sp;
  map_err_key_ = nullptr;
  stack_bytes_ = 0;
  entry_ = llvm::BasicBlock::Create(*llvm_, "entry", f);
  auto* first = llvm::BasicBlock::Create(*llvm_, "body", f);
  b_->SetInsertPoint(first);
  b_->SetCurrentDebugLocation(llvm::DILocation::get(*llvm_, 0, 0, sp));
  b_->CreateRet(body(f));
  llvm::IRBuilder<> eb(entry_);
  eb.SetCurrentDebugLocation(llvm::DILocation::get(*llvm_, 0, 0, sp));
  eb.CreateBr(first);

  fn_ = saved_fn;
  ctx_arg_ = saved_ctx;
  sp_ = saved_sp;
  entry_ = saved_entry;
  map_err_key_ = saved_err_key;
  stack_bytes_ = saved_bytes;
  return f;
}

llvm::Value* Codegen::emit_stack_capture(const StackCaptureKind& kind, const Location& loc) {
  auto* i64 = b_->getInt64Ty();
  const bool kernel = kind.kernel;
  const uint32_t limit = kind.limit;
  const uint32_t words = manifest::kStackHeaderWords + limit;  // what the record holds for this limit
  constexpr uint32_t kFrames = manifest::kStackHeaderWords * 8;  // byte offset of frame 0

  // Every path that cannot record the stack ends in `fail_bb` with id 0.
  auto* done_bb = llvm::BasicBlock::Create(*llvm_, "stack_done", fn_);
  llvm::SmallVector<std::pair<llvm::Value*, llvm::BasicBlock*>, 4> results;

  auto* zero_key = stack_buffer(4, loc, "stack_key");
  b_->CreateAlignedStore(b_->getInt32(0), zero_key, llvm::Align(8));
  llvm::Value* rec = map_lookup(stack_scratch_, zero_key);
  auto* have_bb = llvm::BasicBlock::Create(*llvm_, "stack_scratch", fn_);
  results.push_back({b_->getInt64(0), b_->GetInsertBlock()});
  b_->CreateCondBr(b_->CreateIsNull(rec), done_bb, have_bb);
  b_->SetInsertPoint(have_bb);

  auto word_ptr = [&](llvm::Value* base, uint32_t i) { return byte_ptr(base, i * 8); };
  auto load_word = [&](llvm::Value* base, uint32_t i) {
    return b_->CreateAlignedLoad(i64, word_ptr(base, i), llvm::Align(8));
  };
  auto store_word = [&](llvm::Value* v, llvm::Value* base, uint32_t i) {
    b_->CreateAlignedStore(v, word_ptr(base, i), llvm::Align(8));
  };

  // Header, and the frames past `limit` (stale from an earlier, deeper stack
  // on this CPU): bpf_get_stack zero-pads only up to the size it is given;
  // the BPF-side walk leaves every slot after its last frame as it was.
  llvm::Value* owner = kernel ? static_cast<llvm::Value*>(b_->getInt64(manifest::kKernelStackFlag))
                              : b_->CreateLShr(call_helper(kGetCurrentPidTgid, i64, {}, "pid_tgid"), 32);
  store_word(owner, rec, 0);
  store_word(b_->getInt64(0), rec, 1);
  const uint32_t dirty_from = kind.fp_walk ? 1 : limit;
  if (dirty_from < manifest::kStackMaxFrames)
    b_->CreateMemSet(byte_ptr(rec, kFrames + dirty_from * 8), b_->getInt8(0),
                     (manifest::kStackMaxFrames - dirty_from) * 8, llvm::MaybeAlign(8));

  auto* frames_slot = stack_buffer(8, loc, "stack_frames");
  // bpf_get_stack: the frames' bytes, or a fault (counted; no stack).
  auto kernel_walk = [&]() -> llvm::Value* {
    llvm::Value* got = call_helper(kGetStack, i64,
                                   {ctx_arg_, byte_ptr(rec, kFrames), b_->getInt64(limit * 8),
                                    b_->getInt64(kernel ? 0 : kBpfFUserStack)},
                                   "stack_len");
    auto* got_bb = llvm::BasicBlock::Create(*llvm_, "stack_got", fn_);
    auto* fault_bb = llvm::BasicBlock::Create(*llvm_, "stack_fault", fn_);
    b_->CreateCondBr(b_->CreateICmpSLT(got, b_->getInt64(0)), fault_bb, got_bb);
    b_->SetInsertPoint(fault_bb);
    count_stack_error(manifest::StackError::Fault);
    results.push_back({b_->getInt64(0), b_->GetInsertBlock()});
    b_->CreateBr(done_bb);
    b_->SetInsertPoint(got_bb);
    return got;
  };
  llvm::Value* frames = nullptr;  // how many frames the record holds
  if (kind.fp_walk) {
    // 0 frames: the walk met a pending uretprobe's trampoline, which only the
    // kernel's walk can replace with the real return address. Both ways
    // leave the count in the record's spare word (volatile, so the verifier
    // sees one unknown count after the join and checks what follows once).
    llvm::Value* walked = emit_frame_pointer_walk(rec, limit, loc);
    auto* kernel_bb = llvm::BasicBlock::Create(*llvm_, "stack_kernel_walk", fn_);
    auto* walked_bb = llvm::BasicBlock::Create(*llvm_, "stack_walked", fn_);
    b_->CreateCondBr(b_->CreateICmpEQ(walked, b_->getInt64(0)), kernel_bb, walked_bb);
    b_->SetInsertPoint(kernel_bb);
    llvm::Value* got = kernel_walk();
    b_->CreateAlignedStore(b_->CreateLShr(got, 3), byte_ptr(rec, kWalkFrames), llvm::Align(8), /*isVolatile=*/true);
    b_->CreateBr(walked_bb);
    b_->SetInsertPoint(walked_bb);
    frames = b_->CreateAlignedLoad(i64, byte_ptr(rec, kWalkFrames), llvm::Align(8), /*isVolatile=*/true, "frames");
  } else {
    frames = b_->CreateLShr(kernel_walk(), 3, "frames");
  }
  // How many frames the walk filled: the hash and the comparison stop there
  // instead of running over all `limit` slots (most stacks are short).
  b_->CreateAlignedStore(frames, frames_slot, llvm::Align(8));
  if (kind.entry_caller) {
    // At a function's first instruction the return address is at [sp] and
    // rbp is still the caller's, so the frame-pointer walk goes from the
    // probed function straight to the caller's caller. Kernels since 6.11
    // add the caller themselves when the probed instruction is `push %rbp`
    // or endbr64: then frame 1 already equals [sp] and nothing is added
    // (the BPF-side walk never adds it).
    // Also right for a probe moved past leading instructions that leave rsp
    // and rbp alone (probe_placement's `test` before `je`); a placement past
    // a push would need the push's size added to sp here.
    auto* ret_slot = stack_buffer(8, loc, "entry_ret");
    b_->CreateAlignedStore(b_->getInt64(0), ret_slot, llvm::Align(8));
    llvm::Value* sp = load_ctx_u64(kRegsSp);
    llvm::Value* rc = call_helper(kProbeReadUser, i64, {ret_slot, b_->getInt32(8), sp}, "read_ret");
    llvm::Value* ret = b_->CreateAlignedLoad(i64, ret_slot, llvm::Align(8), "entry_ret");
    llvm::Value* frame1 = load_word(rec, manifest::kStackHeaderWords + 1);
    llvm::Value* missing = b_->CreateAnd(b_->CreateICmpEQ(rc, b_->getInt64(0)),
                                         b_->CreateAnd(b_->CreateICmpNE(ret, b_->getInt64(0)),
                                                       b_->CreateICmpNE(frame1, ret)));
    auto* add_bb = llvm::BasicBlock::Create(*llvm_, "stack_add_caller", fn_);
    auto* added_bb = llvm::BasicBlock::Create(*llvm_, "stack_caller_done", fn_);
    b_->CreateCondBr(missing, add_bb, added_bb);
    b_->SetInsertPoint(add_bb);
    store_word(ret, rec, 1);
    // The words above it, for a caller without a frame pointer (see manifest.h).
    call_helper(kProbeReadUser, i64,
                {word_ptr(rec, manifest::kStackScanWord), b_->getInt32(manifest::kStackScanWords * 8),
                 b_->CreateAdd(sp, b_->getInt64(8))});
    // The caller takes one of the `limit` frames: drop the outermost one if
    // the walk filled them all, so equal printed stacks share one id.
    if (limit > 1) {
      auto* full_bb = llvm::BasicBlock::Create(*llvm_, "stack_full", fn_);
      b_->CreateCondBr(b_->CreateICmpUGE(frames, b_->getInt64(limit)), full_bb, added_bb);
      b_->SetInsertPoint(full_bb);
      store_word(b_->getInt64(0), rec, manifest::kStackHeaderWords + limit - 1);
      b_->CreateAlignedStore(b_->getInt64(limit - 1), frames_slot, llvm::Align(8));
    }
    b_->CreateBr(added_bb);
    b_->SetInsertPoint(added_bb);
  }

  // 64-bit id: each step h -> (h ^ w) * p is a bijection of h, so records that
  // differ in one word always differ in h; the frame count is mixed in, and
  // fmix64 spreads the bits. Straight-line code that leaves within 8 words of
  // the last filled frame: no loop for the verifier, little work for empty slots.
  llvm::Value* nframes = b_->CreateAlignedLoad(i64, frames_slot, llvm::Align(8), "nframes");
  llvm::Value* h = b_->getInt64(0xcbf29ce484222325ull);
  auto mix = [&](llvm::Value* acc, llvm::Value* w) {
    return b_->CreateMul(b_->CreateXor(acc, w), b_->getInt64(0x100000001b3ull));
  };
  // Runs `step` on words 0..words-1, leaving for `exit_bb` once the frames
  // end; `at_exit(i)` may add work on the exit edge of word i.
  constexpr uint32_t kExitStride = 8;
  auto bounded_words = [&](llvm::Value* init, const char* what,
                           const std::function<llvm::Value*(llvm::Value*, uint32_t)>& step,
                           const std::function<llvm::Value*(llvm::Value*, uint32_t)>& at_exit) {
    auto* exit_bb = llvm::BasicBlock::Create(*llvm_, std::string(what) + "_end", fn_);
    llvm::SmallVector<std::pair<llvm::Value*, llvm::BasicBlock*>, 16> outs;
    llvm::Value* acc = init;
    for (uint32_t i = 0; i < words; ++i) {
      // Every kExitStride frames: each exit is a verifier state to walk, so
      // a few, at the price of hashing up to kExitStride - 1 zero words.
      if (i > manifest::kStackHeaderWords && (i - manifest::kStackHeaderWords) % kExitStride == 0) {
        auto* more_bb = llvm::BasicBlock::Create(*llvm_, what, fn_);
        auto* stop_bb = llvm::BasicBlock::Create(*llvm_, std::string(what) + "_stop", fn_);
        b_->CreateCondBr(b_->CreateICmpULE(nframes, b_->getInt64(i - manifest::kStackHeaderWords)), stop_bb, more_bb);
        b_->SetInsertPoint(stop_bb);
        outs.push_back({at_exit(acc, i), b_->GetInsertBlock()});
        b_->CreateBr(exit_bb);
        b_->SetInsertPoint(more_bb);
      }
      acc = step(acc, i);
    }
    outs.push_back({acc, b_->GetInsertBlock()});
    b_->CreateBr(exit_bb);
    b_->SetInsertPoint(exit_bb);
    auto* phi = b_->CreatePHI(i64, static_cast<unsigned>(outs.size()), what);
    for (auto& [v, bb] : outs) phi->addIncoming(v, bb);
    return static_cast<llvm::Value*>(phi);
  };
  h = bounded_words(
      h, "stack_hash", [&](llvm::Value* acc, uint32_t i) { return mix(acc, load_word(rec, i)); },
      [](llvm::Value* acc, uint32_t) { return acc; });
  h = mix(h, nframes);
  h = b_->CreateXor(h, b_->CreateLShr(h, 33));
  h = b_->CreateMul(h, b_->getInt64(0xff51afd7ed558ccdull));
  h = b_->CreateXor(h, b_->CreateLShr(h, 33));
  h = b_->CreateMul(h, b_->getInt64(0xc4ceb9fe1a85ec53ull));
  h = b_->CreateXor(h, b_->CreateLShr(h, 33));
  // Never the snapshot tag (ustack(dwarf) ids carry it, see manifest.h).
  h = b_->CreateAnd(h, b_->getInt64(~manifest::kStackSnapshotTag));
  // 0 means "not recorded" in the script's maps.
  llvm::Value* id = b_->CreateSelect(b_->CreateICmpEQ(h, b_->getInt64(0)), b_->getInt64(1), h, "stack_id");
  auto* id_slot = stack_buffer(8, loc, "stack_id");
  b_->CreateAlignedStore(id, id_slot, llvm::Align(8));

  // Look up first: most stacks repeat, and a lookup takes no bucket lock
  // (an update that fails with EEXIST does).
  auto* compare_bb = llvm::BasicBlock::Create(*llvm_, "stack_compare", fn_);
  auto* collision_bb = llvm::BasicBlock::Create(*llvm_, "stack_collision", fn_);
  auto* same_bb = llvm::BasicBlock::Create(*llvm_, "stack_same", fn_);
  auto* put_bb = llvm::BasicBlock::Create(*llvm_, "stack_put", fn_);
  llvm::Value* known = map_lookup(stacks_, id_slot);
  auto* known_bb = b_->GetInsertBlock();
  b_->CreateCondBr(b_->CreateIsNull(known), put_bb, compare_bb);

  b_->SetInsertPoint(put_bb);
  llvm::Value* rc = call_helper(kMapUpdateElem, i64, {stacks_, id_slot, rec, b_->getInt64(kBpfNoExist)}, "stack_put");
  auto* stored_bb = llvm::BasicBlock::Create(*llvm_, "stack_stored", fn_);
  auto* not_stored_bb = llvm::BasicBlock::Create(*llvm_, "stack_not_stored", fn_);
  b_->CreateCondBr(b_->CreateICmpEQ(rc, b_->getInt64(0)), stored_bb, not_stored_bb);
  b_->SetInsertPoint(stored_bb);
  results.push_back({id, stored_bb});
  b_->CreateBr(done_bb);

  b_->SetInsertPoint(not_stored_bb);
  auto* exists_bb = llvm::BasicBlock::Create(*llvm_, "stack_exists", fn_);
  auto* full_bb = llvm::BasicBlock::Create(*llvm_, "stack_store_full", fn_);
  b_->CreateCondBr(b_->CreateICmpEQ(rc, b_->getInt64(static_cast<uint64_t>(-kEExist))), exists_bb, full_bb);
  b_->SetInsertPoint(full_bb);
  count_stack_error(manifest::StackError::MapFull);
  results.push_back({b_->getInt64(0), b_->GetInsertBlock()});
  b_->CreateBr(done_bb);

  // Another CPU stored this id between the lookup and the update.
  b_->SetInsertPoint(exists_bb);
  llvm::Value* raced = map_lookup(stacks_, id_slot);
  auto* raced_bb = b_->GetInsertBlock();
  b_->CreateCondBr(b_->CreateIsNull(raced), collision_bb, compare_bb);

  b_->SetInsertPoint(compare_bb);
  auto* old = b_->CreatePHI(b_->getPtrTy(), 2, "stored");
  old->addIncoming(known, known_bb);
  old->addIncoming(raced, raced_bb);
  // A stored record ends with its frames (zeros after them), so an equal one
  // has a zero where this one's frames end.
  llvm::Value* diff = bounded_words(
      b_->getInt64(0), "stack_cmp",
      [&](llvm::Value* acc, uint32_t i) { return b_->CreateOr(acc, b_->CreateXor(load_word(old, i), load_word(rec, i))); },
      [&](llvm::Value* acc, uint32_t i) { return b_->CreateOr(acc, load_word(old, i)); });
  if (words < manifest::kStackScanWord) diff = b_->CreateOr(diff, load_word(old, words));
  b_->CreateCondBr(b_->CreateICmpEQ(diff, b_->getInt64(0)), same_bb, collision_bb);
  b_->SetInsertPoint(same_bb);
  results.push_back({id, same_bb});
  b_->CreateBr(done_bb);
  b_->SetInsertPoint(collision_bb);
  count_stack_error(manifest::StackError::Collision);
  results.push_back({b_->getInt64(0), b_->GetInsertBlock()});
  b_->CreateBr(done_bb);

  b_->SetInsertPoint(done_bb);
  auto* phi = b_->CreatePHI(i64, static_cast<unsigned>(results.size()), "stack");
  for (auto& [v, bb] : results) phi->addIncoming(v, bb);
  return phi;
}

// The frame-pointer walk of a user stack into the record's frames: ip, then
// the return address of each frame up the rbp chain, until `limit` frames, a
// null or non-growing frame pointer, an unreadable frame or a null return
// address. Returns the frame count (>= 1), or 0 when a return address is a
// uretprobe trampoline (the caller then asks bpf_get_stack, which knows the
// real address).
//
// One frame per iteration of bpf_loop (kernel 5.17+; the verifier inlines it
// and checks the step once for all iterations, where a plain loop of 127
// iterations more than doubled memleak.ms's verification work). The step's
// state lives in a struct on this function's stack (see kWalk*), except the
// frame count, which is kept in the scratch record's spare word: the verifier
// tracks constants on the stack, so a count there would differ in every
// iteration and the step would be checked 127 times after all; map memory
// is not tracked.

llvm::Value* Codegen::emit_frame_pointer_walk(llvm::Value* rec, uint32_t limit, const Location& loc) {
  auto* i64 = b_->getInt64Ty();
  constexpr uint32_t kFrames = manifest::kStackHeaderWords * 8;
  b_->CreateAlignedStore(load_ctx_u64(kRegsIp), byte_ptr(rec, kFrames), llvm::Align(8));
  b_->CreateAlignedStore(b_->getInt64(1), byte_ptr(rec, kWalkFrames), llvm::Align(8), /*isVolatile=*/true);
  if (limit > 1) {
    auto* walk = stack_buffer(kWalkBytes, loc, "fp_walk");
    b_->CreateAlignedStore(load_ctx_u64(kRegsBp), byte_ptr(walk, kWalkFp), llvm::Align(8));
    b_->CreateAlignedStore(rec, byte_ptr(walk, kWalkRecord), llvm::Align(8));
    call_helper(kLoop, i64, {b_->getInt32(limit - 1), frame_walk_step(limit), walk, b_->getInt64(0)}, "fp_walk");
  }
  return b_->CreateAlignedLoad(i64, byte_ptr(rec, kWalkFrames), llvm::Align(8), /*isVolatile=*/true, "fp_frames");
}

// bpf_loop's callback: long step(u64 index, struct walk *w); 1 stops the loop.
llvm::Function* Codegen::frame_walk_step(uint32_t limit) {
  const std::string name = "ms_fp_step_" + std::to_string(limit);
  if (auto* f = module_->getFunction(name)) return f;
  auto* u64_di = di_->createBasicType("unsigned long", 64, llvm::dwarf::DW_ATE_unsigned);
  auto* ptr_di = di_->createPointerType(nullptr, 64);
  return define_subprogram(
      name, {b_->getInt64Ty(), b_->getPtrTy()}, {{"index", u64_di}, {"walk", ptr_di}}, [&](llvm::Function* f) {
        auto* i64 = b_->getInt64Ty();
        constexpr uint32_t kFrames = manifest::kStackHeaderWords * 8;
        llvm::Value* w = f->getArg(1);
        auto* stop_bb = llvm::BasicBlock::Create(*llvm_, "step_stop", f);
        auto* go_bb = llvm::BasicBlock::Create(*llvm_, "step_go", f);
        auto* out_bb = llvm::BasicBlock::Create(*llvm_, "step_out", f);
        auto branch_stop_if = [&](llvm::Value* cond, const char* next) {
          auto* bb = llvm::BasicBlock::Create(*llvm_, next, f);
          b_->CreateCondBr(cond, stop_bb, bb);
          b_->SetInsertPoint(bb);
        };
        llvm::Value* fp = b_->CreateAlignedLoad(i64, byte_ptr(w, kWalkFp), llvm::Align(8), "fp");
        llvm::Value* rec = b_->CreateAlignedLoad(b_->getPtrTy(), byte_ptr(w, kWalkRecord), llvm::Align(8), "rec");
        llvm::Value* n = b_->CreateAlignedLoad(i64, byte_ptr(rec, kWalkFrames), llvm::Align(8), "n");
        // n < limit keeps the store inside the record (the verifier needs the bound).
        branch_stop_if(b_->CreateOr(b_->CreateICmpEQ(fp, b_->getInt64(0)), b_->CreateICmpUGE(n, b_->getInt64(limit))),
                       "step_read");
        auto* frame = stack_buffer(16, {}, "frame");
        llvm::Value* rc = call_helper(kProbeReadUser, i64, {frame, b_->getInt32(16), fp}, "fp_read");
        branch_stop_if(b_->CreateICmpNE(rc, b_->getInt64(0)), "step_got");
        llvm::Value* next = b_->CreateAlignedLoad(i64, frame, llvm::Align(8), "fp_next");
        llvm::Value* ret = b_->CreateAlignedLoad(i64, byte_ptr(frame, 8), llvm::Align(8), "fp_ret");
        branch_stop_if(b_->CreateICmpEQ(ret, b_->getInt64(0)), "step_check");
        // A return address in the page the kernel maps uprobes' trampolines to
        // (its hint: TASK_SIZE minus two pages, 47- or 56-bit address space):
        // an outer function's uretprobe is pending and holds the real address.
        llvm::Value* page = b_->CreateAnd(ret, b_->getInt64(~0xfffull));
        auto* tramp_bb = llvm::BasicBlock::Create(*llvm_, "step_trampoline", f);
        auto* store_bb = llvm::BasicBlock::Create(*llvm_, "step_store", f);
        b_->CreateCondBr(b_->CreateOr(b_->CreateICmpEQ(page, b_->getInt64(0x7fffffffe000ull)),
                                      b_->CreateICmpEQ(page, b_->getInt64(0xffffffffffe000ull))),
                         tramp_bb, store_bb);
        b_->SetInsertPoint(tramp_bb);
        b_->CreateAlignedStore(b_->getInt64(0), byte_ptr(rec, kWalkFrames), llvm::Align(8));
        b_->CreateBr(stop_bb);

        b_->SetInsertPoint(store_bb);
        llvm::Value* slot =
            b_->CreateGEP(b_->getInt8Ty(), rec, b_->CreateAdd(b_->CreateShl(n, 3), b_->getInt64(kFrames)));
        b_->CreateAlignedStore(ret, slot, llvm::Align(8));
        b_->CreateAlignedStore(b_->CreateAdd(n, b_->getInt64(1)), byte_ptr(rec, kWalkFrames), llvm::Align(8));
        b_->CreateAlignedStore(next, byte_ptr(w, kWalkFp), llvm::Align(8));
        // Frames go up the stack: a frame pointer that does not grow ends the walk.
        b_->CreateCondBr(b_->CreateICmpULE(next, fp), stop_bb, go_bb);

        b_->SetInsertPoint(stop_bb);
        b_->CreateBr(out_bb);
        b_->SetInsertPoint(go_bb);
        b_->CreateBr(out_bb);
        b_->SetInsertPoint(out_bb);
        auto* r = b_->CreatePHI(i64, 2, "step");
        r->addIncoming(b_->getInt64(1), stop_bb);
        r->addIncoming(b_->getInt64(0), go_bb);
        return static_cast<llvm::Value*>(r);
      });
}

}  // namespace ms::codegen_detail
