#include "parser/passes/names.h"

#include <set>

#include "builtins.h"
#include "parser/parse.h"
#include "parser/passes/walk.h"
#include "suggest.h"

namespace ms::passes {

namespace {

std::vector<std::string> builtin_names() {
  std::vector<std::string> out;
  for (const auto& b : all_builtins()) out.emplace_back(b.name);
  return out;
}

std::vector<std::string> function_names() {
  std::vector<std::string> out;
  for (const auto& f : all_functions()) out.emplace_back(f.name);
  return out;
}

std::string plural_args(size_t n) { return std::to_string(n) + (n == 1 ? " argument" : " arguments"); }

class NameResolver {
 public:
  NameResolver(Diagnostics& diags, const ast::Probe& probe) : diags_(diags), probe_(probe) {}

  void run() {
    if (probe_.predicate) expr(*probe_.predicate);
    block(probe_.body);
  }

 private:
  void block(const ast::Block& b) {
    for (const auto& s : b) stmt(*s);
  }

  void stmt(const ast::Stmt& s) {
    switch (s.kind) {
      case ast::NodeKind::ExprStmt:
        expr(*static_cast<const ast::ExprStmt&>(s).expr);
        break;
      case ast::NodeKind::AssignMap: {
        const auto& a = static_cast<const ast::AssignMap&>(s);
        expr(*a.map);
        expr(*a.expr);
        break;
      }
      case ast::NodeKind::AssignVar: {
        const auto& a = static_cast<const ast::AssignVar&>(s);
        if (a.compound) variable(*a.var);  // `$x += 1` and `$x++` read $x first
        expr(*a.expr);  // `$x = $x + 1` reads $x before this assignment
        assigned_.insert(a.var->name);
        break;
      }
      case ast::NodeKind::While: {
        const auto& w = static_cast<const ast::While&>(s);
        expr(*w.cond);
        ++loops_;
        block(w.body);
        --loops_;
        break;
      }
      case ast::NodeKind::Unroll: {
        const auto& u = static_cast<const ast::Unroll&>(s);
        expr(*u.count);
        block(u.body);
        break;
      }
      case ast::NodeKind::Jump: {
        const auto& j = static_cast<const ast::Jump&>(s);
        if (j.jump != ast::JumpKind::Return && loops_ == 0)
          diags_.error(j.loc, std::string("'") + ast::to_string(j.jump) + "' outside a while loop",
                       j.jump == ast::JumpKind::Break ? "use 'return' to leave the probe" : "");
        break;
      }
      case ast::NodeKind::If: {
        const auto& i = static_cast<const ast::If&>(s);
        expr(*i.cond);
        block(i.then_block);
        block(i.else_block);
        break;
      }
      default:
        break;
    }
  }

  void expr(const ast::Expr& e) {
    switch (e.kind) {
      case ast::NodeKind::Builtin:
        builtin(static_cast<const ast::Builtin&>(e));
        return;
      case ast::NodeKind::Call: {
        const auto& c = static_cast<const ast::Call&>(e);
        call(c);
        if (c.func == "ustack" || c.func == "kstack") {
          // A bare name here is a stack mode (perf, bpftrace), not a builtin;
          // the type pass checks it and the rest of the arguments.
          for (const auto& a : c.args)
            if (a->kind != ast::NodeKind::Builtin) expr(*a);
          return;
        }
        break;
      }
      case ast::NodeKind::Variable:
        variable(static_cast<const ast::Variable&>(e));
        return;
      case ast::NodeKind::OptionRef:
      case ast::NodeKind::Positional:
        // The options pass replaces these everywhere it walks; one left here sits in a
        // node it does not know yet.
        diags_.error(e.loc, "an option or positional parameter cannot be used here yet");
        return;
      case ast::NodeKind::FieldAccess:
        field_access(static_cast<const ast::FieldAccess&>(e));
        return;
      default:
        break;
    }
    for_each_child(const_cast<ast::Expr&>(e), [&](ast::Expr& child) { expr(child); });
  }

