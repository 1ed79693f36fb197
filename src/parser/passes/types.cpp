#include "parser/passes/types.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <limits>
#include <optional>

#include "builtins.h"
#include "suggest.h"
#include "common/printf_format.h"

namespace ms::passes {

namespace {

// What the checker has learned about one map, beyond MapInfo: where its key
// layout and value type were fixed, so conflicts can point back there.
struct MapState {
  bool seen = false;
  bool keys_known = false;
  Location keys_loc;
  bool value_known = false;
  Location value_loc;
};
using MapStates = std::map<std::string, MapState>;

bool is_scalar_kind(const Type& t) {
  return t.kind == TypeKind::Integer || t.kind == TypeKind::String || t.is_stack() || t.is_symbol() ||
         t.kind == TypeKind::Timestamp;
}

bool is_value_kind(const Type& t) { return is_scalar_kind(t) || t.kind == TypeKind::Tuple; }

// Same kind of value. Integers of either signedness share a layout; strings of
// different sizes are padded to the largest.
bool compatible(const Type& a, const Type& b) {
  if (a.is_stack() || a.kind == TypeKind::Timestamp) return a == b;  // they print differently: not one map
  if (a.kind == TypeKind::Tuple) {
    if (b.kind != TypeKind::Tuple || a.elements.size() != b.elements.size()) return false;
    for (size_t i = 0; i < a.elements.size(); ++i)
      if (!compatible(a.elements[i], b.elements[i])) return false;
    return true;
  }
  return a.kind == b.kind;
}

void widen(Type& fixed, const Type& other) {
  if (fixed.kind == TypeKind::String) fixed.size = std::max(fixed.size, other.size);
  if (fixed.kind == TypeKind::Tuple && other.kind == TypeKind::Tuple) {
    std::vector<Type> elements = fixed.elements;
    for (size_t i = 0; i < elements.size() && i < other.elements.size(); ++i) {
      widen(elements[i], other.elements[i]);
      // An element is signed only if every value stored there may be negative.
      if (elements[i].kind == TypeKind::Integer) elements[i].is_signed = elements[i].is_signed && other.elements[i].is_signed;
    }
    fixed = Type::tuple(std::move(elements));
  }
}

class TypeChecker {
 public:
  TypeChecker(PassContext& ctx, MapStates& maps, bool report) : ctx_(ctx), maps_(maps), report_(report) {}

  void run() {
    for (auto& probe : ctx_.program.probes) {
      probe_ = probe.get();
      vars_ = &ctx_.info.variables[probe_];
      var_loc_.clear();
      if (probe->predicate) condition(*probe->predicate, "predicate");
      block(probe->body);
    }
  }

 private:
  void error(const Location& loc, std::string message, std::string hint = {}) {
    if (report_) ctx_.diags.error(loc, std::move(message), std::move(hint));
  }

  std::string where(const Location& loc) const {
    return ctx_.diags.filename() + ":" + std::to_string(loc.line) + ":" + std::to_string(loc.column);
  }

  // ---- statements ----

  void block(ast::Block& b) {
    for (auto& s : b) stmt(*s);
  }

  void stmt(ast::Stmt& s) {
    switch (s.kind) {
      case ast::NodeKind::ExprStmt: {
        auto& e = *static_cast<ast::ExprStmt&>(s).expr;
        if (e.kind == ast::NodeKind::Call)
          statement_call(static_cast<ast::Call&>(e));
        else
          expr(e);
        break;
      }
      case ast::NodeKind::AssignMap:
        assign_map(static_cast<ast::AssignMap&>(s));
        break;
      case ast::NodeKind::AssignVar:
        assign_var(static_cast<ast::AssignVar&>(s));
        break;
      case ast::NodeKind::If: {
        auto& i = static_cast<ast::If&>(s);
        condition(*i.cond, "condition");
        block(i.then_block);
        block(i.else_block);
        break;
      }
      case ast::NodeKind::While: {
        auto& w = static_cast<ast::While&>(s);
        condition(*w.cond, "loop condition");
        block(w.body);
        break;
      }
      case ast::NodeKind::Unroll: {
        auto& u = static_cast<ast::Unroll&>(s);
        expr(*u.count);
        auto n = constant(*u.count);
        if (!n || *n < 1 || *n > 100)
          error(u.count->loc, "unroll() needs a constant count from 1 to 100", "e.g. unroll(5) { ... }");
        block(u.body);
        break;
      }
      default:
        break;
    }
  }

  // The value of an integer literal, possibly negated; nullopt for anything else.
  static std::optional<int64_t> constant(const ast::Expr& e) {
    if (e.kind == ast::NodeKind::Integer) return static_cast<int64_t>(static_cast<const ast::Integer&>(e).value);
    if (e.kind == ast::NodeKind::Unop) {
      const auto& u = static_cast<const ast::Unop&>(e);
      if (u.op == ast::UnaryOp::Minus)
        if (auto v = constant(*u.operand)) return -*v;
    }
    return std::nullopt;
  }

  void condition(ast::Expr& e, const char* what) {
    Type t = expr(e);
    if (t.kind != TypeKind::None && t.kind != TypeKind::Integer)
      error(e.loc, std::string(what) + " must be an integer, not " + to_string(t));
  }

  // @x op= expr, @x++, @x--: an integer map (int64 unless fixed otherwise).
  void compound_map(ast::AssignMap& a) {
    ast::Map& m = *a.map;
    map_keys(m);
    MapState& st = maps_[m.name];
    if (!st.value_known) map_value(m, Type::integer(true));
    const Type& v = ctx_.info.maps[m.name].value;
    const std::string op = compound_text(*a.compound, a.increment);
    if (v.kind != TypeKind::Integer) {
      error(a.loc, "'" + op + "' needs an integer map, but '" + m.name + "' holds " + to_string(v),
            m.name + " was first assigned at " + where(st.value_loc));
      return;
    }
    set_type(m, v);
    Type r = expr(*a.expr);
    if (r.kind != TypeKind::None && r.kind != TypeKind::Integer)
      error(a.expr->loc, "'" + op + "' needs an integer, not " + to_string(r));
  }

  // For messages; `@x++` is `@x += 1` here.
  static std::string compound_text(ast::BinaryOp op, bool increment) {
    if (increment) return op == ast::BinaryOp::Add ? "++" : "--";
    return std::string(ast::to_string(op)) + "=";
  }

