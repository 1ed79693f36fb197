#include "parser/passes/fold_predicates.h"

#include <cstdint>
#include <limits>
#include <optional>

namespace ms::passes {

namespace {

// A constant: an integer with C's signedness (the type checker's rules), or a string.
struct Const {
  bool is_string = false;
  std::string s;
  uint64_t v = 0;
  bool is_signed = true;
};

Const integer(uint64_t v, bool is_signed) { return {false, {}, v, is_signed}; }
Const boolean(bool b) { return integer(b ? 1 : 0, true); }

// Puts a constant back into the tree in the form the type checker reads with
// the same type: a negative signed value as `-N`.
void replace(ast::ExprPtr& e, const Const& c) {
  Location loc = e->loc;
  if (c.is_string) {
    e = std::make_unique<ast::String>(c.s, loc);
  } else if (c.is_signed && static_cast<int64_t>(c.v) < 0) {
    uint64_t magnitude = ~c.v + 1;
    e = std::make_unique<ast::Unop>(ast::UnaryOp::Minus, std::make_unique<ast::Integer>(magnitude, loc), loc);
  } else {
    e = std::make_unique<ast::Integer>(c.v, loc);
  }
}

std::optional<Const> binary(ast::BinaryOp op, const Const& l, const Const& r) {
  using Op = ast::BinaryOp;
  if (l.is_string || r.is_string) {
    if (!l.is_string || !r.is_string) return std::nullopt;
    if (op == Op::Eq) return boolean(l.s == r.s);
    if (op == Op::Ne) return boolean(l.s != r.s);
    return std::nullopt;
  }
  bool is_signed = l.is_signed && r.is_signed;
  int64_t sl = static_cast<int64_t>(l.v), sr = static_cast<int64_t>(r.v);
  switch (op) {
    case Op::Add: return integer(l.v + r.v, is_signed);
    case Op::Sub: return integer(l.v - r.v, is_signed);
    case Op::Mul: return integer(l.v * r.v, is_signed);
    case Op::Div:
    case Op::Mod:
      // Left for the program to report or handle at run time.
      if (r.v == 0 || (is_signed && sl == std::numeric_limits<int64_t>::min() && sr == -1)) return std::nullopt;
      if (is_signed) return integer(static_cast<uint64_t>(op == Op::Div ? sl / sr : sl % sr), true);
      return integer(op == Op::Div ? l.v / r.v : l.v % r.v, false);
    case Op::BitAnd: return integer(l.v & r.v, is_signed);
    case Op::BitOr: return integer(l.v | r.v, is_signed);
    case Op::BitXor: return integer(l.v ^ r.v, is_signed);
    case Op::Shl:
      if (r.v >= 64) return std::nullopt;
      return integer(l.v << r.v, l.is_signed);
    case Op::Shr:
      if (r.v >= 64) return std::nullopt;
      return integer(l.is_signed ? static_cast<uint64_t>(sl >> r.v) : l.v >> r.v, l.is_signed);
    case Op::Eq: return boolean(l.v == r.v);
    case Op::Ne: return boolean(l.v != r.v);
    case Op::Lt: return boolean(is_signed ? sl < sr : l.v < r.v);
    case Op::Le: return boolean(is_signed ? sl <= sr : l.v <= r.v);
    case Op::Gt: return boolean(is_signed ? sl > sr : l.v > r.v);
    case Op::Ge: return boolean(is_signed ? sl >= sr : l.v >= r.v);
    case Op::LogicalAnd: return boolean(l.v && r.v);
    case Op::LogicalOr: return boolean(l.v || r.v);
  }
  return std::nullopt;
}

// Folds the constant parts of `e` in place; returns its value when all of it is constant.
std::optional<Const> fold(ast::ExprPtr& e) {
  switch (e->kind) {
    case ast::NodeKind::Integer: {
      uint64_t v = static_cast<ast::Integer&>(*e).value;
      return integer(v, v <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max()));
    }
    case ast::NodeKind::String:
      return Const{true, static_cast<ast::String&>(*e).value, 0, false};
    case ast::NodeKind::Unop: {
      auto& u = static_cast<ast::Unop&>(*e);
      auto c = fold(u.operand);
      if (!c || c->is_string) return std::nullopt;
      Const out;
      switch (u.op) {
        case ast::UnaryOp::LogicalNot: out = boolean(c->v == 0); break;
        case ast::UnaryOp::BitNot: out = integer(~c->v, c->is_signed); break;
        case ast::UnaryOp::Minus:
          // `-N` is already the literal form of a negative number.
          if (u.operand->kind == ast::NodeKind::Integer) return integer(~c->v + 1, c->is_signed);
          out = integer(~c->v + 1, c->is_signed);
          break;
      }
      replace(e, out);
      return out;
    }
    case ast::NodeKind::Binop: {
      auto& b = static_cast<ast::Binop&>(*e);
      auto l = fold(b.lhs);
      auto r = fold(b.rhs);
      // `0 && x` and `1 || x` are known without x.
      if (l && !l->is_string && b.op == ast::BinaryOp::LogicalAnd && l->v == 0) {
        replace(e, boolean(false));
        return boolean(false);
      }
      if (l && !l->is_string && b.op == ast::BinaryOp::LogicalOr && l->v != 0) {
        replace(e, boolean(true));
        return boolean(true);
      }
      if (!l || !r) return std::nullopt;
      auto out = binary(b.op, *l, *r);
      if (out) replace(e, *out);
      return out;
    }
    case ast::NodeKind::Ternary: {
      auto& t = static_cast<ast::Ternary&>(*e);
      auto c = fold(t.cond);
      if (!c || c->is_string) {
        fold(t.then_expr);
        fold(t.else_expr);
        return std::nullopt;
      }
      ast::ExprPtr chosen = std::move(c->v ? t.then_expr : t.else_expr);
      e = std::move(chosen);
      return fold(e);
    }
    default:
      return std::nullopt;
  }
}

// Folds a predicate where only its truth matters, so `x && 1` can become `x`.
std::optional<bool> truth(ast::ExprPtr& e) {
  if (e->kind == ast::NodeKind::Binop) {
    auto& b = static_cast<ast::Binop&>(*e);
    if (b.op == ast::BinaryOp::LogicalAnd || b.op == ast::BinaryOp::LogicalOr) {
      bool is_and = b.op == ast::BinaryOp::LogicalAnd;
      auto l = truth(b.lhs);
      auto r = truth(b.rhs);
      // The side that decides alone (false for &&, true for ||).
      if ((l && *l != is_and) || (r && *r != is_and)) return !is_and;
      if (l && r) return is_and;
      if (l) e = std::move(b.rhs);  // the known side is neutral
      else if (r) e = std::move(b.lhs);
      return std::nullopt;
    }
  }
  auto c = fold(e);
  if (!c || c->is_string) return std::nullopt;
  return c->v != 0;
}

// An `if` whose condition the options decide gets that constant (1 or 0) as
// its condition, and codegen emits only the branch taken (memleak.ms picks
// its stack capture with `if (opt.stack_mode == "dwarf")`: the others must
// not be compiled, loaded or reported). Both branches are still checked, so
// a map assigned only in the branch not taken is still a declared map.
void fold_ifs(ast::Block& block) {
  for (auto& st : block) {
    ast::Stmt& s = *st;
    if (s.kind == ast::NodeKind::While) fold_ifs(static_cast<ast::While&>(s).body);
    if (s.kind == ast::NodeKind::Unroll) fold_ifs(static_cast<ast::Unroll&>(s).body);
    if (s.kind != ast::NodeKind::If) continue;
    auto& f = static_cast<ast::If&>(s);
    fold_ifs(f.then_block);
    fold_ifs(f.else_block);
    if (std::optional<bool> t = truth(f.cond)) f.cond = std::make_unique<ast::Integer>(*t ? 1 : 0, f.cond->loc);
  }
}

}  // namespace

void fold_predicates(PassContext& ctx) {
  auto& probes = ctx.program.probes;
  bool had_probes = !probes.empty();
  for (auto it = probes.begin(); it != probes.end();) {
    ast::Probe& p = **it;
    std::optional<bool> t = p.predicate ? truth(p.predicate) : std::nullopt;
    if (t && *t) p.predicate.reset();
    if (t && !*t) {
      std::string aps;
      for (const auto& ap : p.attach_points) aps += (aps.empty() ? "" : ",") + ap.raw;
      ctx.info.removed_probes.push_back(aps);
      it = probes.erase(it);
      continue;
    }
    fold_ifs(p.body);
    ++it;
  }
  if (had_probes && probes.empty()) {
    Location loc = ctx.program.options.present ? ctx.program.options.loc : Location{};
    ctx.diags.error(loc, "every probe's predicate is false with these options: nothing to trace",
                    "see which options the predicates test, e.g. with -d ast");
  }
}

}  // namespace ms::passes