  void builtin(const ast::Builtin& b) {
    const BuiltinDesc* desc = find_builtin(b.name);
    if (!desc && b.name == "args") {
      diags_.error(b.loc, "'args' is the tracepoint's record: use one of its fields", "e.g. args.len");
      return;
    }
    if (!desc) {
      if (find_function(b.name)) {
        diags_.error(b.loc, "'" + b.name + "' is a function, not a builtin", "call it: " + b.name + "()");
        return;
      }
      diags_.error(b.loc, "unknown builtin '" + b.name + "'", did_you_mean(b.name, builtin_names()));
      return;
    }
    for (const auto& ap : probe_.attach_points) {
      auto type = probe_type(ap);
      if (type && !(desc->allowed & probe_bit(*type))) {
        diags_.error(b.loc,
                     "builtin '" + b.name + "' can only be used in " + std::string(desc->allowed_text) + " probes",
                     "'" + ap.raw + "' is a " + std::string(manifest::to_string(*type)) + " probe");
        return;
      }
    }
  }

  // Only `args` has fields: the record of the tracepoint the probe is attached to.
  void field_access(const ast::FieldAccess& f) {
    const ast::Expr& base = *f.base;
    if (f.is_index() && !f.arrow) {
      expr(base);  // a tuple element: the type pass checks the base is a tuple
      return;
    }
    if (base.kind != ast::NodeKind::Builtin || static_cast<const ast::Builtin&>(base).name != "args") {
      expr(base);
      diags_.error(f.loc, "only tracepoint 'args' has fields", "e.g. args.len in a tracepoint probe; a tuple's elements are $t.0, $t.1, ...");
      return;
    }
    for (const auto& ap : probe_.attach_points) {
      auto type = probe_type(ap);
      if (type && *type != manifest::ProbeType::Tracepoint) {
        diags_.error(base.loc, "'args' can only be used in tracepoint probes",
                     "'" + ap.raw + "' is a " + std::string(manifest::to_string(*type)) + " probe" +
                         (*type == manifest::ProbeType::Uprobe ? ": use arg0, arg1, ..." : ""));
        return;
      }
    }
  }

  void call(const ast::Call& c) {
    const FunctionDesc* desc = find_function(c.func);
    if (!desc) {
      if (find_builtin(c.func)) {
        diags_.error(c.loc, "'" + c.func + "' is a builtin, not a function", "write it without parentheses: " + c.func);
        return;
      }
      diags_.error(c.loc, "unknown function '" + c.func + "'", did_you_mean(c.func, function_names()));
      return;
    }
    size_t fixed = desc->args.size();
    bool ok = desc->variadic ? c.args.size() >= fixed && (desc->max_args == 0 || c.args.size() <= desc->max_args)
                             : c.args.size() == fixed;
    if (ok) return;
    std::string expected = desc->variadic && desc->max_args ? std::to_string(fixed) + " to " + plural_args(desc->max_args)
                           : desc->variadic ? "at least " + plural_args(fixed)
                           : fixed == 0   ? "no arguments"
                                          : plural_args(fixed);
    diags_.error(c.loc, c.func + "() takes " + expected + ", but " + std::to_string(c.args.size()) + " given",
                 "usage: " + std::string(desc->usage));
  }

  void variable(const ast::Variable& v) {
    if (assigned_.count(v.name)) return;
    std::vector<std::string> known(assigned_.begin(), assigned_.end());
    std::string hint = did_you_mean(v.name, known);
    if (hint.empty()) hint = "assign it earlier in this probe, e.g. " + v.name + " = 0;";
    diags_.error(v.loc, "variable '" + v.name + "' is used before it is assigned", hint);
  }

  Diagnostics& diags_;
  const ast::Probe& probe_;
  std::set<std::string> assigned_;
  int loops_ = 0;  // enclosing while loops
};

}  // namespace

void resolve_names(PassContext& ctx) {
  for (const auto& probe : ctx.program.probes) NameResolver(ctx.diags, *probe).run();
}

}  // namespace ms::passes