  bool lhist_params(ast::Call& call, ast::Map& m) {
    int64_t p[3];
    for (int i = 0; i < 3; ++i) {
      expr(*call.args[i + 1]);
      auto v = constant(*call.args[i + 1]);
      if (!v) {
        error(call.args[i + 1]->loc, std::string("lhist() ") + (i == 0 ? "min" : i == 1 ? "max" : "step") +
                                         " must be an integer constant",
              "e.g. lhist(arg0, 0, 1000, 100)");
        return false;
      }
      p[i] = *v;
    }
    if (p[2] <= 0 || p[1] <= p[0]) {
      error(call.loc, "lhist() needs min < max and a positive step, got min " + std::to_string(p[0]) + ", max " +
                          std::to_string(p[1]) + ", step " + std::to_string(p[2]));
      return false;
    }
    if ((p[1] - p[0]) / p[2] > 1000) {
      error(call.loc, "lhist() would have " + std::to_string((p[1] - p[0]) / p[2]) + " buckets, more than 1000",
            "use a larger step");
      return false;
    }
    MapInfo& mi = map_info(m);
    MapState& st = maps_[m.name];
    if (st.value_known && mi.value.kind == TypeKind::Lhist &&
        (mi.lhist_min != p[0] || mi.lhist_max != p[1] || mi.lhist_step != p[2])) {
      error(call.loc, "lhist() of '" + m.name + "' is used with different bounds here",
            m.name + " was first assigned at " + where(st.value_loc));
      return false;
    }
    mi.lhist_min = p[0];
    mi.lhist_max = p[1];
    mi.lhist_step = p[2];
    return true;
  }

  void assign_map(ast::AssignMap& a) {
    if (a.compound) return compound_map(a);
    ast::Map& m = *a.map;
    map_keys(m);
    Type value;
    const FunctionDesc* agg = nullptr;
    if (a.expr->kind == ast::NodeKind::Call) {
      const FunctionDesc* d = find_function(static_cast<ast::Call&>(*a.expr).func);
      if (d && d->use == FunctionUse::Aggregation) agg = d;
    }
    if (agg) {
      auto& call = static_cast<ast::Call&>(*a.expr);
      bool is_signed = false;  // count() counts up from zero
      if (!call.args.empty()) {
        Type arg = expr(*call.args[0]);
        if (arg.kind == TypeKind::None) return;
        if (arg.kind != TypeKind::Integer) {
          error(call.args[0]->loc, call.func + "() needs an integer, not " + to_string(arg));
          return;
        }
        is_signed = arg.is_signed;
      }
      if (agg->aggregation == TypeKind::Lhist && !lhist_params(call, m)) return;
      value = Type::aggregation(agg->aggregation, is_signed);
      set_type(call, value);
    } else {
      value = expr(*a.expr);
      if (value.kind == TypeKind::None) return;
      if (!is_value_kind(value)) {
        error(a.expr->loc, "cannot assign a value of type " + to_string(value) + " to a map");
        return;
      }
    }
    map_value(m, value);
  }

  void assign_var(ast::AssignVar& a) {
    if (a.compound) {
      const std::string& name = a.var->name;
      Type r = expr(*a.expr);
      auto it = vars_->find(name);
      if (it == vars_->end()) return;  // the names pass reported it
      const std::string op = compound_text(*a.compound, a.increment);
      if (it->second.kind != TypeKind::Integer) {
        error(a.loc, "'" + op + "' needs an integer variable, but " + name + " holds " + to_string(it->second),
              name + " was first assigned at " + where(var_loc_[name]));
        return;
      }
      if (r.kind != TypeKind::None && r.kind != TypeKind::Integer)
        error(a.expr->loc, "'" + op + "' needs an integer, not " + to_string(r));
      set_type(*a.var, it->second);
      return;
    }
    Type t = expr(*a.expr);
    if (t.kind == TypeKind::None) return;
    const std::string& name = a.var->name;
    if (!is_value_kind(t)) {
      error(a.expr->loc, "cannot assign a value of type " + to_string(t) + " to " + name);
      return;
    }
    auto it = vars_->find(name);
    if (it == vars_->end()) {
      (*vars_)[name] = t;
      var_loc_[name] = a.var->loc;
    } else if (!compatible(it->second, t)) {
      error(a.var->loc,
            "type mismatch for " + name + ": assigning " + to_string(t) + ", but it holds " + to_string(it->second),
            name + " was first assigned at " + where(var_loc_[name]));
    } else {
      widen(it->second, t);
    }
    set_type(*a.var, (*vars_)[name]);
  }

  // ---- maps ----

  MapInfo& map_info(const ast::Map& m) {
    MapInfo& mi = ctx_.info.maps[m.name];
    MapState& st = maps_[m.name];
    if (!st.seen) {
      st.seen = true;
      mi.name = m.name;
      mi.first_use = m.loc;
    }
    return mi;
  }

  // Types the keys of `m` and checks them against the map's key layout.
  void map_keys(ast::Map& m) {
    std::vector<Type> keys;
    bool complete = true;
    for (auto& k : m.keys) {
      Type t = expr(*k);
      if (t.kind == TypeKind::None) {
        complete = false;
      } else if (!is_scalar_kind(t)) {
        error(k->loc, "a map key must be an integer, a string, a stack or a symbol, not " + to_string(t));
        complete = false;
      }
      keys.push_back(t);
    }
    MapInfo& mi = map_info(m);
    MapState& st = maps_[m.name];
    if (!complete) return;
    if (!st.keys_known) {
      mi.key = keys;
      st.keys_known = true;
      st.keys_loc = m.loc;
      return;
    }
    if (mi.key.size() != keys.size()) {
      auto count = [](size_t n) { return n == 0 ? std::string("no keys") : std::to_string(n) + (n == 1 ? " key" : " keys"); };
      error(m.loc, "map '" + m.name + "' is used with " + count(keys.size()) + " here, but with " + count(mi.key.size()) +
                       " before",
            m.name + " was first used at " + where(st.keys_loc));
      return;
    }
    for (size_t i = 0; i < keys.size(); ++i) {
      if (!compatible(mi.key[i], keys[i])) {
        error(m.keys[i]->loc,
              "type mismatch for key " + std::to_string(i + 1) + " of map '" + m.name + "': " + to_string(keys[i]) +
                  " here, but " + to_string(mi.key[i]) + " before",
              m.name + " was first used at " + where(st.keys_loc));
      } else {
        widen(mi.key[i], keys[i]);
      }
    }
  }

