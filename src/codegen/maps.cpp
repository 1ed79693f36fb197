// Script maps: their BTF-described definitions in `.maps` (libbpf style), keys,
// reads, writes, deletes and aggregations.
#include <llvm/BinaryFormat/Dwarf.h>

#include <algorithm>

#include "codegen/codegen_impl.h"

namespace ms::codegen_detail {

namespace {

constexpr uint64_t kMapTypeHash = 1;
constexpr uint64_t kMapTypeArray = 2;
constexpr uint64_t kMapTypePercpuHash = 5;
constexpr uint64_t kMapTypeLruHash = 9;
constexpr uint64_t kMapTypeLruPercpuHash = 10;
constexpr uint64_t kMapTypeTaskStorage = 29;
constexpr uint64_t kLocalStorageGetFCreate = 1;  // BPF_LOCAL_STORAGE_GET_F_CREATE
constexpr uint64_t kMapTypeRingbuf = 27;
constexpr uint64_t kMapTypePercpuArray = 6;
constexpr uint64_t kBpfNoPrealloc = 1;  // BPF_F_NO_PREALLOC

std::string map_elf_name(const std::string& name) {
  std::string out = "m_";
  for (char c : name) {
    if (c == '@') continue;
    out += (std::isalnum(static_cast<unsigned char>(c)) || c == '_') ? c : '_';
  }
  return out;
}

manifest::AggKind agg_kind(TypeKind k) {
  switch (k) {
    case TypeKind::Count: return manifest::AggKind::Count;
    case TypeKind::Sum: return manifest::AggKind::Sum;
    case TypeKind::Min: return manifest::AggKind::Min;
    case TypeKind::Max: return manifest::AggKind::Max;
    case TypeKind::Avg: return manifest::AggKind::Avg;
    case TypeKind::Stats: return manifest::AggKind::Stats;
    case TypeKind::Hist: return manifest::AggKind::Hist;
    case TypeKind::Lhist: return manifest::AggKind::Lhist;
    default: return manifest::AggKind::None;
  }
}

}  // namespace

manifest::Field field_of(const Type& t, uint32_t offset) {
  manifest::Field f;
  f.offset = offset;
  f.size = field_size(t);
  f.is_signed = false;
  switch (t.kind) {
    case TypeKind::String: f.kind = manifest::FieldKind::String; break;
    case TypeKind::UStack:
    case TypeKind::KStack:
      f.kind = t.kind == TypeKind::UStack ? manifest::FieldKind::UserStack : manifest::FieldKind::KernelStack;
      f.stack_limit = t.stack_limit;
      f.stack_perf = t.stack_perf;
      break;
    case TypeKind::USym: f.kind = manifest::FieldKind::UserSymbol; break;
    case TypeKind::Buffer: f.kind = manifest::FieldKind::Buffer; break;
    case TypeKind::KSym: f.kind = manifest::FieldKind::KernelSymbol; break;
    case TypeKind::Tuple:
      f.kind = manifest::FieldKind::Tuple;
      for (size_t i = 0; i < t.elements.size(); ++i) f.elements.push_back(field_of(t.elements[i], t.element_offset(i)));
      break;
    case TypeKind::Timestamp:
      f.kind = manifest::FieldKind::Timestamp;
      f.format = t.format;
      break;
    default:
      f.kind = manifest::FieldKind::Integer;
      f.is_signed = t.kind == TypeKind::Count || t.kind == TypeKind::Hist || t.kind == TypeKind::Lhist ? false : t.is_signed;
      break;
  }
  return f;
}

Type type_of_field(const manifest::Field& f) {
  switch (f.kind) {
    case manifest::FieldKind::String: return Type::string(f.size);
    case manifest::FieldKind::UserStack: return Type::stack(false, f.stack_limit, f.stack_perf);
    case manifest::FieldKind::KernelStack: return Type::stack(true, f.stack_limit, f.stack_perf);
    case manifest::FieldKind::UserSymbol: return Type::symbol(false);
    case manifest::FieldKind::KernelSymbol: return Type::symbol(true);
    case manifest::FieldKind::Buffer: return Type::buffer(f.size - 8);
    case manifest::FieldKind::Tuple: {
      std::vector<Type> elements;
      for (const auto& e : f.elements) elements.push_back(type_of_field(e));
      return Type::tuple(std::move(elements));
    }
    case manifest::FieldKind::Timestamp: return Type::timestamp(f.format);
    case manifest::FieldKind::Integer: break;
  }
  return Type::integer(f.is_signed);
}

llvm::GlobalVariable* Codegen::define_map_global(const std::string& elf_name, int line,
                                                 const std::vector<std::pair<const char*, uint64_t>>& fields,
                                                 uint32_t typed_value_size) {
  map_fields_[elf_name] = {fields, typed_value_size};
  // Equivalent of libbpf's
  //   struct { __uint(type, T); __uint(max_entries, N); ... } name SEC(".maps");
  // where __uint(f, v) is `int (*f)[v]`: the numbers live only in the BTF.
  auto* int_ty = di_->createBasicType("int", 32, llvm::dwarf::DW_ATE_signed);
  llvm::SmallVector<llvm::Metadata*, 4> members;
  uint64_t offset = 0;
  const unsigned uline = static_cast<unsigned>(std::max(line, 0));
  for (const auto& [fname, value] : fields) {
    auto* range = di_->getOrCreateSubrange(0, static_cast<int64_t>(value));
    auto* arr = di_->createArrayType(value * 32, 32, int_ty, di_->getOrCreateArray({range}));
    auto* ptr = di_->createPointerType(arr, 64);
    members.push_back(
        di_->createMemberType(file_, fname, file_, uline, 64, 64, offset, llvm::DINode::FlagZero, ptr));
    offset += 64;
  }
  // Local-storage maps need BTF types for key and value (`__type(key, int)`):
  // the kernel checks that the key is a 4-byte int.
  size_t typed = 0;
  if (typed_value_size) {
    auto* u8 = di_->createBasicType("unsigned char", 8, llvm::dwarf::DW_ATE_unsigned_char);
    auto* range = di_->getOrCreateSubrange(0, static_cast<int64_t>(typed_value_size));
    auto* value = di_->createArrayType(typed_value_size * 8ull, 64, u8, di_->getOrCreateArray({range}));
    for (auto [fname, ty] : {std::pair<const char*, llvm::DIType*>{"key", int_ty}, {"value", value}}) {
      members.push_back(di_->createMemberType(file_, fname, file_, uline, 64, 64, offset, llvm::DINode::FlagZero,
                                              di_->createPointerType(ty, 64)));
      offset += 64;
      ++typed;
    }
  }
  auto* struct_di = di_->createStructType(file_, "", file_, uline, offset, 64, llvm::DINode::FlagZero, nullptr,
                                          di_->getOrCreateArray(members));

  std::vector<llvm::Type*> ptrs(fields.size() + typed, b_->getPtrTy());
  auto* struct_ty = llvm::StructType::get(*llvm_, ptrs);
  auto* gv = new llvm::GlobalVariable(*module_, struct_ty, false, llvm::GlobalValue::ExternalLinkage,
                                      llvm::ConstantAggregateZero::get(struct_ty), elf_name);
  gv->setSection(".maps");
  gv->setAlignment(llvm::Align(8));
  gv->addDebugInfo(di_->createGlobalVariableExpression(cu_, elf_name, elf_name, file_, uline, struct_di, false));
  return gv;
}

void Codegen::define_maps() {
  for (const auto& [name, mi] : info_.maps) {
    manifest::MapDesc d;
    d.name = name;
    d.elf_name = map_elf_name(name);
    d.max_entries = options_.max_entries;
    for (const ast::MapDecl& decl : program_.map_decls)
      if (decl.map == name) {
        d.max_entries = decl.entries;
        d.declared = true;
        d.lru = decl.lru;
        d.task_storage = decl.task_storage;
        if (decl.task_storage && (mi.key.size() != 1 || mi.key[0].kind != TypeKind::Integer))
          error(decl.loc, "taskstorage map " + name + " is keyed by tid only",
                "use it as " + name + "[tid]; declare hash(ENTRIES) for other keys");
      }
    uint32_t off = 0;
    for (const Type& kt : mi.key) {
      d.key.push_back(field_of(kt, off));
      off = align8(off + field_size(kt));
    }
    d.key_size = mi.key.empty() ? 8 : std::max<uint32_t>(off, 8);
    Type vt = mi.value.kind == TypeKind::None ? Type::integer() : mi.value;
    d.agg = agg_kind(vt.kind);
    if (d.agg == manifest::AggKind::Hist || d.agg == manifest::AggKind::Lhist) {
      // The bucket index follows the script's keys (a scalar map has only it).
      d.key_size = (mi.key.empty() ? 0 : d.key_size) + 8;
      d.lhist_min = mi.lhist_min;
      d.lhist_max = mi.lhist_max;
      d.lhist_step = mi.lhist_step;
    }
    d.percpu = d.agg != manifest::AggKind::None;
    d.value = field_of(vt, 0);
    switch (d.agg) {
      case manifest::AggKind::None: d.value_size = std::max<uint32_t>(field_size(vt), 1); break;
      case manifest::AggKind::Count:
      case manifest::AggKind::Sum:
      case manifest::AggKind::Hist:
      case manifest::AggKind::Lhist: d.value_size = 8; break;
      case manifest::AggKind::Min:
      case manifest::AggKind::Max:
      case manifest::AggKind::Avg:
      case manifest::AggKind::Stats: d.value_size = 16; break;
    }
    if (d.key_size > kBpfStackLimit / 2 || d.value_size > kBpfStackLimit / 2)
      error(mi.first_use, "map " + name + " has a " + std::to_string(d.key_size) + "-byte key and a " +
                              std::to_string(d.value_size) + "-byte value, too large for the BPF stack");

    MapDef def;
    def.info = &mi;
    def.index = static_cast<int>(manifest_.maps.size());
    // Hash maps get memory for the entries in use only, so a map sized for a
    // million allocations costs nothing until used (but its buckets: 16 bytes
    // per entry, which is why small maps are worth declaring). LRU maps are
    // always preallocated.
    const uint64_t type = d.lru ? (d.percpu ? kMapTypeLruPercpuHash : kMapTypeLruHash)
                                : (d.percpu ? kMapTypePercpuHash : kMapTypeHash);
    if (d.task_storage) {
      if (d.agg != manifest::AggKind::None)
        error(mi.first_use, "taskstorage map " + name + " cannot hold an aggregation",
              "it keeps one plain value per thread; declare hash(ENTRIES) for aggregations");
      // One value per thread, created on first write, freed with the thread.
      def.global = define_map_global(d.elf_name, mi.first_use.line,
                                     {{"type", kMapTypeTaskStorage}, {"map_flags", kBpfNoPrealloc}}, d.value_size);
      manifest_.maps.push_back(std::move(d));
      maps_.emplace(name, def);
      continue;
    }
    def.global = define_map_global(d.elf_name, mi.first_use.line,
                                   {{"type", type},
                                    {"max_entries", d.max_entries},
                                    {"key_size", d.key_size},
                                    {"value_size", d.value_size},
                                    {"map_flags", d.lru ? 0 : kBpfNoPrealloc}});
    manifest_.maps.push_back(std::move(d));
    maps_.emplace(name, def);
  }
  ringbuf_ = define_map_global(manifest_.ringbuf_elf_name, 0,
                               {{"type", kMapTypeRingbuf}, {"max_entries", manifest_.ringbuf_size}});
}

MapDef* Codegen::find_map(const std::string& name, const Location& loc) {
  auto it = maps_.find(name);
  if (it == maps_.end()) {
    internal_error(loc, "map " + name + " has no layout from the semantic pass");
    return nullptr;
  }
  return &it->second;
}

llvm::Value* Codegen::build_key(const ast::Map& m, MapDef& def) {
  std::vector<const ast::Expr*> keys;
  for (const auto& k : m.keys) keys.push_back(k.get());
  return build_key(m.name, keys, m.loc, def);
}

llvm::Value* Codegen::build_key(const std::string& name, const std::vector<const ast::Expr*>& keys,
                                const Location& loc, MapDef& def) {
  const manifest::MapDesc& d = manifest_.maps[def.index];
  auto* key = stack_buffer(d.key_size, loc, "key");
  zero_fill(key, d.key_size);
  if (keys.size() != d.key.size() && !(keys.empty() && d.key.empty())) {
    internal_error(loc, "map " + name + " used with " + std::to_string(keys.size()) + " keys, layout has " +
                            std::to_string(d.key.size()));
    return key;
  }
  for (size_t i = 0; i < keys.size(); ++i) {
    Value k = gen_expr(*keys[i]);
    if (!k.v) continue;
    const manifest::Field& f = d.key[i];
    if (is_bytes(type_of_field(f)) != is_bytes(k.type)) {
      internal_error(keys[i]->loc, "key type differs from the map's key layout");
      continue;
    }
    store_field(byte_ptr(key, f.offset), k, f.size);
  }
  return key;
}

Value Codegen::gen_map_read(const ast::Map& m) {
  MapDef* def = find_map(m.name, m.loc);
  if (!def) return {b_->getInt64(0), Type::integer()};
  const manifest::MapDesc& d = manifest_.maps[def->index];
  if (d.agg == manifest::AggKind::Count || d.agg == manifest::AggKind::Sum || d.agg == manifest::AggKind::Min ||
      d.agg == manifest::AggKind::Max)
    return gen_aggregation_read(m, *def);
  if (d.agg != manifest::AggKind::None) {
    error(m.loc, "cannot read aggregation map " + m.name + " inside a probe",
          "its value is kept per CPU and only combined when printed");
    return {b_->getInt64(0), Type::integer()};
  }
  llvm::Value* p = nullptr;
  if (d.task_storage) {
    if (!check_task_storage_key(m)) return {b_->getInt64(0), type_of_field(d.value)};
    p = task_storage_value(*def, false);
  } else {
    p = map_lookup(def->global, build_key(m, *def));
  }
  if (is_bytes(type_of_field(d.value))) {
    Type t = type_of_field(d.value);
    auto* buf = stack_buffer(t.size, m.loc, "map_bytes");
    zero_fill(buf, t.size);
    auto* found_bb = llvm::BasicBlock::Create(*llvm_, "map_found", fn_);
    auto* merge_bb = llvm::BasicBlock::Create(*llvm_, "map_read_done", fn_);
    b_->CreateCondBr(b_->CreateIsNotNull(p), found_bb, merge_bb);
    b_->SetInsertPoint(found_bb);
    copy_bytes(buf, p, t.size);
    b_->CreateBr(merge_bb);
    b_->SetInsertPoint(merge_bb);
    return {buf, t};
  }
  return {load_u64_or_zero(p, "map_read"), type_of_field(d.value)};
}

llvm::Value* Codegen::load_u64_or_zero(llvm::Value* p, const llvm::Twine& name) {
  auto* i64 = b_->getInt64Ty();
  llvm::BasicBlock* from = b_->GetInsertBlock();
  auto* found_bb = llvm::BasicBlock::Create(*llvm_, "map_found", fn_);
  auto* merge_bb = llvm::BasicBlock::Create(*llvm_, "map_read_done", fn_);
  b_->CreateCondBr(b_->CreateIsNotNull(p), found_bb, merge_bb);
  b_->SetInsertPoint(found_bb);
  llvm::Value* loaded = b_->CreateAlignedLoad(i64, p, llvm::Align(8), "map_val");
  b_->CreateBr(merge_bb);
  b_->SetInsertPoint(merge_bb);
  auto* phi = b_->CreatePHI(i64, 2, name);
  phi->addIncoming(b_->getInt64(0), from);
  phi->addIncoming(loaded, found_bb);
  return phi;
}

void Codegen::gen_map_assign(const ast::AssignMap& s) {
  MapDef* def = find_map(s.map->name, s.map->loc);
  if (!def) return;
  const manifest::MapDesc& d = manifest_.maps[def->index];
  if (s.compound) {
    if (d.agg != manifest::AggKind::None || d.value.kind != manifest::FieldKind::Integer) {
      internal_error(s.loc, "compound assignment to a map that does not hold integers");
      return;
    }
    gen_compound_map_assign(s, *def);
    return;
  }
  if (d.agg != manifest::AggKind::None) {
    auto* call = s.expr && s.expr->kind == ast::NodeKind::Call ? static_cast<const ast::Call*>(s.expr.get()) : nullptr;
    if (!call) {
      internal_error(s.loc, "aggregation map " + s.map->name + " assigned something other than an aggregation");
      return;
    }
    gen_aggregation(s, *call, *def);
    return;
  }
  Value v = gen_expr(*s.expr);
  if (!v.v) return;
  const Type value_type = type_of_field(d.value);
  if (is_bytes(value_type) != is_bytes(v.type)) {
    internal_error(s.loc, "value type differs from the map's value layout");
    return;
  }
  if (d.task_storage && !check_task_storage_key(*s.map)) return;
  llvm::Value* key = d.task_storage ? nullptr : build_key(*s.map, *def);
  llvm::Value* val = nullptr;
  if (is_bytes(v.type) && v.type.size == d.value_size && (v.type.kind != TypeKind::Tuple || v.type == value_type)) {
    val = v.v;  // already a zero-padded buffer of the right layout
  } else {
    auto* buf = stack_buffer(d.value_size, s.loc, "map_val");
    if (is_bytes(v.type)) zero_fill(buf, d.value_size);
    store_value(buf, v, value_type);
    val = buf;
  }
  if (d.task_storage) {
    // The value lives in the thread's storage: write it in place.
    llvm::Value* p = task_storage_value(*def, true);
    with_task_value(p, def->index, [&] { copy_bytes(p, val, d.value_size); });
    return;
  }
  llvm::Value* rc = call_helper(kMapUpdateElem, b_->getInt64Ty(), {def->global, key, val, b_->getInt64(kBpfAny)});
  count_map_error(rc, def->index);
}

llvm::Value* Codegen::task_storage_value(const MapDef& def, bool create) {
  llvm::Value* task = call_helper(kGetCurrentTaskBtf, b_->getPtrTy(), {}, "task");
  return call_helper(kTaskStorageGet, b_->getPtrTy(),
                     {def.global, task, llvm::ConstantPointerNull::get(b_->getPtrTy()),
                      b_->getInt64(create ? kLocalStorageGetFCreate : 0)},
                     "task_value");
}

void Codegen::with_task_value(llvm::Value* p, int count_missing_map, const std::function<void()>& write) {
  llvm::Value* missing = b_->CreateIsNull(p);
  if (count_missing_map >= 0) count_map_error(b_->CreateNeg(b_->CreateZExt(missing, b_->getInt64Ty())), count_missing_map);
  auto* have_bb = llvm::BasicBlock::Create(*llvm_, "task_value", fn_);
  auto* done_bb = llvm::BasicBlock::Create(*llvm_, "task_value_done", fn_);
  b_->CreateCondBr(missing, done_bb, have_bb);
  b_->SetInsertPoint(have_bb);
  write();
  b_->CreateBr(done_bb);
  b_->SetInsertPoint(done_bb);
}

// A taskstorage map holds the current thread's value only: its one key must
// be `tid` (any other thread's value is out of reach).
bool Codegen::check_task_storage_key(const ast::Map& m) {
  const bool tid = m.keys.size() == 1 && m.keys[0]->kind == ast::NodeKind::Builtin &&
                   static_cast<const ast::Builtin&>(*m.keys[0]).name == "tid";
  if (tid) return true;
  error(m.keys.empty() ? m.loc : m.keys[0]->loc,
        "taskstorage map " + m.name + " is keyed by tid only: it holds the current thread's value",
        "write " + m.name + "[tid]");
  return false;
}

bool Codegen::refuse_task_storage(const MapDef& def, const Location& loc, const std::string& what) {
  const manifest::MapDesc& d = manifest_.maps[def.index];
  if (!d.task_storage) return false;
  error(loc, what + " cannot list taskstorage map " + d.name + ": only the current thread's value is reachable",
        "declare it hash(ENTRIES) to list it");
  return true;
}

void Codegen::count_map_error(llvm::Value* rc, int map_index) {
  if (!map_errors_) {
    manifest_.map_errors_elf_name = "map_errors";
    map_errors_ = define_map_global(manifest_.map_errors_elf_name, 0,
                                    {{"type", kMapTypePercpuArray},
                                     {"max_entries", std::max<uint64_t>(info_.maps.size(), 1)},
                                     {"key_size", 4},
                                     {"value_size", 8}});
  }
  auto* failed = llvm::BasicBlock::Create(*llvm_, "map_full", fn_);
  auto* done = llvm::BasicBlock::Create(*llvm_, "map_update_done", fn_);
  b_->CreateCondBr(b_->CreateICmpSLT(rc, b_->getInt64(0)), failed, done);
  b_->SetInsertPoint(failed);
  // One key slot per program, however many updates it makes.
  if (!map_err_key_) map_err_key_ = stack_buffer(4, {}, "map_err_key");
  auto* key = map_err_key_;
  b_->CreateAlignedStore(b_->getInt32(static_cast<uint32_t>(map_index)), key, llvm::Align(8));
  increment_counter(map_errors_, key);
  b_->CreateBr(done);
  b_->SetInsertPoint(done);
}

void Codegen::count_lost_event(llvm::Value* failed, uint32_t event_id) {
  if (!lost_events_) {
    manifest_.lost_events_elf_name = "lost_events";
    lost_events_ = define_map_global(manifest_.lost_events_elf_name, 0,
                                     {{"type", kMapTypePercpuArray},
                                      {"max_entries", manifest::kLostEventSlots},
                                      {"key_size", 4},
                                      {"value_size", 8}});
  }
  auto* lost = llvm::BasicBlock::Create(*llvm_, "event_lost", fn_);
  auto* done = llvm::BasicBlock::Create(*llvm_, "event_sent", fn_);
  b_->CreateCondBr(failed, lost, done);
  b_->SetInsertPoint(lost);
  // The map-error key slot is a free 4-byte buffer of this program here.
  if (!map_err_key_) map_err_key_ = stack_buffer(4, {}, "map_err_key");
  b_->CreateAlignedStore(b_->getInt32(std::min(event_id, manifest::kLostEventSlots - 1)), map_err_key_, llvm::Align(8));
  increment_counter(lost_events_, map_err_key_);
  b_->CreateBr(done);
  b_->SetInsertPoint(done);
}

void Codegen::gen_aggregation(const ast::AssignMap& s, const ast::Call& call, MapDef& def) {
  const manifest::MapDesc& d = manifest_.maps[def.index];
  const std::string& f = call.func;
  const size_t want_args = f == "count" ? 0 : f == "lhist" ? 4 : 1;
  const bool want_arg = want_args > 0;
  if (manifest::to_string(d.agg) != f || call.args.size() != want_args) {
    internal_error(call.loc, "map " + s.map->name + " holds " + manifest::to_string(d.agg) + " but is assigned " +
                                 f + "() with " + std::to_string(call.args.size()) + " arguments");
    return;
  }
  llvm::Value* arg = want_arg ? gen_int(*call.args[0]) : nullptr;
  llvm::Value* key = build_key(*s.map, def);
  if (d.agg == manifest::AggKind::Hist || d.agg == manifest::AggKind::Lhist) {
    llvm::Value* bucket = d.agg == manifest::AggKind::Hist ? gen_hist_bucket(arg) : gen_lhist_bucket(arg, d);
    b_->CreateAlignedStore(bucket, byte_ptr(key, d.key_size - 8), llvm::Align(8));
  }

  // Per-CPU values need no atomics. Insert a zero value first if absent
  // (BPF_NOEXIST keeps a concurrent insert on another CPU), then update in place.
  auto* i64 = b_->getInt64Ty();
  llvm::Value* p = map_lookup(def.global, key);
  llvm::BasicBlock* looked_up = b_->GetInsertBlock();
  auto* insert_bb = llvm::BasicBlock::Create(*llvm_, "agg_insert", fn_);
  auto* have_bb = llvm::BasicBlock::Create(*llvm_, "agg_have", fn_);
  auto* update_bb = llvm::BasicBlock::Create(*llvm_, "agg_update", fn_);
  auto* done_bb = llvm::BasicBlock::Create(*llvm_, "agg_done", fn_);
  auto* zero = stack_buffer(d.value_size, call.loc, "agg_zero");
  b_->CreateCondBr(b_->CreateIsNull(p), insert_bb, have_bb);

  b_->SetInsertPoint(insert_bb);
  zero_fill(zero, d.value_size);
  llvm::Value* irc = call_helper(kMapUpdateElem, i64, {def.global, key, zero, b_->getInt64(kBpfNoExist)});
  // -EEXIST: another CPU inserted it meanwhile, which is fine; anything else is a full map.
  count_map_error(b_->CreateSelect(b_->CreateICmpEQ(irc, b_->getInt64(static_cast<uint64_t>(-17))), b_->getInt64(0), irc),
                  def.index);
  llvm::Value* p2 = map_lookup(def.global, key);
  llvm::BasicBlock* inserted = b_->GetInsertBlock();  // count_map_error added blocks
  b_->CreateCondBr(b_->CreateIsNull(p2), done_bb, have_bb);

  b_->SetInsertPoint(have_bb);
  auto* ptr = b_->CreatePHI(b_->getPtrTy(), 2, "agg_ptr");
  ptr->addIncoming(p, looked_up);
  ptr->addIncoming(p2, inserted);
  const bool is_signed = d.value.is_signed;
  auto load = [&](uint32_t off) { return b_->CreateAlignedLoad(i64, byte_ptr(ptr, off), llvm::Align(8)); };
  auto store = [&](llvm::Value* v, uint32_t off) { b_->CreateAlignedStore(v, byte_ptr(ptr, off), llvm::Align(8)); };
  switch (d.agg) {
    case manifest::AggKind::Count:
    case manifest::AggKind::Hist:
    case manifest::AggKind::Lhist:
      store(b_->CreateAdd(load(0), b_->getInt64(1)), 0);
      b_->CreateBr(done_bb);
      break;
    case manifest::AggKind::Sum:
      store(b_->CreateAdd(load(0), arg), 0);
      b_->CreateBr(done_bb);
      break;
    case manifest::AggKind::Avg:
    case manifest::AggKind::Stats:
      store(b_->CreateAdd(load(0), arg), 0);
      store(b_->CreateAdd(load(8), b_->getInt64(1)), 8);
      b_->CreateBr(done_bb);
      break;
    case manifest::AggKind::Min:
    case manifest::AggKind::Max: {
      // Replace when nothing is set yet on this CPU or the new value wins.
      llvm::Value* cur = load(0);
      llvm::Value* is_set = b_->CreateICmpNE(load(8), b_->getInt64(0));
      llvm::Value* wins = d.agg == manifest::AggKind::Min
                              ? (is_signed ? b_->CreateICmpSLT(arg, cur) : b_->CreateICmpULT(arg, cur))
                              : (is_signed ? b_->CreateICmpSGT(arg, cur) : b_->CreateICmpUGT(arg, cur));
      b_->CreateCondBr(b_->CreateOr(b_->CreateNot(is_set), wins), update_bb, done_bb);
      b_->SetInsertPoint(update_bb);
      store(arg, 0);
      store(b_->getInt64(1), 8);
      b_->CreateBr(done_bb);
      break;
    }
    case manifest::AggKind::None: b_->CreateBr(done_bb); break;
  }
  if (!update_bb->hasNPredecessorsOrMore(1)) update_bb->eraseFromParent();
  b_->SetInsertPoint(done_bb);
}

llvm::Value* Codegen::gen_hist_bucket(llvm::Value* v) {
  // 0 for negative values, 1 for zero, 2 + floor(log2(v)) otherwise; the
  // logarithm by halving the range five times, branch-free.
  auto* i64 = b_->getInt64Ty();
  llvm::Value* x = v;
  llvm::Value* log = b_->getInt64(0);
  for (unsigned shift : {32u, 16u, 8u, 4u, 2u, 1u}) {
    llvm::Value* big = b_->CreateICmpUGE(x, b_->getInt64(1ull << shift));
    x = b_->CreateSelect(big, b_->CreateLShr(x, shift), x);
    log = b_->CreateAdd(log, b_->CreateSelect(big, b_->getInt64(shift), b_->getInt64(0)));
  }
  llvm::Value* positive = b_->CreateAdd(log, b_->getInt64(2));
  llvm::Value* bucket = b_->CreateSelect(b_->CreateICmpEQ(v, llvm::ConstantInt::get(i64, 0)), b_->getInt64(1), positive);
  return b_->CreateSelect(b_->CreateICmpSLT(v, b_->getInt64(0)), b_->getInt64(0), bucket);
}

llvm::Value* Codegen::gen_lhist_bucket(llvm::Value* v, const manifest::MapDesc& d) {
  const int64_t buckets = (d.lhist_max - d.lhist_min) / d.lhist_step;
  llvm::Value* min = b_->getInt64(static_cast<uint64_t>(d.lhist_min));
  llvm::Value* max = b_->getInt64(static_cast<uint64_t>(d.lhist_max));
  llvm::Value* inside = b_->CreateAdd(
      b_->CreateUDiv(b_->CreateSub(v, min), b_->getInt64(static_cast<uint64_t>(d.lhist_step))), b_->getInt64(1));
  llvm::Value* bucket = b_->CreateSelect(b_->CreateICmpSGE(v, max), b_->getInt64(static_cast<uint64_t>(buckets + 1)), inside);
  return b_->CreateSelect(b_->CreateICmpSLT(v, min), b_->getInt64(0), bucket);
}

void Codegen::gen_compound_map_assign(const ast::AssignMap& s, MapDef& def) {
  // One key, one lookup: old value (0 when missing) op operand, written back.
  auto* i64 = b_->getInt64Ty();
  const bool task = manifest_.maps[def.index].task_storage;
  if (task && !check_task_storage_key(*s.map)) return;
  llvm::Value* key = task ? nullptr : build_key(*s.map, def);
  Value rhs = gen_expr(*s.expr);
  llvm::Value* p = task ? task_storage_value(def, true) : map_lookup(def.global, key);
  llvm::Value* old = load_u64_or_zero(p, "map_old");
  const manifest::MapDesc& d = manifest_.maps[def.index];
  llvm::Value* val = gen_arith(*s.compound, old, rhs.v, d.value.is_signed && rhs.type.is_signed, s.loc);
  if (task) {
    // Created above when missing: write in place (missing only if the kernel refused).
    with_task_value(p, def.index, [&] { b_->CreateAlignedStore(val, p, llvm::Align(8)); });
    return;
  }
  auto* buf = stack_buffer(8, s.loc, "map_val");
  b_->CreateAlignedStore(val, buf, llvm::Align(8));
  llvm::Value* rc = call_helper(kMapUpdateElem, i64, {def.global, key, buf, b_->getInt64(kBpfAny)});
  count_map_error(rc, def.index);
}

void Codegen::gen_map_delete(const ast::Call& call) {
  if (call.args.size() != 1 || call.args[0]->kind != ast::NodeKind::Map) {
    internal_error(call.loc, "delete() expects one map element");
    return;
  }
  const auto& m = static_cast<const ast::Map&>(*call.args[0]);
  MapDef* def = find_map(m.name, m.loc);
  if (!def) return;
  const manifest::MapDesc& d = manifest_.maps[def->index];
  if (d.task_storage) {
    // A missing value reads as zero, so deleting is zeroing: no free, and the
    // storage goes with the thread.
    if (!check_task_storage_key(m)) return;
    llvm::Value* p = task_storage_value(*def, false);
    with_task_value(p, -1, [&] { b_->CreateMemSet(p, b_->getInt8(0), d.value_size, llvm::MaybeAlign(8)); });
    return;
  }
  llvm::Value* key = build_key(m, *def);
  call_helper(kMapDeleteElem, b_->getInt64Ty(), {def->global, key});
}

llvm::Value* Codegen::gen_elapsed() {
  if (!start_time_) {
    manifest_.start_time_elf_name = "start_time";
    start_time_ = define_map_global(manifest_.start_time_elf_name, 0,
                                    {{"type", kMapTypeArray}, {"max_entries", 1}, {"key_size", 4}, {"value_size", 8}});
  }
  auto* i64 = b_->getInt64Ty();
  llvm::Value* now = call_helper(kKtimeGetNs, i64, {}, "now");
  auto* key = stack_buffer(4, {}, "start_key");
  b_->CreateAlignedStore(b_->getInt32(0), key, llvm::Align(8));
  llvm::Value* p = map_lookup(start_time_, key);
  // An array lookup of index 0 never fails, but the verifier insists on the check.
  llvm::BasicBlock* from = b_->GetInsertBlock();
  auto* have_bb = llvm::BasicBlock::Create(*llvm_, "start_have", fn_);
  auto* unset_bb = llvm::BasicBlock::Create(*llvm_, "start_unset", fn_);
  auto* done_bb = llvm::BasicBlock::Create(*llvm_, "elapsed_done", fn_);
  b_->CreateCondBr(b_->CreateIsNull(p), done_bb, have_bb);
  b_->SetInsertPoint(have_bb);
  llvm::Value* start = b_->CreateAlignedLoad(i64, p, llvm::Align(8), "start");
  llvm::Value* is_unset = b_->CreateICmpEQ(start, b_->getInt64(0));
  llvm::Value* since = b_->CreateSub(now, start);
  b_->CreateCondBr(is_unset, unset_bb, done_bb);
  b_->SetInsertPoint(unset_bb);
  // The runtime did not record a start: count from this first use.
  b_->CreateAlignedStore(now, p, llvm::Align(8));
  b_->CreateBr(done_bb);
  b_->SetInsertPoint(done_bb);
  auto* phi = b_->CreatePHI(i64, 3, "elapsed");
  phi->addIncoming(b_->getInt64(0), from);
  phi->addIncoming(since, have_bb);
  phi->addIncoming(b_->getInt64(0), unset_bb);
  return phi;
}

// `cpid`: the runtime stores the -c command's pid in a one-element array
// once it has started the command, before any probe is attached.
llvm::Value* Codegen::gen_command_pid() {
  if (!command_pid_) {
    manifest_.command_pid_elf_name = "command_pid";
    command_pid_ = define_map_global(manifest_.command_pid_elf_name, 0,
                                     {{"type", kMapTypeArray}, {"max_entries", 1}, {"key_size", 4}, {"value_size", 8}});
  }
  auto* key = stack_buffer(4, {}, "cpid_key");
  b_->CreateAlignedStore(b_->getInt32(0), key, llvm::Align(8));
  return load_u64_or_zero(map_lookup(command_pid_, key), "cpid");
}

Value Codegen::gen_func_name(const Location& loc) {
  const uint32_t size = manifest_.func_name_size;
  if (!func_names_) {
    manifest_.func_names_elf_name = "func_names";
    // max_entries is a placeholder: the runtime sets the number of sites.
    func_names_ = define_map_global(manifest_.func_names_elf_name, 0,
                                    {{"type", kMapTypeArray}, {"max_entries", 1}, {"key_size", 4}, {"value_size", size}});
  }
  auto* i64 = b_->getInt64Ty();
  auto* buf = stack_buffer(size, loc, "func");
  zero_fill(buf, size);
  llvm::Value* cookie = call_helper(kGetAttachCookie, i64, {ctx_arg_}, "cookie");
  auto* key = stack_buffer(4, loc, "func_key");
  b_->CreateAlignedStore(b_->CreateTrunc(cookie, b_->getInt32Ty()), key, llvm::Align(8));
  llvm::Value* p = map_lookup(func_names_, key);
  auto* have_bb = llvm::BasicBlock::Create(*llvm_, "func_have", fn_);
  auto* done_bb = llvm::BasicBlock::Create(*llvm_, "func_done", fn_);
  b_->CreateCondBr(b_->CreateIsNull(p), done_bb, have_bb);
  b_->SetInsertPoint(have_bb);
  copy_bytes(buf, p, size);
  b_->CreateBr(done_bb);
  b_->SetInsertPoint(done_bb);
  return {buf, Type::string(size)};
}

}  // namespace ms::codegen_detail
