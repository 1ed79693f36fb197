// Statements and the ring-buffer events they send (printf, exit, print, clear).
#include "codegen/codegen_impl.h"
#include "parser/builtins.h"

namespace ms::codegen_detail {

void Codegen::gen_block(const ast::Block& block) {
  for (const auto& s : block) gen_stmt(*s);
}

void Codegen::gen_stmt(const ast::Stmt& s) {
  set_loc(s.loc);
  switch (s.kind) {
    case ast::NodeKind::ExprStmt: {
      const auto& es = static_cast<const ast::ExprStmt&>(s);
      if (es.expr->kind == ast::NodeKind::Call)
        gen_call_stmt(static_cast<const ast::Call&>(*es.expr));
      else
        gen_expr(*es.expr);
      return;
    }
    case ast::NodeKind::AssignMap: gen_map_assign(static_cast<const ast::AssignMap&>(s)); return;
    case ast::NodeKind::AssignVar: {
      const auto& av = static_cast<const ast::AssignVar&>(s);
      if (av.compound) return gen_compound_var_assign(av);
      Value v = gen_expr(*av.expr);
      if (!v.v) return;
      llvm::AllocaInst* slot = variable_slot(av.var->name, v.type, av.var->loc);
      const uint64_t slot_size = slot->getAllocatedType()->getArrayNumElements();
      if (v.type.kind == TypeKind::Tuple) {
        // The slot has the probe-wide type of the variable (elements widened).
        Type vt = v.type;
        if (auto pv = info_.variables.find(probe_); pv != info_.variables.end())
          if (auto it = pv->second.find(av.var->name); it != pv->second.end()) vt = it->second;
        zero_fill(slot, static_cast<uint32_t>(slot_size));
        store_value(slot, v, vt);
      } else if (v.type.kind == TypeKind::String) {
        if (v.type.size < slot_size) zero_fill(slot, static_cast<uint32_t>(slot_size));
        copy_bytes(slot, v.v, std::min<uint32_t>(v.type.size, static_cast<uint32_t>(slot_size)));
      } else {
        b_->CreateAlignedStore(v.v, slot, llvm::Align(8));
      }
      return;
    }
    case ast::NodeKind::If: {
      const auto& is = static_cast<const ast::If&>(s);
      if (is.cond->kind == ast::NodeKind::Integer) {
        // Decided by the options (passes/fold_predicates.cpp): only the
        // branch taken exists in the program.
        gen_block(static_cast<const ast::Integer&>(*is.cond).value ? is.then_block : is.else_block);
        return;
      }
      llvm::Value* cond = gen_cond(*is.cond);
      auto* then_bb = llvm::BasicBlock::Create(*llvm_, "if_then", fn_);
      auto* else_bb = llvm::BasicBlock::Create(*llvm_, "if_else", fn_);
      auto* done_bb = llvm::BasicBlock::Create(*llvm_, "if_done", fn_);
      b_->CreateCondBr(cond, then_bb, else_bb);
      b_->SetInsertPoint(then_bb);
      gen_block(is.then_block);
      b_->CreateBr(done_bb);
      b_->SetInsertPoint(else_bb);
      gen_block(is.else_block);
      b_->CreateBr(done_bb);
      b_->SetInsertPoint(done_bb);
      return;
    }
    case ast::NodeKind::While: gen_while(static_cast<const ast::While&>(s)); return;
    case ast::NodeKind::Unroll: gen_unroll(static_cast<const ast::Unroll&>(s)); return;
    case ast::NodeKind::Jump: gen_jump(static_cast<const ast::Jump&>(s)); return;
    default: break;
  }
  internal_error(s.loc, "unexpected node in a statement");
}

void Codegen::gen_call_stmt(const ast::Call& c) {
  const std::string& f = c.func;
  if (f == "printf") return gen_printf(c);
  if (f == "exit") return gen_exit(c);
  if (f == "skip_return") {
    // Outside a session (no uretprobe fused with this uprobe, or a kernel
    // without sessions) the return probe runs anyway: nothing to do.
    if (session_skip_) b_->CreateStore(b_->getInt64(1), session_skip_);
    return;
  }
  if (f == "print") return gen_print(c);
  if (f == "print_leaks" || f == "print_leak_stacks") return gen_leak_report(c);
  if (f == "zero") return gen_map_event(c, manifest::EventKind::Zero);
  if (f == "signal") return gen_signal(c);
  if (f == "join") return gen_join(c);
  if (f == "time") {
    manifest::EventDesc desc;
    desc.kind = manifest::EventKind::Time;
    desc.size = 8;
    desc.format = c.args.empty() ? "%H:%M:%S\n" : static_cast<const ast::String&>(*c.args[0]).value;
    const int id = event_for(c, std::move(desc));
    emit_event(static_cast<uint32_t>(id), {}, 8, c.loc);
    return;
  }
  if (f == "clear") return gen_map_event(c, manifest::EventKind::Clear);
  if (f == "delete") return gen_map_delete(c);
  if (f == "count" || f == "sum" || f == "min" || f == "max" || f == "avg" || f == "stats" || f == "hist" ||
      f == "lhist") {
    error(c.loc, f + "() must be assigned to a map", "e.g. @calls[comm] = " + f + "(" + (f == "count" ? "" : "arg0") + ")");
    return;
  }
  gen_expr(c);
}

int Codegen::event_for(const ast::Call& c, manifest::EventDesc desc) {
  // One event per script site, shared by every attach point of the probe.
  auto it = event_ids_.find(&c);
  if (it != event_ids_.end()) return it->second;
  desc.id = static_cast<uint32_t>(manifest_.events.size());
  desc.line = c.loc.line;
  manifest_.events.push_back(std::move(desc));
  event_ids_[&c] = static_cast<int>(manifest_.events.back().id);
  return static_cast<int>(manifest_.events.back().id);
}

void Codegen::emit_event(uint32_t id, const std::vector<std::pair<const Value*, manifest::Field>>& args,
                         uint32_t size, const Location& loc) {
  auto* buf = stack_buffer(size, loc, "event");
  zero_fill(buf, size);
  b_->CreateAlignedStore(b_->getInt64(id), buf, llvm::Align(8));
  for (const auto& [val, field] : args) store_field(byte_ptr(buf, field.offset), *val, field.size);
  llvm::Value* rc =
      call_helper(kRingbufOutput, b_->getInt64Ty(), {ringbuf_, buf, b_->getInt64(align8(size)), b_->getInt64(0)});
  count_lost_event(b_->CreateICmpSLT(rc, b_->getInt64(0)), id);
}

void Codegen::gen_printf(const ast::Call& c) {
  if (c.args.empty() || c.args[0]->kind != ast::NodeKind::String) {
    internal_error(c.loc, "printf() without a format string");
    return;
  }
  manifest::EventDesc desc;
  desc.kind = manifest::EventKind::Printf;
  desc.format = static_cast<const ast::String&>(*c.args[0]).value;

  std::vector<Value> values;
  values.reserve(c.args.size());
  uint32_t off = 8;
  for (size_t i = 1; i < c.args.size(); ++i) {
    Value v = gen_expr(*c.args[i]);
    manifest::Field f = field_of(v.type, off);
    desc.args.push_back(f);
    values.push_back(v);
    off = align8(off + f.size);
  }
  desc.size = off;
  if (desc.size > kBpfStackLimit / 2) {
    error(c.loc,
          "printf() arguments take " + std::to_string(desc.size) + " bytes, more than the " +
              std::to_string(kBpfStackLimit / 2) + " bytes an event may use",
          "print fewer or shorter strings");
    return;
  }
  std::vector<std::pair<const Value*, manifest::Field>> args;
  for (size_t i = 0; i < values.size(); ++i) args.emplace_back(&values[i], desc.args[i]);
  const uint32_t size = desc.size;
  const int id = event_for(c, std::move(desc));
  emit_event(static_cast<uint32_t>(id), args, size, c.loc);
}

void Codegen::return_zero_and_continue_dead() {
  b_->CreateRet(probe_return_value());
  // Whatever follows in the same block is unreachable; give it a block with no
  // predecessors, which the optimiser deletes.
  b_->SetInsertPoint(llvm::BasicBlock::Create(*llvm_, "after_exit", fn_));
}

void Codegen::gen_exit(const ast::Call& c) {
  if (!c.args.empty()) {
    error(c.loc, "exit() takes no arguments");
    return;
  }
  manifest::EventDesc desc;
  desc.kind = manifest::EventKind::Exit;
  desc.size = 8;
  const int id = event_for(c, std::move(desc));
  emit_event(static_cast<uint32_t>(id), {}, 8, c.loc);
  return_zero_and_continue_dead();
}

void Codegen::gen_compound_var_assign(const ast::AssignVar& av) {
  const Type* vt = type_of(*av.var);
  const Type t = vt ? *vt : Type::integer();
  llvm::AllocaInst* slot = variable_slot(av.var->name, t, av.var->loc);
  llvm::Value* old = b_->CreateAlignedLoad(b_->getInt64Ty(), slot, llvm::Align(8), av.var->name);
  Value rhs = gen_expr(*av.expr);
  const bool sign = t.is_signed && rhs.type.is_signed;
  b_->CreateAlignedStore(gen_arith(*av.compound, old, rhs.v, sign, av.loc), slot, llvm::Align(8));
}

void Codegen::gen_print(const ast::Call& c) {
  const ast::Expr& first = *c.args[0];
  if (first.kind == ast::NodeKind::Map && static_cast<const ast::Map&>(first).keys.empty()) {
    const auto& m = static_cast<const ast::Map&>(first);
    MapDef* def = find_map(m.name, m.loc);
    if (!def || refuse_task_storage(*def, c.loc, "print()")) return;
    manifest::EventDesc desc;
    desc.kind = manifest::EventKind::Print;
    desc.size = 8;
    desc.map_index = def->index;
    if (c.args.size() > 1) desc.top = static_cast<uint32_t>(static_cast<const ast::Integer&>(*c.args[1]).value);
    if (c.args.size() > 2) desc.div = static_cast<uint32_t>(static_cast<const ast::Integer&>(*c.args[2]).value);
    const int id = event_for(c, std::move(desc));
    emit_event(static_cast<uint32_t>(id), {}, 8, c.loc);
    return;
  }
  // print(value): bpftrace prints the value and a newline, like printf would.
  Value v = gen_expr(first);
  manifest::EventDesc desc;
  desc.kind = manifest::EventKind::Value;
  manifest::Field f;
  f.offset = 8;
  if (v.type.kind == TypeKind::Tuple) {
    desc.format = "%s\n";  // the runtime renders the tuple as bpftrace does: (a, b)
    f = field_of(v.type, 8);
  } else if (v.type.kind == TypeKind::String) {
    desc.format = "%s\n";
    f.kind = manifest::FieldKind::String;
    f.size = v.type.size;
    f.is_signed = false;
  } else if (v.type.kind == TypeKind::Timestamp) {
    desc.format = "%s\n";
    f = field_of(v.type, 8);
  } else {
    desc.format = v.type.is_signed ? "%ld\n" : "%lu\n";
    f.is_signed = v.type.is_signed;
  }
  desc.args.push_back(f);
  desc.size = align8(8 + f.size);
  const uint32_t size = desc.size;
  const int id = event_for(c, std::move(desc));
  emit_event(static_cast<uint32_t>(id), {{&v, f}}, size, c.loc);
}

void Codegen::gen_leak_report(const ast::Call& c) {
  const bool per_address = c.func == "print_leaks";
  const size_t maps = per_address ? 1 : 2;
  manifest::EventDesc desc;
  desc.kind = manifest::EventKind::LeakReport;
  desc.size = 8;
  for (size_t i = 0; i < maps; ++i) {
    const auto& m = static_cast<const ast::Map&>(*c.args[i]);
    MapDef* def = find_map(m.name, m.loc);
    if (!def || refuse_task_storage(*def, c.loc, c.func + "()")) return;
    (i == 0 ? desc.map_index : desc.leak.count_map_index) = def->index;
  }
  auto number = [&](size_t i) -> uint64_t {
    const ast::Expr& a = *c.args[i];
    return a.kind == ast::NodeKind::Integer ? static_cast<const ast::Integer&>(a).value : 0;
  };
  for (size_t i = maps; i < c.args.size(); ++i) {
    const std::string_view name = leak_report_setting(per_address, i - maps);
    if (name == "top") desc.leak.top = static_cast<uint32_t>(number(i));
    else if (name == "older") desc.leak.min_age_ns = number(i);
    else if (name == "sort")
      desc.leak.sort_by_count = c.args[i]->kind == ast::NodeKind::String &&
                                static_cast<const ast::String&>(*c.args[i]).value == "count";
    else if (name == "show_allocs") desc.leak.show_allocs = number(i) != 0;
    else if (name == "sample_rate" && c.args[i]->kind == ast::NodeKind::Map) {
      const auto& m = static_cast<const ast::Map&>(*c.args[i]);
      if (MapDef* def = find_map(m.name, m.loc)) desc.leak.sample_rate_map_index = def->index;
    } else if (name == "sample_rate") desc.leak.sample_rate = std::max<uint64_t>(number(i), 1);
    else if (name == "folded") desc.leak.folded = number(i) != 0;
    else if (name == "sample_bytes") desc.leak.sample_bytes = number(i);
    else if (name == "growth") desc.leak.growth_intervals = static_cast<uint32_t>(number(i));
    else if (name == "since" && c.args[i]->kind == ast::NodeKind::Map) {
      const auto& m = static_cast<const ast::Map&>(*c.args[i]);
      if (MapDef* def = find_map(m.name, m.loc)) desc.leak.since_map_index = def->index;
    } else if (name == "since") desc.leak.since_ns = number(i);
  }
  const int id = event_for(c, std::move(desc));
  emit_event(static_cast<uint32_t>(id), {}, 8, c.loc);
}

void Codegen::gen_signal(const ast::Call& c) {
  const ast::Expr& a = *c.args[0];
  int sig = 0;
  if (a.kind == ast::NodeKind::String) sig = signal_number(static_cast<const ast::String&>(a).value);
  else if (a.kind == ast::NodeKind::Integer) sig = static_cast<int>(static_cast<const ast::Integer&>(a).value);
  if (sig <= 0) {
    internal_error(a.loc, "signal() without a constant signal");
    return;
  }
  call_helper(kSendSignal, b_->getInt64Ty(), {b_->getInt32(static_cast<uint32_t>(sig))});
}

void Codegen::gen_map_event(const ast::Call& c, manifest::EventKind kind) {
  if (c.args.size() != 1 || c.args[0]->kind != ast::NodeKind::Map) {
    error(c.loc, c.func + "() takes exactly one map, e.g. " + c.func + "(@x)");
    return;
  }
  const auto& m = static_cast<const ast::Map&>(*c.args[0]);
  if (!m.keys.empty()) {
    error(m.loc, c.func + "() takes a whole map, not one element", "write " + c.func + "(" + m.name + ")");
    return;
  }
  MapDef* def = find_map(m.name, m.loc);
  if (!def || refuse_task_storage(*def, c.loc, c.func + "()")) return;
  manifest::EventDesc desc;
  desc.kind = kind;
  desc.size = 8;
  desc.map_index = def->index;
  const int id = event_for(c, std::move(desc));
  emit_event(static_cast<uint32_t>(id), {}, 8, c.loc);
}

}  // namespace ms::codegen_detail