  void map_value(ast::Map& m, const Type& value) {
    MapInfo& mi = map_info(m);
    MapState& st = maps_[m.name];
    if (!st.value_known) {
      mi.value = value;
      st.value_known = true;
      st.value_loc = m.loc;
    } else if (!compatible(mi.value, value)) {
      error(m.loc,
            "type mismatch for map '" + m.name + "': assigning " + to_string(value) + ", but it holds " +
                to_string(mi.value),
            m.name + " was first assigned at " + where(st.value_loc));
    } else {
      widen(mi.value, value);
    }
    set_type(m, mi.value);
  }

  // The map must have been assigned somewhere (in any probe).
  bool map_assigned(ast::Map& m) {
    MapState& st = maps_[m.name];
    map_info(m);
    if (st.value_known) return true;
    error(m.loc, "map '" + m.name + "' is used but never assigned", "assign it somewhere, e.g. " + m.name + " = count()");
    return false;
  }

  Type map_read(ast::Map& m) {
    map_keys(m);
    if (!map_assigned(m)) return Type::none();
    const Type& v = ctx_.info.maps[m.name].value;
    // Like newer bpftrace: a count/sum/min/max element reads as the integer it
    // prints (combined over every CPU, see map_queries.cpp in codegen).
    if (v.kind == TypeKind::Count) return Type::integer(false);
    if (v.kind == TypeKind::Sum || v.kind == TypeKind::Min || v.kind == TypeKind::Max)
      return Type::integer(v.is_signed);
    if (v.is_aggregation()) {
      error(m.loc, "cannot use the " + to_string(v) + "() map '" + m.name + "' in an expression",
            "only count(), sum(), min() and max() maps read as integers; print it with print(" + m.name + ")");
      return Type::none();
    }
    return v;
  }

  // ---- calls ----

  // A call whose value is used: only value-returning functions belong here,
  // and this slice has none.
  Type value_call(ast::Call& c) {
    const FunctionDesc* d = find_function(c.func);
    if (!d) return Type::none();
    if (d->use == FunctionUse::Value) return value_function(c, *d);
    if (d->use == FunctionUse::Aggregation)
      error(c.loc, c.func + "() can only be the whole value of a map assignment",
            "e.g. @x[comm] = " + std::string(d->usage));
    else
      error(c.loc, c.func + "() does not return a value", "call it as a statement of its own");
    return Type::none();
  }

  Type value_function(ast::Call& c, const FunctionDesc& d) {
    if (d.aggregation == TypeKind::None) return language_value_function(c);
    if (d.aggregation == TypeKind::USym || d.aggregation == TypeKind::KSym) {
      if (c.args.size() != 1) return Type::none();  // the names pass reported it
      Type t = expr(*c.args[0]);
      if (t.kind == TypeKind::None) return t;
      if (t.kind != TypeKind::Integer) {
        error(c.args[0]->loc, c.func + "() needs an address (an integer), not " + to_string(t));
        return Type::none();
      }
      return Type::symbol(d.aggregation == TypeKind::KSym);
    }
    return stack_call(c, d.aggregation == TypeKind::KStack);
  }

  // ustack(), ustack(perf), ustack(5), ustack(perf, 5), ustack(bpftrace, 5),
  // ustack(dwarf), ustack(dwarf, 5), ustack(auto). dwarf is how the stack is
  // captured (a register and stack snapshot unwound in user space with the
  // modules' CFI, docs/stacks.md), not how it prints: the type is plain
  // ustack, so a script may pick the capture per probe and still keep one
  // map. auto is dwarf or frame pointers, chosen by the runtime per session.
  Type stack_call(ast::Call& c, bool kernel) {
    const std::string usage = c.func + (kernel ? "([perf|bpftrace][, frames])" : "([perf|bpftrace|dwarf|auto][, frames])");
    if (c.args.size() > 2) {
      error(c.loc, c.func + "() takes at most 2 arguments, but " + std::to_string(c.args.size()) + " given",
            "usage: " + usage);
      return Type::none();
    }
    bool perf = false;
    uint32_t limit = kDefaultStackFrames;
    size_t i = 0;
    auto mode_name = [](const ast::Expr& e) -> std::string {
      return e.kind == ast::NodeKind::Builtin ? static_cast<const ast::Builtin&>(e).name : std::string();
    };
    if (i < c.args.size() && c.args[i]->kind == ast::NodeKind::Builtin) {
      std::string m = mode_name(*c.args[i]);
      if ((m == "dwarf" || m == "auto") && kernel) {
        error(c.args[i]->loc, "kstack() has no " + m + " mode: kernel stacks are walked by the kernel",
              "dwarf unwinds user stacks: ustack(" + m + ")");
        return Type::none();
      }
      if (m != "perf" && m != "bpftrace" && m != "dwarf" && m != "auto") {
        error(c.args[i]->loc, "unknown stack mode '" + m + "'",
              kernel ? "the modes are perf and bpftrace" : "the modes are perf, bpftrace, dwarf and auto");
        return Type::none();
      }
      perf = m == "perf";
      ++i;
    }
    if (i < c.args.size()) {
      ast::Expr& n = *c.args[i];
      if (n.kind != ast::NodeKind::Integer) {
        expr(n);
        error(n.loc, "the number of frames given to " + c.func + "() must be an integer constant",
              "usage: " + usage);
        return Type::none();
      }
      uint64_t v = static_cast<ast::Integer&>(n).value;
      set_type(n, Type::integer());
      if (v < 1 || v > kMaxStackFrames) {
        error(n.loc, c.func + "() keeps 1 to " + std::to_string(kMaxStackFrames) + " frames, not " + std::to_string(v),
              std::to_string(kMaxStackFrames) + " is the kernel's perf_event_max_stack default");
        return Type::none();
      }
      limit = static_cast<uint32_t>(v);
      ++i;
    }
    if (i < c.args.size()) {
      error(c.args[i]->loc, "unexpected argument to " + c.func + "()", "usage: " + usage);
      return Type::none();
    }
    return Type::stack(kernel, limit, perf);
  }

