// Expressions: literals, builtins, variables, operators, ternaries and the
// calls that produce a value (str).
#include <cctype>

#include "codegen/codegen_impl.h"

namespace ms::codegen_detail {

namespace {

// struct pt_regs on x86-64.
constexpr uint32_t kRegsDi = 112, kRegsSi = 104, kRegsDx = 96, kRegsCx = 88, kRegsR8 = 72, kRegsR9 = 64,
                   kRegsAx = 80;
constexpr uint32_t kArgOffsets[] = {kRegsDi, kRegsSi, kRegsDx, kRegsCx, kRegsR8, kRegsR9};

}  // namespace

Value Codegen::gen_expr(const ast::Expr& e) {
  const Type* tp = type_of(e);
  if (!tp) return {b_->getInt64(0), Type::integer()};
  const Type t = *tp;
  switch (e.kind) {
    case ast::NodeKind::Integer:
      return {b_->getInt64(static_cast<const ast::Integer&>(e).value), t};
    case ast::NodeKind::String: {
      const auto& s = static_cast<const ast::String&>(e);
      return gen_string_literal(s.value, t.size, e.loc);
    }
    case ast::NodeKind::Builtin: return gen_builtin(static_cast<const ast::Builtin&>(e), t);
    case ast::NodeKind::Variable: {
      const auto& v = static_cast<const ast::Variable&>(e);
      llvm::AllocaInst* slot = variable_slot(v.name, t, e.loc);
      if (is_bytes(t)) return {slot, t};
      return {b_->CreateAlignedLoad(b_->getInt64Ty(), slot, llvm::Align(8), v.name), t};
    }
    case ast::NodeKind::Map: return gen_map_read(static_cast<const ast::Map&>(e));
    case ast::NodeKind::Call: return gen_call_expr(static_cast<const ast::Call&>(e), t);
    case ast::NodeKind::Binop: return gen_binop(static_cast<const ast::Binop&>(e), t);
    case ast::NodeKind::Unop: return gen_unop(static_cast<const ast::Unop&>(e), t);
    case ast::NodeKind::Ternary: return gen_ternary(static_cast<const ast::Ternary&>(e), t);
    case ast::NodeKind::FieldAccess: {
      const auto& f = static_cast<const ast::FieldAccess&>(e);
      return f.is_index() && !f.arrow ? gen_tuple_element(f, t) : gen_tracepoint_field(f, t);
    }
    case ast::NodeKind::Tuple: return gen_tuple(static_cast<const ast::Tuple&>(e), t);
    case ast::NodeKind::Cast: return gen_cast(static_cast<const ast::Cast&>(e), t);
    case ast::NodeKind::Deref: return gen_deref(static_cast<const ast::Deref&>(e), t);
    default: break;
  }
  internal_error(e.loc, "unexpected node in an expression");
  return {b_->getInt64(0), Type::integer()};
}

llvm::Value* Codegen::gen_int(const ast::Expr& e) {
  Value v = gen_expr(e);
  if (is_bytes(v.type)) {
    internal_error(e.loc, "a string or tuple where an integer is expected");
    return b_->getInt64(0);
  }
  return v.v;
}

llvm::Value* Codegen::gen_cond(const ast::Expr& e) { return b_->CreateICmpNE(gen_int(e), b_->getInt64(0), "cond"); }

Value Codegen::gen_string_literal(const std::string& s, uint32_t size, const Location& loc) {
  // Built on the stack with immediate stores: a constant in .rodata would make
  // libbpf create an extra global-data map the runtime does not expect.
  if (size == 0) size = static_cast<uint32_t>(s.size()) + 1;
  auto* buf = stack_buffer(size, loc, "str_lit");
  const uint32_t padded = align8(size);
  for (uint32_t off = 0; off < padded; off += 8) {
    uint64_t word = 0;
    for (uint32_t i = 0; i < 8; ++i) {
      uint32_t idx = off + i;
      if (idx < s.size() && idx < size) word |= static_cast<uint64_t>(static_cast<uint8_t>(s[idx])) << (8 * i);
    }
    b_->CreateAlignedStore(b_->getInt64(word), byte_ptr(buf, off), llvm::Align(8));
  }
  return {buf, Type::string(size)};
}

Value Codegen::gen_builtin(const ast::Builtin& bi, const Type& t) {
  auto* i64 = b_->getInt64Ty();
  const std::string& n = bi.name;
  if (n == "pid" || n == "tid") {
    llvm::Value* v = call_helper(kGetCurrentPidTgid, i64, {}, "pid_tgid");
    return {n == "pid" ? b_->CreateLShr(v, 32) : b_->CreateAnd(v, 0xffffffffull), t};
  }
  if (n == "uid" || n == "gid") {
    llvm::Value* v = call_helper(kGetCurrentUidGid, i64, {}, "uid_gid");
    return {n == "gid" ? b_->CreateLShr(v, 32) : b_->CreateAnd(v, 0xffffffffull), t};
  }
  if (n == "nsecs") return {call_helper(kKtimeGetNs, i64, {}, "nsecs"), t};
  if (n == "elapsed") return {gen_elapsed(), t};
  if (n == "cpid") return {gen_command_pid(), t};
  if (n == "cpu") return {call_helper(kGetSmpProcessorId, i64, {}, "cpu"), t};
  if (n == "rand") return {b_->CreateAnd(call_helper(kGetPrandomU32, i64, {}, "rand"), 0xffffffffull), t};
  if (n == "cgroup") return {call_helper(kGetCurrentCgroupId, i64, {}, "cgroup"), t};
  if (n == "curtask") return {call_helper(kGetCurrentTask, i64, {}, "curtask"), t};
  if (n == "comm") {
    uint32_t size = t.kind == TypeKind::String && t.size ? t.size : kCommSize;
    auto* buf = stack_buffer(size, bi.loc, "comm");
    zero_fill(buf, size);
    call_helper(kGetCurrentComm, i64, {buf, b_->getInt64(std::min(size, kCommSize))});
    return {buf, Type::string(size)};
  }
  const bool regs_ctx = attach_->type != manifest::ProbeType::Tracepoint;
  if (attach_->type == manifest::ProbeType::Usdt && n.size() >= 4 && n.compare(0, 3, "arg") == 0 &&
      std::isdigit(static_cast<unsigned char>(n[3])))
    return gen_usdt_arg(static_cast<uint32_t>(std::stoul(n.substr(3))), bi.loc, t);
  if (n.size() == 4 && n.compare(0, 3, "arg") == 0 && n[3] >= '0' && n[3] <= '5') {
    if (!regs_ctx) {
      error(bi.loc, n + " is not available in tracepoint probes");
      return {b_->getInt64(0), t};
    }
    return {load_ctx_u64(kArgOffsets[n[3] - '0']), t};
  }
  if (n == "retval") {
    if (!regs_ctx) {
      error(bi.loc, "retval is not available in tracepoint probes");
      return {b_->getInt64(0), t};
    }
    return {load_ctx_u64(kRegsAx), t};
  }
  if (n == "ustack" || n == "kstack") return gen_stack(t, bi.loc);
  if (n == "probe") return gen_string_literal(probe_name_, t.size, bi.loc);
  if (n == "func") {
    // One site known at compile time: its name. Several (a wildcard) or an
    // address: the runtime's name for the cookie of the site that fired.
    const std::string& f = attach_->func;
    bool multi = f.find_first_of("*?[") != std::string::npos || (!f.empty() && std::isdigit(static_cast<unsigned char>(f[0])));
    if (multi) return gen_func_name(bi.loc);
    return gen_string_literal(f.substr(0, f.find('+')), t.size, bi.loc);
  }
  error(bi.loc, "builtin '" + n + "' is not supported by the code generator");
  return {b_->getInt64(0), Type::integer()};
}

llvm::AllocaInst* Codegen::variable_slot(const std::string& name, const Type& t, const Location& loc) {
  auto it = vars_.find(name);
  if (it != vars_.end()) return it->second;
  // Prefer the probe-wide type: a variable's slot must fit every assignment.
  Type vt = t;
  if (auto pv = info_.variables.find(probe_); pv != info_.variables.end())
    if (auto v = pv->second.find(name); v != pv->second.end()) vt = v->second;
  uint32_t size = is_bytes(vt) ? vt.size : 8;
  auto* slot = stack_buffer(size, loc, name);
  // Zeroed at entry: a read on a path that never assigned must not touch
  // uninitialised stack, which the verifier refuses.
  llvm::IRBuilder<> eb(entry_);
  eb.SetCurrentDebugLocation(b_->getCurrentDebugLocation());
  eb.CreateMemSet(slot, eb.getInt8(0), align8(size), llvm::MaybeAlign(8));
  vars_[name] = slot;
  return slot;
}

llvm::Value* Codegen::gen_signed_divrem(llvm::Value* a, llvm::Value* b, bool rem) {
  // BPF before cpu v4 has no signed division: divide magnitudes and fix signs.
  auto* zero = b_->getInt64(0);
  llvm::Value* a_neg = b_->CreateICmpSLT(a, zero);
  llvm::Value* b_neg = b_->CreateICmpSLT(b, zero);
  llvm::Value* ua = b_->CreateSelect(a_neg, b_->CreateNeg(a), a);
  llvm::Value* ub = b_->CreateSelect(b_neg, b_->CreateNeg(b), b);
  if (rem) {
    llvm::Value* r = b_->CreateURem(ua, ub);
    return b_->CreateSelect(a_neg, b_->CreateNeg(r), r);
  }
  llvm::Value* q = b_->CreateUDiv(ua, ub);
  return b_->CreateSelect(b_->CreateXor(a_neg, b_neg), b_->CreateNeg(q), q);
}

Value Codegen::gen_binop(const ast::Binop& bo, const Type& t) {
  using Op = ast::BinaryOp;
  auto* i64 = b_->getInt64Ty();
  if (bo.op == Op::LogicalAnd || bo.op == Op::LogicalOr) {
    const bool is_and = bo.op == Op::LogicalAnd;
    llvm::Value* lhs = gen_cond(*bo.lhs);
    llvm::BasicBlock* lhs_end = b_->GetInsertBlock();
    auto* rhs_bb = llvm::BasicBlock::Create(*llvm_, is_and ? "and_rhs" : "or_rhs", fn_);
    auto* done_bb = llvm::BasicBlock::Create(*llvm_, is_and ? "and_done" : "or_done", fn_);
    if (is_and)
      b_->CreateCondBr(lhs, rhs_bb, done_bb);
    else
      b_->CreateCondBr(lhs, done_bb, rhs_bb);
    b_->SetInsertPoint(rhs_bb);
    llvm::Value* rhs = gen_cond(*bo.rhs);
    llvm::BasicBlock* rhs_end = b_->GetInsertBlock();
    b_->CreateBr(done_bb);
    b_->SetInsertPoint(done_bb);
    auto* phi = b_->CreatePHI(b_->getInt1Ty(), 2);
    phi->addIncoming(b_->getInt1(!is_and), lhs_end);
    phi->addIncoming(rhs, rhs_end);
    return {b_->CreateZExt(phi, i64), t};
  }

  Value lv = gen_expr(*bo.lhs);
  Value rv = gen_expr(*bo.rhs);
  const bool lstr = lv.type.kind == TypeKind::String, rstr = rv.type.kind == TypeKind::String;
  if (lstr || rstr) {
    if (lstr && rstr && (bo.op == Op::Eq || bo.op == Op::Ne)) {
      llvm::Value* eq = gen_string_eq(lv, rv);
      if (bo.op == Op::Ne) eq = b_->CreateNot(eq);
      return {b_->CreateZExt(eq, i64), t};
    }
    error(bo.loc, std::string("operator '") + ast::to_string(bo.op) + "' cannot be applied to strings");
    return {b_->getInt64(0), Type::integer()};
  }
  llvm::Value* l = lv.v;
  llvm::Value* r = rv.v;
  const bool sign = t.is_signed;
  const bool cmp_sign = lv.type.is_signed && rv.type.is_signed;
  auto cmp = [&](llvm::CmpInst::Predicate p) -> Value { return {b_->CreateZExt(b_->CreateICmp(p, l, r), i64), t}; };
  switch (bo.op) {
    case Op::Add:
    case Op::Sub:
    case Op::Mul:
    case Op::Div:
    case Op::Mod:
    case Op::BitAnd:
    case Op::BitOr:
    case Op::BitXor:
    case Op::Shl:
    case Op::Shr: return {gen_arith(bo.op, l, r, sign, bo.loc), t};
    case Op::Eq: return cmp(llvm::CmpInst::ICMP_EQ);
    case Op::Ne: return cmp(llvm::CmpInst::ICMP_NE);
    case Op::Lt: return cmp(cmp_sign ? llvm::CmpInst::ICMP_SLT : llvm::CmpInst::ICMP_ULT);
    case Op::Le: return cmp(cmp_sign ? llvm::CmpInst::ICMP_SLE : llvm::CmpInst::ICMP_ULE);
    case Op::Gt: return cmp(cmp_sign ? llvm::CmpInst::ICMP_SGT : llvm::CmpInst::ICMP_UGT);
    case Op::Ge: return cmp(cmp_sign ? llvm::CmpInst::ICMP_SGE : llvm::CmpInst::ICMP_UGE);
    case Op::LogicalAnd:
    case Op::LogicalOr: break;
  }
  internal_error(bo.loc, "unknown binary operator");
  return {b_->getInt64(0), Type::integer()};
}

llvm::Value* Codegen::gen_arith(ast::BinaryOp op, llvm::Value* l, llvm::Value* r, bool sign, const Location& loc) {
  using Op = ast::BinaryOp;
  switch (op) {
    case Op::Add: return b_->CreateAdd(l, r);
    case Op::Sub: return b_->CreateSub(l, r);
    case Op::Mul: return b_->CreateMul(l, r);
    // Division by zero yields 0 in BPF; no trap to guard against.
    case Op::Div: return sign ? gen_signed_divrem(l, r, false) : b_->CreateUDiv(l, r);
    case Op::Mod: return sign ? gen_signed_divrem(l, r, true) : b_->CreateURem(l, r);
    case Op::BitAnd: return b_->CreateAnd(l, r);
    case Op::BitOr: return b_->CreateOr(l, r);
    case Op::BitXor: return b_->CreateXor(l, r);
    // Shift counts are masked: a count >= 64 would be poison in LLVM.
    case Op::Shl: return b_->CreateShl(l, b_->CreateAnd(r, 63));
    case Op::Shr: return sign ? b_->CreateAShr(l, b_->CreateAnd(r, 63)) : b_->CreateLShr(l, b_->CreateAnd(r, 63));
    default: break;
  }
  internal_error(loc, std::string("operator '") + ast::to_string(op) + "' is not arithmetic");
  return b_->getInt64(0);
}

namespace {

// (int8) -> 1 byte, signed; (uint32) -> 4 bytes, unsigned.
std::pair<uint32_t, bool> int_type_of(const std::string& name) {
  const bool is_signed = name[0] != 'u';
  return {static_cast<uint32_t>(std::stoi(name.substr(is_signed ? 3 : 4))) / 8, is_signed};
}

}  // namespace

Value Codegen::gen_cast(const ast::Cast& c, const Type& t) {
  llvm::Value* v = gen_int(*c.operand);
  if (c.pointer) return {v, t};
  auto [bytes, is_signed] = int_type_of(c.type_name);
  if (bytes == 8) return {v, t};
  // Truncate to the type's width, then widen back to 64 bits by its sign.
  llvm::Value* narrow = b_->CreateTrunc(v, b_->getIntNTy(bytes * 8));
  return {is_signed ? b_->CreateSExt(narrow, b_->getInt64Ty()) : b_->CreateZExt(narrow, b_->getInt64Ty()), t};
}

Value Codegen::gen_deref(const ast::Deref& d, const Type& t) {
  const Type* pt = type_of(*d.operand);
  llvm::Value* p = gen_int(*d.operand);
  const uint32_t bytes = pt && pt->pointee ? pt->pointee : 8;
  // Read from user memory into a zeroed slot: a failed read yields 0, as in bpftrace.
  auto* buf = stack_buffer(8, d.loc, "deref");
  b_->CreateAlignedStore(b_->getInt64(0), buf, llvm::Align(8));
  call_helper(kProbeReadUser, b_->getInt64Ty(), {buf, b_->getInt32(bytes), p});
  llvm::Value* v = b_->CreateAlignedLoad(b_->getIntNTy(bytes * 8), buf, llvm::Align(8));
  if (bytes == 8) return {v, t};
  return {pt->pointee_signed ? b_->CreateSExt(v, b_->getInt64Ty()) : b_->CreateZExt(v, b_->getInt64Ty()), t};
}

Value Codegen::gen_strncmp(const ast::Call& c, const Type& t) {
  // 0 when the first n bytes match (stopping early at a shared NUL), 1 otherwise, as bpftrace.
  Value a = gen_expr(*c.args[0]);
  Value b = gen_expr(*c.args[1]);
  uint64_t n = c.args[2]->kind == ast::NodeKind::Integer ? static_cast<const ast::Integer&>(*c.args[2]).value : 0;
  n = std::min<uint64_t>(n, std::min(a.type.size, b.type.size));
  auto* i8 = b_->getInt8Ty();
  auto* eq_bb = llvm::BasicBlock::Create(*llvm_, "strncmp_eq", fn_);
  auto* ne_bb = llvm::BasicBlock::Create(*llvm_, "strncmp_ne", fn_);
  auto* done_bb = llvm::BasicBlock::Create(*llvm_, "strncmp_done", fn_);
  for (uint64_t i = 0; i < n; ++i) {
    llvm::Value* ca = b_->CreateLoad(i8, byte_ptr(a.v, static_cast<uint32_t>(i)));
    llvm::Value* cb = b_->CreateLoad(i8, byte_ptr(b.v, static_cast<uint32_t>(i)));
    auto* same_bb = llvm::BasicBlock::Create(*llvm_, "strncmp_same", fn_);
    b_->CreateCondBr(b_->CreateICmpNE(ca, cb), ne_bb, same_bb);
    b_->SetInsertPoint(same_bb);
    auto* next_bb = llvm::BasicBlock::Create(*llvm_, "strncmp_next", fn_);
    b_->CreateCondBr(b_->CreateICmpEQ(ca, b_->getInt8(0)), eq_bb, next_bb);
    b_->SetInsertPoint(next_bb);
  }
  b_->CreateBr(eq_bb);
  b_->SetInsertPoint(eq_bb);
  b_->CreateBr(done_bb);
  b_->SetInsertPoint(ne_bb);
  b_->CreateBr(done_bb);
  b_->SetInsertPoint(done_bb);
  auto* phi = b_->CreatePHI(b_->getInt64Ty(), 2, "strncmp");
  phi->addIncoming(b_->getInt64(0), eq_bb);
  phi->addIncoming(b_->getInt64(1), ne_bb);
  return {phi, t};
}

llvm::Value* Codegen::gen_string_eq(const Value& a, const Value& b) {
  // Unrolled compare: stop at the first difference or at a NUL both share.
  // When one buffer is shorter and all of it matched, the strings are equal
  // only if the longer one ends right there.
  const uint32_t n = std::min(a.type.size, b.type.size);
  auto* i8 = b_->getInt8Ty();
  auto* eq_bb = llvm::BasicBlock::Create(*llvm_, "streq_eq", fn_);
  auto* ne_bb = llvm::BasicBlock::Create(*llvm_, "streq_ne", fn_);
  auto* done_bb = llvm::BasicBlock::Create(*llvm_, "streq_done", fn_);
  for (uint32_t i = 0; i < n; ++i) {
    llvm::Value* ca = b_->CreateLoad(i8, byte_ptr(a.v, i));
    llvm::Value* cb = b_->CreateLoad(i8, byte_ptr(b.v, i));
    auto* same_bb = llvm::BasicBlock::Create(*llvm_, "streq_same", fn_);
    b_->CreateCondBr(b_->CreateICmpNE(ca, cb), ne_bb, same_bb);
    b_->SetInsertPoint(same_bb);
    auto* next_bb = llvm::BasicBlock::Create(*llvm_, "streq_next", fn_);
    b_->CreateCondBr(b_->CreateICmpEQ(ca, b_->getInt8(0)), eq_bb, next_bb);
    b_->SetInsertPoint(next_bb);
  }
  if (a.type.size == b.type.size) {
    b_->CreateBr(eq_bb);
  } else {
    const Value& longer = a.type.size > b.type.size ? a : b;
    llvm::Value* c = b_->CreateLoad(i8, byte_ptr(longer.v, n));
    b_->CreateCondBr(b_->CreateICmpEQ(c, b_->getInt8(0)), eq_bb, ne_bb);
  }
  b_->SetInsertPoint(eq_bb);
  b_->CreateBr(done_bb);
  b_->SetInsertPoint(ne_bb);
  b_->CreateBr(done_bb);
  b_->SetInsertPoint(done_bb);
  auto* phi = b_->CreatePHI(b_->getInt1Ty(), 2, "streq");
  phi->addIncoming(b_->getInt1(true), eq_bb);
  phi->addIncoming(b_->getInt1(false), ne_bb);
  return phi;
}

Value Codegen::gen_unop(const ast::Unop& u, const Type& t) {
  llvm::Value* v = gen_int(*u.operand);
  switch (u.op) {
    case ast::UnaryOp::LogicalNot: return {b_->CreateZExt(b_->CreateICmpEQ(v, b_->getInt64(0)), b_->getInt64Ty()), t};
    case ast::UnaryOp::BitNot: return {b_->CreateNot(v), t};
    case ast::UnaryOp::Minus: return {b_->CreateNeg(v), t};
  }
  internal_error(u.loc, "unknown unary operator");
  return {b_->getInt64(0), t};
}

Value Codegen::gen_ternary(const ast::Ternary& te, const Type& t) {
  llvm::Value* cond = gen_cond(*te.cond);
  auto* then_bb = llvm::BasicBlock::Create(*llvm_, "tern_then", fn_);
  auto* else_bb = llvm::BasicBlock::Create(*llvm_, "tern_else", fn_);
  auto* done_bb = llvm::BasicBlock::Create(*llvm_, "tern_done", fn_);
  llvm::AllocaInst* buf = nullptr;
  if (t.kind == TypeKind::String) {
    // Both arms copy into one result buffer of the result's size.
    buf = stack_buffer(t.size, te.loc, "tern_str");
    zero_fill(buf, t.size);
  }
  b_->CreateCondBr(cond, then_bb, else_bb);

  auto arm = [&](const ast::Expr& e, llvm::BasicBlock* bb) -> std::pair<llvm::Value*, llvm::BasicBlock*> {
    b_->SetInsertPoint(bb);
    Value v = gen_expr(e);
    llvm::Value* out = nullptr;
    if (buf) {
      if (v.type.kind == TypeKind::String) copy_bytes(buf, v.v, std::min(v.type.size, t.size));
      else internal_error(e.loc, "ternary arms of different kinds");
    } else {
      out = v.type.kind == TypeKind::String ? b_->getInt64(0) : v.v;
    }
    llvm::BasicBlock* end = b_->GetInsertBlock();
    b_->CreateBr(done_bb);
    return {out, end};
  };
  auto [tv, tend] = arm(*te.then_expr, then_bb);
  auto [fv, fend] = arm(*te.else_expr, else_bb);
  b_->SetInsertPoint(done_bb);
  if (buf) return {buf, t};
  auto* phi = b_->CreatePHI(b_->getInt64Ty(), 2, "tern");
  phi->addIncoming(tv, tend);
  phi->addIncoming(fv, fend);
  return {phi, t};
}

Value Codegen::gen_call_expr(const ast::Call& c, const Type& t) {
  if (c.func == "strncmp") return gen_strncmp(c, t);
  if (c.func == "rand_exp") return {gen_rand_exp(gen_int(*c.args[0])), t};
  if (c.func == "len") return gen_map_len(c);
  if (c.func == "strftime") return {gen_int(*c.args[1]), t};  // formatted in user space
  if (c.func == "has_key") return gen_has_key(c);
  if (c.func == "buf") {
    // An 8-byte length then the bytes, as manifest::FieldKind::Buffer; a failed read leaves zeros.
    llvm::Value* src = gen_int(*c.args[0]);
    auto* buf = stack_buffer(t.size, c.loc, "buf");
    zero_fill(buf, t.size);
    b_->CreateAlignedStore(b_->getInt64(t.size - 8), buf, llvm::Align(8));
    call_helper(kProbeReadUser, b_->getInt64Ty(), {byte_ptr(buf, 8), b_->getInt32(t.size - 8), src});
    return {buf, t};
  }
  if (c.func == "str") {
    if (c.args.empty() || c.args.size() > 2) {
      internal_error(c.loc, "str() takes one or two arguments");
      return {b_->getInt64(0), Type::integer()};
    }
    uint32_t size = t.kind == TypeKind::String && t.size ? t.size : kDefaultStringSize;
    uint32_t read = size;
    if (c.args.size() == 2) {
      if (c.args[1]->kind != ast::NodeKind::Integer) {
        error(c.args[1]->loc, "the length given to str() must be a constant");
        return {b_->getInt64(0), Type::integer()};
      }
      // The length counts characters; the NUL needs one more byte.
      uint64_t n = static_cast<const ast::Integer&>(*c.args[1]).value;
      read = static_cast<uint32_t>(std::min<uint64_t>(n + 1, size));
    }
    llvm::Value* src = gen_int(*c.args[0]);
    auto* buf = stack_buffer(size, c.loc, "str");
    zero_fill(buf, size);
    call_helper(kProbeReadUserStr, b_->getInt64Ty(), {buf, b_->getInt32(read), src});
    return {buf, Type::string(size)};
  }
  if (c.func == "ustack" && !c.args.empty() && c.args[0]->kind == ast::NodeKind::Builtin) {
    const std::string& mode = static_cast<const ast::Builtin&>(*c.args[0]).name;
    if (mode == "dwarf") return gen_stack_snapshot(t, c.loc);
    if (mode == "auto") return gen_stack_auto(t, c.loc);
  }
  if (c.func == "ustack" || c.func == "kstack") return gen_stack(t, c.loc);
  if (c.func == "usym" || c.func == "ksym") {
    if (c.args.size() != 1) {
      internal_error(c.loc, c.func + "() takes one argument");
      return {b_->getInt64(0), Type::integer()};
    }
    return {gen_int(*c.args[0]), t};
  }
  error(c.loc, "function '" + c.func + "' does not produce a value here");
  return {b_->getInt64(0), Type::integer()};
}

}  // namespace ms::codegen_detail
