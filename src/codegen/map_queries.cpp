// Questions a probe asks about a map rather than about one value: an
// aggregation element read as an integer (`@c[comm] > 10` for count/sum/min/
// max), `len(@m)` and `has_key(@m, k)`.
#include <llvm/BinaryFormat/Dwarf.h>

#include <algorithm>
#include <fstream>
#include <string>
#include <llvm/IR/DebugInfoMetadata.h>

#include "codegen/codegen_impl.h"

namespace ms::codegen_detail {

namespace {

// Per-CPU values are combined over the possible CPUs, one
// bpf_map_lookup_percpu_elem (Linux 5.19+) each. The verifier walks every
// iteration, so the count is a compile-time constant: the machine's possible
// CPUs (a loop to a generous fixed bound exhausts the verifier's jump history
// with a few reads in one probe).
constexpr uint32_t kMaxCombinedCpus = 512;

// "0-3,8-11" (the kernel's cpu list format) -> highest CPU + 1.
uint32_t possible_cpus_of_this_machine() {
  std::ifstream in("/sys/devices/system/cpu/possible");
  std::string list;
  if (!(in >> list)) return 1;
  uint32_t highest = 0;
  size_t pos = 0;
  while (pos < list.size()) {
    size_t end = list.find(',', pos);
    std::string range = list.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
    size_t dash = range.find('-');
    highest = std::max<uint32_t>(highest, std::stoul(dash == std::string::npos ? range : range.substr(dash + 1)));
    if (end == std::string::npos) break;
    pos = end + 1;
  }
  return highest + 1;
}

enum : int {
  kForEachMapElem = 164,
  kMapLookupPercpuElem = 195,
};

}  // namespace

Value Codegen::gen_aggregation_read(const ast::Map& m, MapDef& def) {
  // What bpftrace prints for the element: count and sum add the CPUs' values;
  // min and max take the smallest (largest) of the CPUs that saw a value. A
  // missing element reads 0, as for plain maps.
  const manifest::MapDesc& d = manifest_.maps[def.index];
  const bool minmax = d.agg == manifest::AggKind::Min || d.agg == manifest::AggKind::Max;
  const bool is_signed = d.agg != manifest::AggKind::Count && d.value.is_signed;
  auto* i64 = b_->getInt64Ty();
  llvm::Value* key = build_key(m, def);

  llvm::BasicBlock* entry = b_->GetInsertBlock();
  auto* head_bb = llvm::BasicBlock::Create(*llvm_, "agg_read_cpu", fn_);
  auto* body_bb = llvm::BasicBlock::Create(*llvm_, "agg_read_add", fn_);
  auto* done_bb = llvm::BasicBlock::Create(*llvm_, "agg_read_done", fn_);
  b_->CreateBr(head_bb);

  b_->SetInsertPoint(head_bb);
  auto* cpu = b_->CreatePHI(i64, 2, "cpu");
  auto* acc = b_->CreatePHI(i64, 2, "agg_acc");
  auto* acc_set = b_->CreatePHI(i64, 2, "agg_acc_set");
  cpu->addIncoming(b_->getInt64(0), entry);
  acc->addIncoming(b_->getInt64(0), entry);
  acc_set->addIncoming(b_->getInt64(0), entry);
  if (!combined_cpus_)
    combined_cpus_ = std::clamp<uint32_t>(options_.possible_cpus ? options_.possible_cpus : possible_cpus_of_this_machine(),
                                          1, kMaxCombinedCpus);
  llvm::Value* in_range = b_->CreateICmpULT(cpu, b_->getInt64(combined_cpus_));
  auto* lookup_bb = llvm::BasicBlock::Create(*llvm_, "agg_read_lookup", fn_);
  b_->CreateCondBr(in_range, lookup_bb, done_bb);

  b_->SetInsertPoint(lookup_bb);
  llvm::Value* p = call_helper(kMapLookupPercpuElem, b_->getPtrTy(), {def.global, key, cpu}, "percpu");
  b_->CreateCondBr(b_->CreateIsNull(p), done_bb, body_bb);

  b_->SetInsertPoint(body_bb);
  llvm::Value* v = b_->CreateAlignedLoad(i64, p, llvm::Align(8), "cpu_val");
  llvm::Value* next = nullptr;
  llvm::Value* next_set = acc_set;
  if (minmax) {
    llvm::Value* here_set = b_->CreateICmpNE(b_->CreateAlignedLoad(i64, byte_ptr(p, 8), llvm::Align(8)), b_->getInt64(0));
    llvm::Value* had = b_->CreateICmpNE(acc_set, b_->getInt64(0));
    llvm::Value* wins = d.agg == manifest::AggKind::Min
                            ? (is_signed ? b_->CreateICmpSLT(v, acc) : b_->CreateICmpULT(v, acc))
                            : (is_signed ? b_->CreateICmpSGT(v, acc) : b_->CreateICmpUGT(v, acc));
    llvm::Value* take = b_->CreateAnd(here_set, b_->CreateOr(b_->CreateNot(had), wins));
    next = b_->CreateSelect(take, v, acc);
    next_set = b_->CreateSelect(here_set, b_->getInt64(1), acc_set);
  } else {
    next = b_->CreateAdd(acc, v);
  }
  cpu->addIncoming(b_->CreateAdd(cpu, b_->getInt64(1)), body_bb);
  acc->addIncoming(next, body_bb);
  acc_set->addIncoming(next_set, body_bb);
  b_->CreateBr(head_bb);

  b_->SetInsertPoint(done_bb);
  auto* result = b_->CreatePHI(i64, 2, "agg_read");
  result->addIncoming(acc, head_bb);
  result->addIncoming(acc, lookup_bb);
  return {result, Type::integer(is_signed)};
}

llvm::Function* Codegen::count_elem_callback() {
  // long cb(struct bpf_map *map, void *key, void *value, u64 *ctx) { ++*ctx; return 0; }
  // A BPF subprogram (static, in .text): libbpf copies it into every program
  // that calls len(). The verifier wants BTF for it like for the programs.
  if (count_elem_cb_) return count_elem_cb_;
  auto* i64 = b_->getInt64Ty();
  auto* ptr = b_->getPtrTy();
  auto* fty = llvm::FunctionType::get(i64, {ptr, ptr, ptr, ptr}, false);
  count_elem_cb_ = llvm::Function::Create(fty, llvm::GlobalValue::InternalLinkage, "count_map_elem", *module_);
  count_elem_cb_->addFnAttr(llvm::Attribute::NoUnwind);
  count_elem_cb_->addFnAttr(llvm::Attribute::NoInline);
  auto* long_ty = di_->createBasicType("long", 64, llvm::dwarf::DW_ATE_signed);
  auto* void_ptr = di_->createPointerType(nullptr, 64);
  auto* sub_ty = di_->createSubroutineType(di_->getOrCreateTypeArray({long_ty, void_ptr, void_ptr, void_ptr, void_ptr}));
  auto* sp = di_->createFunction(file_, "count_map_elem", "count_map_elem", file_, 0, sub_ty, 0,
                                 llvm::DINode::FlagPrototyped,
                                 llvm::DISubprogram::SPFlagDefinition | llvm::DISubprogram::SPFlagOptimized |
                                     llvm::DISubprogram::SPFlagLocalToUnit);
  count_elem_cb_->setSubprogram(sp);
  static const char* const kNames[] = {"map", "key", "value", "ctx"};
  for (unsigned i = 0; i < 4; ++i) {
    count_elem_cb_->getArg(i)->setName(kNames[i]);
    di_->createParameterVariable(sp, kNames[i], i + 1, file_, 0, void_ptr, /*AlwaysPreserve=*/true);
  }
  llvm::IRBuilder<> cb(llvm::BasicBlock::Create(*llvm_, "entry", count_elem_cb_));
  cb.SetCurrentDebugLocation(llvm::DILocation::get(*llvm_, 0, 0, sp));
  llvm::Value* counter = count_elem_cb_->getArg(3);
  // An atomic add, not load-add-store: the verifier then sees the counter as
  // an unknown number and its walk of the callback converges. With a plain
  // add it tracks 0, 1, 2 ... and gives up (E2BIG) once the caller branches on
  // the count (len(@m) > 2).
  cb.CreateAtomicRMW(llvm::AtomicRMWInst::Add, counter, cb.getInt64(1), llvm::MaybeAlign(8),
                     llvm::AtomicOrdering::Monotonic);
  cb.CreateRet(cb.getInt64(0));
  return count_elem_cb_;
}

Value Codegen::gen_map_len(const ast::Call& c) {
  // bpf_for_each_map_elem visits every element once (Linux 5.13+); the
  // callback counts them into a stack slot.
  const auto* m = c.args.size() == 1 && c.args[0]->kind == ast::NodeKind::Map
                      ? static_cast<const ast::Map*>(c.args[0].get())
                      : nullptr;
  if (!m) {
    internal_error(c.loc, "len() expects a map");
    return {b_->getInt64(0), Type::integer()};
  }
  MapDef* def = find_map(m->name, m->loc);
  if (!def || refuse_task_storage(*def, c.loc, "len()")) return {b_->getInt64(0), Type::integer()};
  auto* i64 = b_->getInt64Ty();
  auto* counter = stack_buffer(8, c.loc, "len");
  b_->CreateAlignedStore(b_->getInt64(0), counter, llvm::Align(8));
  call_helper(kForEachMapElem, i64, {def->global, count_elem_callback(), counter, b_->getInt64(0)});
  return {b_->CreateAlignedLoad(i64, counter, llvm::Align(8), "len"), Type::integer(true)};
}

Value Codegen::gen_has_key(const ast::Call& c) {
  const auto* m = c.args.size() == 2 && c.args[0]->kind == ast::NodeKind::Map
                      ? static_cast<const ast::Map*>(c.args[0].get())
                      : nullptr;
  if (!m) {
    internal_error(c.loc, "has_key() expects a map and a key");
    return {b_->getInt64(0), Type::integer()};
  }
  MapDef* def = find_map(m->name, m->loc);
  if (!def || refuse_task_storage(*def, c.loc, "has_key()")) return {b_->getInt64(0), Type::integer()};
  llvm::Value* key = build_key(m->name, {c.args[1].get()}, c.loc, *def);
  llvm::Value* p = map_lookup(def->global, key);
  return {b_->CreateZExt(b_->CreateIsNotNull(p), b_->getInt64Ty(), "has_key"), Type::integer(true)};
}

}  // namespace ms::codegen_detail