  // str, buf and strncmp.
  Type language_value_function(ast::Call& c) {
    if (c.func == "str") {
      Type p = expr(*c.args[0]);
      if (p.kind == TypeKind::String) {
        error(c.args[0]->loc, "str() reads a string from a pointer; this is already a string");
        return Type::none();
      }
      uint32_t size = kDefaultStringSize;
      if (c.args.size() == 2) {
        expr(*c.args[1]);
        auto n = constant(*c.args[1]);
        if (!n || *n < 1) {
          error(c.args[1]->loc, "the length given to str() must be a positive integer constant");
          return Type::none();
        }
        // bpftrace 0.17 cuts a longer length to its string size without a word;
        // here the limit is said, so a truncated string is never a surprise.
        if (*n > static_cast<int64_t>(kDefaultStringSize) - 1) {
          error(c.args[1]->loc, "str() reads at most " + std::to_string(kDefaultStringSize - 1) +
                                    " characters (the string size limit, " + std::to_string(kDefaultStringSize) +
                                    " bytes with the terminating NUL), not " + std::to_string(*n),
                "strings live on the 512-byte BPF stack; no option raises this limit yet");
          return Type::none();
        }
        // The length counts characters, as bpftrace 0.17 shows them: str(p, 3) is "alp".
        size = static_cast<uint32_t>(*n + 1);
      }
      return p.kind == TypeKind::None ? Type::none() : Type::string(size);
    }
    if (c.func == "buf") {
      Type p = expr(*c.args[0]);
      expr(*c.args[1]);
      if (p.kind != TypeKind::None && p.kind != TypeKind::Integer) {
        error(c.args[0]->loc, "buf() reads bytes from a pointer, not from a " + to_string(p));
        return Type::none();
      }
      auto n = constant(*c.args[1]);
      if (!n || *n < 1 || *n > 200) {
        error(c.args[1]->loc, "the length given to buf() must be an integer constant from 1 to 200");
        return Type::none();
      }
      return p.kind == TypeKind::None ? Type::none() : Type::buffer(static_cast<uint32_t>(*n));
    }
    if (c.func == "rand_exp") {
      Type m = expr(*c.args[0]);
      if (m.kind != TypeKind::None && m.kind != TypeKind::Integer) {
        error(c.args[0]->loc, "rand_exp() needs an integer mean, not " + to_string(m));
        return Type::none();
      }
      return Type::integer(false);
    }
    if (c.func == "len" || c.func == "has_key") return map_query(c);
    if (c.func == "strftime") return strftime_call(c);
    if (c.func == "strncmp") {
      Type a = expr(*c.args[0]), b = expr(*c.args[1]);
      expr(*c.args[2]);
      for (int i = 0; i < 2; ++i) {
        const Type& t = i == 0 ? a : b;
        if (t.kind != TypeKind::None && t.kind != TypeKind::String)
          error(c.args[i]->loc, "strncmp() compares strings, not " + to_string(t));
      }
      auto n = constant(*c.args[2]);
      if (!n || *n < 0) error(c.args[2]->loc, "the length given to strncmp() must be a non-negative integer constant");
      return Type::integer(true);
    }
    return Type::none();
  }

  // strftime("fmt", ns): a timestamp printed in user space, as bpftrace does.
  Type strftime_call(ast::Call& c) {
    expr(*c.args[0]);
    Type ns = expr(*c.args[1]);
    if (c.args[0]->kind != ast::NodeKind::String) {
      error(c.args[0]->loc, "strftime() format must be a string literal", "e.g. strftime(\"%H:%M:%S\", nsecs)");
      return Type::none();
    }
    if (ns.kind != TypeKind::None && ns.kind != TypeKind::Integer) {
      error(c.args[1]->loc, "strftime() needs nanoseconds since boot (an integer, e.g. nsecs), not " + to_string(ns));
      return Type::none();
    }
    const std::string& fmt = static_cast<ast::String&>(*c.args[0]).value;
    if (fmt.size() > 200) {
      error(c.args[0]->loc, "strftime() format is longer than 200 characters");
      return Type::none();
    }
    return ns.kind == TypeKind::None ? Type::none() : Type::timestamp(fmt);
  }

  // len(@m): how many elements; has_key(@m, k): 1 when the element exists.
  Type map_query(ast::Call& c) {
    ast::Expr& arg = *c.args[0];
    whole_map_arg(c, arg);
    if (arg.kind != ast::NodeKind::Map) return Type::none();
    auto& m = static_cast<ast::Map&>(arg);
    if (!m.keys.empty() || !maps_[m.name].value_known) return Type::none();
    MapInfo& mi = ctx_.info.maps[m.name];
    if (c.func == "len") {
      if (mi.value.kind == TypeKind::Hist || mi.value.kind == TypeKind::Lhist)
        error(arg.loc, "len() cannot count the elements of the " + to_string(mi.value) + "() map '" + m.name + "'",
              "a histogram keeps one element per bucket");
      return Type::integer(true);
    }
    Type k = expr(*c.args[1]);
    if (k.kind == TypeKind::None) return Type::none();
    if (mi.value.kind == TypeKind::Hist || mi.value.kind == TypeKind::Lhist) {
      error(arg.loc, "has_key() cannot look up the " + to_string(mi.value) + "() map '" + m.name + "'",
            "a histogram keeps one element per bucket");
      return Type::none();
    }
    if (!maps_[m.name].keys_known) return Type::none();  // its keys were refused where the map is used
    if (mi.key.size() != 1) {
      error(c.args[1]->loc,
            "has_key() takes one key, but '" + m.name + "' has " +
                (mi.key.empty() ? std::string("no keys") : std::to_string(mi.key.size()) + " keys"),
            mi.key.empty() ? "a map without keys has one element once assigned" : "");
      return Type::none();
    }
    if (!compatible(mi.key[0], k)) {
      error(c.args[1]->loc,
            "has_key() key is " + to_string(k) + ", but the keys of '" + m.name + "' are " + to_string(mi.key[0]),
            m.name + " was first used at " + where(maps_[m.name].keys_loc));
      return Type::none();
    }
    widen(mi.key[0], k);  // a longer string key than any before: the map's key grows, as for @m[k]
    return Type::integer(true);
  }

  void print_args(ast::Call& c) {
    ast::Expr& first = *c.args[0];
    if (first.kind == ast::NodeKind::Map && static_cast<ast::Map&>(first).keys.empty()) {
      whole_map_arg(c, first);
      for (size_t i = 1; i < c.args.size(); ++i) {
        expr(*c.args[i]);
        auto v = constant(*c.args[i]);
        if (!v || *v < (i == 1 ? 0 : 1) || *v > UINT32_MAX)
          error(c.args[i]->loc, std::string("print() ") + (i == 1 ? "top" : "div") + " must be a " +
                                    (i == 1 ? "non-negative" : "positive") + " integer constant",
                "e.g. print(@x, 10) prints the 10 largest entries");
      }
      return;
    }
    if (c.args.size() > 1) {
      error(c.args[1]->loc, "print() of a value takes no other argument", "top and div apply to maps: print(@x, 10)");
      return;
    }
    Type t = expr(first);
    if (t.kind != TypeKind::None && !is_value_kind(t))
      error(first.loc, "print() cannot print a value of type " + to_string(t));
  }

  // print_leaks(@allocs, ...): @allocs[address] = (size, nsecs, stack[, ...]).
  // print_leak_stacks(@bytes, @allocations, ...): both keyed by one stack, sum() or count() values.
  // The settings after the maps are constants (literals or opt.NAME).
  void leak_report_args(ast::Call& c) {
    const bool per_address = c.func == "print_leaks";
    const size_t maps = per_address ? 1 : 2;
    for (size_t i = 0; i < maps && i < c.args.size(); ++i) whole_map_arg(c, *c.args[i]);
    if (c.args.size() < maps) return;  // the names pass reported it
    auto value_of = [&](size_t i) -> const MapInfo* {
      if (c.args[i]->kind != ast::NodeKind::Map) return nullptr;
      auto& m = static_cast<ast::Map&>(*c.args[i]);
      if (!m.keys.empty() || !maps_[m.name].value_known) return nullptr;
      return &ctx_.info.maps[m.name];
    };
    if (per_address) {
      if (const MapInfo* mi = value_of(0)) {
        const Type& v = mi->value;
        bool ok = mi->key.size() == 1 && mi->key[0].kind == TypeKind::Integer && v.kind == TypeKind::Tuple &&
                  v.elements.size() >= 3 && v.elements[0].kind == TypeKind::Integer &&
                  v.elements[1].kind == TypeKind::Integer && v.elements[2].is_stack();
        if (!ok)
          error(c.args[0]->loc,
                "print_leaks() needs a map from an address to (size, time, stack), but " + mi->name + " maps " +
                    key_text(mi->key) + " to " + to_string(v),
                "e.g. @allocs[retval] = (size, nsecs, ustack)");
      }
    } else {
      for (size_t i = 0; i < 2; ++i) {
        const MapInfo* mi = value_of(i);
        if (!mi) continue;
        bool ok = mi->key.size() == 1 && mi->key[0].is_stack() &&
                  (mi->value.kind == TypeKind::Sum || mi->value.kind == TypeKind::Count);
        if (!ok)
          error(c.args[i]->loc,
                "print_leak_stacks() needs maps from a stack to sum() or count(), but " + mi->name + " maps " +
                    key_text(mi->key) + " to " + to_string(mi->value),
                i == 0 ? "e.g. @bytes[ustack] = sum(size)" : "e.g. @allocations[ustack] = sum(1)");
      }
    }
    // The settings, in order; "sort" is a string, the rest integers.
    for (size_t i = maps; i < c.args.size(); ++i) {
      const std::string name(leak_report_setting(per_address, i - maps));
      ast::Expr& a = *c.args[i];
      expr(a);
      if (name == "sort") {
        if (a.kind != ast::NodeKind::String || (static_cast<ast::String&>(a).value != "size" &&
                                                static_cast<ast::String&>(a).value != "count"))
          error(a.loc, c.func + "() sort must be \"size\" or \"count\"");
        continue;
      }
      // The sample rate may also be chosen at run time (memleak --auto-sample):
      // a map without keys holding an integer, read when the report is made.
      // `since` likewise: a time (nsecs) before which blocks are left out
      // (memleak.ms: the last exec of the traced process).
      if ((name == "sample_rate" || name == "since") && a.kind == ast::NodeKind::Map &&
          static_cast<ast::Map&>(a).keys.empty()) {
        auto& m = static_cast<ast::Map&>(a);
        if (maps_[m.name].value_known && ctx_.info.maps[m.name].value.kind != TypeKind::Integer)
          error(a.loc, c.func + "() " + name + " from a map needs an integer value, but " + m.name + " holds " +
                           to_string(ctx_.info.maps[m.name].value));
        continue;
      }
      auto v = constant(a);
      if (!v || *v < 0)
        error(a.loc, c.func + "() " + name + " must be a non-negative integer constant",
              "a literal or a script option (opt.NAME)");
    }
  }

  static std::string key_text(const std::vector<Type>& key) {
    if (key.empty()) return "no key";
    std::string out = "[";
    for (size_t i = 0; i < key.size(); ++i) out += (i ? ", " : "") + to_string(key[i]);
    return out + "]";
  }

  // skip_return() decides, at a function's entry, that its return probe need
  // not run for this call: only a uprobe can say so.
  void skip_return_place(const ast::Call& c) {
    ctx_.info.skip_return_probes.insert(probe_);
    for (const auto& ap : probe_->attach_points) {
      if (ap.provider == "uprobe" || ap.provider == "u") continue;
      error(c.loc, "skip_return() is only valid in a uprobe (the entry of a function), not in " + ap.provider,
            "call it in the uprobe of the function whose uretprobe may be skipped");
      return;
    }
  }

  void signal_arg(ast::Call& c) {
    ast::Expr& a = *c.args[0];
    expr(a);
    if (a.kind == ast::NodeKind::String) {
      if (signal_number(static_cast<ast::String&>(a).value) == 0)
        error(a.loc, "unknown signal '" + static_cast<ast::String&>(a).value + "'", "e.g. signal(\"SIGUSR1\") or signal(10)");
      return;
    }
    auto v = constant(a);
    if (!v || *v < 1 || *v > 64) error(a.loc, "signal() takes a signal name or a number from 1 to 64");
  }

  void statement_call(ast::Call& c) {
    set_type(c, Type::none());
    const FunctionDesc* d = find_function(c.func);
    if (!d) return;
    if (d->use == FunctionUse::Value) {
      expr(c);
      return;
    }
    if (c.func == "print") return c.args.empty() ? void() : print_args(c);
    if (c.func == "print_leaks" || c.func == "print_leak_stacks") return leak_report_args(c);
    if (c.func == "signal") return c.args.empty() ? void() : signal_arg(c);
    if (c.func == "skip_return") return skip_return_place(c);
    if (c.func == "join") {
      if (c.args.empty()) return;  // the names pass reported it
      Type t = expr(*c.args[0]);
      if (t.kind != TypeKind::None && t.kind != TypeKind::Integer)
        error(c.args[0]->loc, "join() needs the address of a char* array (an integer), not " + to_string(t));
      if (c.args.size() < 2) return;
      expr(*c.args[1]);
      if (c.args[1]->kind != ast::NodeKind::String)
        error(c.args[1]->loc, "join() separator must be a string literal", "e.g. join(arg1, \",\")");
      return;
    }
    if (c.func == "time") {
      if (c.args.empty()) return;
      expr(*c.args[0]);
      if (c.args[0]->kind != ast::NodeKind::String)
        error(c.args[0]->loc, "time() format must be a string literal", "e.g. time(\"%H:%M:%S\\n\")");
      return;
    }
    if (d->use == FunctionUse::Aggregation) {
      error(c.loc, c.func + "() can only be the whole value of a map assignment",
            "e.g. @x[comm] = " + std::string(d->usage));
      return;
    }
    for (size_t i = 0; i < d->args.size() && i < c.args.size(); ++i) {
      ast::Expr& arg = *c.args[i];
      switch (d->args[i]) {
        case ArgKind::Integer: {
          Type t = expr(arg);
          if (t.kind != TypeKind::None && t.kind != TypeKind::Integer)
            error(arg.loc, c.func + "() needs an integer, not " + to_string(t));
          break;
        }
        case ArgKind::WholeMap:
          whole_map_arg(c, arg);
          break;
        case ArgKind::MapElement:
          map_element_arg(c, arg);
          break;
        case ArgKind::Format:
          printf_args(c);
          return;  // the format consumes the rest
        case ArgKind::Any:
          expr(arg);
          break;
        case ArgKind::StackMode:  // only in ustack()/kstack(), which value_function checks
          break;
      }
    }
  }

  void whole_map_arg(ast::Call& c, ast::Expr& arg) {
    if (arg.kind != ast::NodeKind::Map) {
      expr(arg);
      error(arg.loc, c.func + "() takes a map, e.g. " + c.func + "(@x)");
      return;
    }
    auto& m = static_cast<ast::Map&>(arg);
    if (!m.keys.empty()) {
      error(arg.loc, c.func + "() takes the whole map: write " + c.func + "(" + m.name + ")");
      return;
    }
    if (map_assigned(m)) set_type(m, ctx_.info.maps[m.name].value);
  }

  void map_element_arg(ast::Call& c, ast::Expr& arg) {
    if (arg.kind != ast::NodeKind::Map) {
      expr(arg);
      error(arg.loc, c.func + "() takes a map element, e.g. " + c.func + "(@x[key])");
      return;
    }
    auto& m = static_cast<ast::Map&>(arg);
    MapState& st = maps_[m.name];
    if (m.keys.empty() && st.keys_known && !ctx_.info.maps[m.name].key.empty()) {
      error(arg.loc, c.func + "() needs an element of the keyed map '" + m.name + "'",
            "write " + c.func + "(" + m.name + "[key]), or clear(" + m.name + ") to remove every element");
      return;
    }
    map_keys(m);
    if (map_assigned(m)) set_type(m, ctx_.info.maps[m.name].value);
  }

  void printf_args(ast::Call& c) {
    ast::Expr& fmt_expr = *c.args[0];
    if (fmt_expr.kind != ast::NodeKind::String) {
      expr(fmt_expr);
      error(fmt_expr.loc, c.func + "() format must be a string literal", "e.g. printf(\"%d\\n\", pid)");
      return;
    }
    expr(fmt_expr);
    std::string format_error;
    auto parsed = parse_printf_format(static_cast<ast::String&>(fmt_expr).value, format_error);
    if (!parsed) {
      error(fmt_expr.loc, "invalid " + c.func + "() format: " + format_error,
            "conversions are %d %i %u %x %o %c %p (with l, ll, h... for integers), %s for strings and %% for '%'");
      return;
    }
    std::vector<const FormatSpec*> specs = parsed->specs();
    size_t nargs = c.args.size() - 1;
    for (size_t i = 0; i < nargs; ++i) {
      ast::Expr& arg = *c.args[i + 1];
      Type t = expr(arg);
      if (i >= specs.size()) {
        if (i == specs.size()) {
          error(arg.loc,
                c.func + "() has more arguments than the format has conversions (" + std::to_string(specs.size()) +
                    ")",
                "add a conversion such as %d or %s to the format, or remove the argument");
        }
        continue;
      }
      const FormatSpec& spec = *specs[i];
      if (t.kind == TypeKind::None) continue;
      // Like bpftrace, %s also prints stacks, symbols and timestamps; %r prints buffers (and strings).
      bool ok = spec.takes_buffer()   ? t.kind == TypeKind::Buffer || t.kind == TypeKind::String
                : spec.takes_string() ? (t.kind == TypeKind::String || t.is_stack() || t.is_symbol() ||
                                         t.kind == TypeKind::Timestamp)
                                      : t.kind == TypeKind::Integer;
      if (!ok) {
        error(arg.loc,
              c.func + "() conversion " + spec.text + " needs " +
                  (spec.takes_buffer() ? "a buffer" : spec.takes_string() ? "a string" : "an integer") +
                  ", but this argument is " + to_string(t),
              t.kind == TypeKind::Buffer   ? "print a buffer with %r"
              : t.kind == TypeKind::String ? "use %s for strings"
                                           : "use %d, %u or %x for integers");
      }
    }
    if (nargs < specs.size()) {
      error(c.loc,
            c.func + "() format has " + std::to_string(specs.size()) + " conversion" +
                (specs.size() == 1 ? "" : "s") + ", but " + std::to_string(nargs) + " argument" +
                (nargs == 1 ? " is" : "s are") + " given",
            "the first conversion without an argument is " + specs[nargs]->text);
    }
  }

  // ---- expressions ----

  void set_type(const ast::Expr& e, const Type& t) { ctx_.info.types[&e] = t; }

  Type expr(ast::Expr& e) {
    Type t = compute(e);
    set_type(e, t);
    return t;
  }

  Type compute(ast::Expr& e) {
    switch (e.kind) {
      case ast::NodeKind::Integer: {
        // Like C: a literal too large for int64 is unsigned.
        auto v = static_cast<ast::Integer&>(e).value;
        return Type::integer(v <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max()));
      }
      case ast::NodeKind::String:
        return Type::string(static_cast<uint32_t>(static_cast<ast::String&>(e).value.size() + 1));
      case ast::NodeKind::Builtin: {
        const auto& name = static_cast<ast::Builtin&>(e).name;
        if (name == "probe" || name == "func") return probe_name_type(name == "func");
        if (usdt_only() && name.size() >= 4 && name.compare(0, 3, "arg") == 0) {
          // USDT arguments are read at their own width and sign- or
          // zero-extended as their specs say: a signed 64-bit value holds
          // both. (bpftrace 0.17 types them uint64, so its sum of an int
          // argument of -3 prints 18446744073709551613.)
          return Type::integer(true);
        }
        const BuiltinDesc* d = find_builtin(name);
        return d ? d->type : Type::none();
      }
      case ast::NodeKind::Variable: {
        auto it = vars_->find(static_cast<ast::Variable&>(e).name);
        return it == vars_->end() ? Type::none() : it->second;
      }
      case ast::NodeKind::Map:
        return map_read(static_cast<ast::Map&>(e));
      case ast::NodeKind::Call:
        return value_call(static_cast<ast::Call&>(e));
      case ast::NodeKind::Binop:
        return binop(static_cast<ast::Binop&>(e));
      case ast::NodeKind::Unop:
        return unop(static_cast<ast::Unop&>(e));
      case ast::NodeKind::Ternary:
        return ternary(static_cast<ast::Ternary&>(e));
      case ast::NodeKind::FieldAccess: {
        auto& f = static_cast<ast::FieldAccess&>(e);
        return f.is_index() && !f.arrow ? tuple_element(f) : tracepoint_field(f);
      }
      case ast::NodeKind::Tuple:
        return tuple(static_cast<ast::Tuple&>(e));
      case ast::NodeKind::Cast:
        return cast(static_cast<ast::Cast&>(e));
      case ast::NodeKind::Deref:
        return deref(static_cast<ast::Deref&>(e));
      default:
        return Type::none();
    }
  }

  Type binop(ast::Binop& b) {
    Type l = expr(*b.lhs);
    Type r = expr(*b.rhs);
    if (l.kind == TypeKind::None || r.kind == TypeKind::None) return Type::none();
    std::string op = ast::to_string(b.op);
    bool comparison = b.op == ast::BinaryOp::Eq || b.op == ast::BinaryOp::Ne || b.op == ast::BinaryOp::Lt ||
                      b.op == ast::BinaryOp::Le || b.op == ast::BinaryOp::Gt || b.op == ast::BinaryOp::Ge;
    if (l.kind == TypeKind::String && r.kind == TypeKind::String && comparison) {
      if (b.op == ast::BinaryOp::Eq || b.op == ast::BinaryOp::Ne) return Type::integer(true);
      error(b.loc, "strings can only be compared with == and !=, not '" + op + "'");
      return Type::none();
    }
    if (comparison && l.kind != r.kind) {
      error(b.loc, "operator '" + op + "' cannot compare " + to_string(l) + " with " + to_string(r));
      return Type::none();
    }
    if (l.kind != TypeKind::Integer || r.kind != TypeKind::Integer) {
      error(b.loc, "operator '" + op + "' needs integer operands, not " + to_string(l) + " and " + to_string(r));
      return Type::none();
    }
    switch (b.op) {
      case ast::BinaryOp::LogicalAnd:
      case ast::BinaryOp::LogicalOr:
        return Type::integer(true);  // 0 or 1
      case ast::BinaryOp::Shl:
      case ast::BinaryOp::Shr:
        // LLVM makes a shift by 64 or more poison, so the program would compute
        // anything at all: refuse a constant count that cannot be meant.
        if (auto n = constant(*b.rhs); n && (*n < 0 || *n > 63)) {
          error(b.rhs->loc, "shift count " + std::to_string(*n) + " is out of range: values are 64 bits, so 0 to 63");
          return Type::none();
        }
        return l;  // as in C, a shift has the type of its left operand
      default:
        break;
    }
    if (comparison) return Type::integer(true);  // 0 or 1, like bpftrace
    // As in C for 64-bit operands: unsigned if either operand is unsigned.
    return Type::integer(l.is_signed && r.is_signed);
  }

  Type unop(ast::Unop& u) {
    Type t = expr(*u.operand);
    if (t.kind == TypeKind::None) return t;
    if (t.kind != TypeKind::Integer) {
      error(u.loc, std::string("operator '") + ast::to_string(u.op) + "' needs an integer operand, not " + to_string(t));
      return Type::none();
    }
    if (u.op == ast::UnaryOp::LogicalNot) return Type::integer(true);
    return t;
  }

  Type tuple(ast::Tuple& t) {
    std::vector<Type> elements;
    bool ok = true;
    for (auto& x : t.elements) {
      Type et = expr(*x);
      if (et.kind == TypeKind::None) {
        ok = false;
      } else if (!is_scalar_kind(et)) {
        error(x->loc, "a tuple element must be an integer, a string, a stack or a symbol, not " + to_string(et));
        ok = false;
      }
      elements.push_back(et);
    }
    return ok ? Type::tuple(std::move(elements)) : Type::none();
  }

  // $t.N: element N of a tuple.
  Type tuple_element(ast::FieldAccess& f) {
    Type base = expr(*f.base);
    if (base.kind == TypeKind::None) return base;
    if (base.kind != TypeKind::Tuple) {
      error(f.loc, "." + f.field + " selects a tuple element, but this is " + to_string(base));
      return Type::none();
    }
    size_t i = f.field.size() > 3 ? base.elements.size() : std::stoul(f.field);
    if (i >= base.elements.size()) {
      error(f.loc, "tuple " + to_string(base) + " has no element " + f.field,
            "its elements are ." + std::string("0 to .") + std::to_string(base.elements.size() - 1));
      return Type::none();
    }
    return base.elements[i];
  }

  // args.FIELD: typed from the format of every tracepoint the probe is
  // attached to; a field must exist in each of them with one type.
  Type tracepoint_field(ast::FieldAccess& f) {
    set_type(*f.base, Type::none());
    std::optional<Type> result;
    std::string first_key;
    for (const auto& ap : probe_->attach_points) {
      if (ap.provider != "tracepoint" || ap.parts.size() != 2) continue;
      std::string key = ap.parts[0] + ":" + ap.parts[1];
      auto it = ctx_.info.tracepoint_formats.find(key);
      if (it == ctx_.info.tracepoint_formats.end()) {
        error(f.loc, "the format of tracepoint " + key + " is not available, so args." + f.field + " cannot be typed",
              "memscript reads it from tracefs (/sys/kernel/tracing/events/" + ap.parts[0] + "/" + ap.parts[1] +
                  "/format), which needs root");
        return Type::none();
      }
      const TracepointField* field = it->second.find(f.field);
      if (!field) {
        std::vector<std::string> names;
        for (const auto& fl : it->second.fields) names.push_back(fl.name);
        std::string hint = did_you_mean(f.field, names);
        if (hint.empty()) {
          hint = "its fields are:";
          for (const auto& n : names) hint += " " + n;
        }
        error(f.loc, "tracepoint " + key + " has no field '" + f.field + "'", hint);
        return Type::none();
      }
      Type t = field->kind == TracepointFieldKind::Integer     ? Type::integer(field->is_signed)
               : field->kind == TracepointFieldKind::CharArray ? Type::string(field->size)
                                                               : Type::string(kDefaultStringSize);
      if (!result) {
        result = t;
        first_key = key;
      } else if (!compatible(*result, t)) {
        error(f.loc, "field '" + f.field + "' is " + to_string(t) + " in " + key + " but " + to_string(*result) +
                         " in " + first_key,
              "use them in separate probes");
        return Type::none();
      } else {
        widen(*result, t);
        if (result->kind == TypeKind::Integer) result->is_signed = result->is_signed && t.is_signed;
      }
    }
    return result ? *result : Type::none();
  }

  // `probe` and `func` are the attach point (function) as text; room for the
  // longest of the probe, with slack for expanded aliases (u: -> uprobe:).
  bool usdt_only() const {
    if (probe_->attach_points.empty()) return false;
    for (const auto& ap : probe_->attach_points)
      if (ap.provider != "usdt") return false;
    return true;
  }

  Type probe_name_type(bool func) {
    size_t longest = 0;
    for (const auto& ap : probe_->attach_points) {
      const std::string last = ap.parts.empty() ? "" : ap.parts.back();
      // A wildcard or an address: the name comes from the runtime's table, kFuncNameSize bytes.
      if (func && (last.find_first_of("*?[") != std::string::npos ||
                   (!last.empty() && std::isdigit(static_cast<unsigned char>(last[0])))))
        return Type::string(kFuncNameSize);
      size_t n = func ? last.size() : ap.raw.size() + 16;
      longest = std::max(longest, n);
    }
    return Type::string(static_cast<uint32_t>(std::clamp<size_t>(longest + 1, 16, 256)));
  }

  Type cast(ast::Cast& c) {
    Type t = expr(*c.operand);
    if (t.kind == TypeKind::None) return t;
    if (t.kind != TypeKind::Integer) {
      error(c.loc, "cannot cast " + to_string(t) + " to " + c.type_name + (c.pointer ? "*" : ""),
            "casts convert integers and pointers");
      return Type::none();
    }
    const bool is_signed = c.type_name[0] != 'u';
    const uint32_t bytes = static_cast<uint32_t>(std::stoi(c.type_name.substr(is_signed ? 3 : 4))) / 8;
    if (c.pointer) return Type::pointer(bytes, is_signed);
    return Type::integer(is_signed);
  }

  Type deref(ast::Deref& d) {
    Type t = expr(*d.operand);
    if (t.kind == TypeKind::None) return t;
    if (t.kind != TypeKind::Integer || !t.pointee) {
      error(d.loc, "cannot dereference " + to_string(t),
            "cast it to a typed pointer first, e.g. *(uint32*)arg0");
      return Type::none();
    }
    return Type::integer(t.pointee_signed);
  }

  Type ternary(ast::Ternary& t) {
    condition(*t.cond, "condition");
    Type a = expr(*t.then_expr);
    Type b = expr(*t.else_expr);
    if (a.kind == TypeKind::None || b.kind == TypeKind::None) return Type::none();
    if (a.kind != b.kind) {
      error(t.loc, "the arms of '?:' have different types: " + to_string(a) + " and " + to_string(b),
            "both arms must be integers, or both strings");
      return Type::none();
    }
    if (a.kind == TypeKind::Integer) return Type::integer(a.is_signed && b.is_signed);
    widen(a, b);
    return a;
  }

  PassContext& ctx_;
  MapStates& maps_;
  bool report_;
  ast::Probe* probe_ = nullptr;
  std::map<std::string, Type>* vars_ = nullptr;
  std::map<std::string, Location> var_loc_;
};

size_t known_values(const MapStates& maps) {
  return std::count_if(maps.begin(), maps.end(), [](const auto& kv) { return kv.second.value_known; });
}

}  // namespace

void check_types(PassContext& ctx) {
  // A map may be read before (in program order) the statement that assigns it,
  // e.g. in a probe that comes first. Quiet rounds learn map types until
  // nothing new appears; the last round reports errors with everything known.
  MapStates maps;
  for (int round = 0; round < 8; ++round) {
    size_t before = known_values(maps);
    ctx.info.types.clear();
    ctx.info.variables.clear();
    TypeChecker(ctx, maps, false).run();
    if (known_values(maps) == before) break;
  }
  ctx.info.types.clear();
  ctx.info.variables.clear();
  TypeChecker(ctx, maps, true).run();
}

}  // namespace ms::passes
