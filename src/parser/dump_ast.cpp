// ms::dump_ast: the indented tree printed by `-d ast`, with types when known.
#include <sstream>

#include "parser/parse.h"

namespace ms {

namespace {

std::string escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      default: out += c;
    }
  }
  return out;
}

class Dumper {
 public:
  explicit Dumper(const SemanticInfo* info) : info_(info) {}

  std::string run(const ast::Program& p) {
    out_ << "Program\n";
    if (info_ && !info_->option_values.empty()) {
      out_ << " options\n";
      for (const auto& [name, value] : info_->option_values) line(2, name + " = " + value);
    }
    for (const auto& probe : p.probes) this->probe(*probe);
    if (info_)
      for (const auto& removed : info_->removed_probes) line(1, "removed probe " + removed + " (its predicate is false)");
    if (info_ && !info_->maps.empty()) {
      out_ << "Maps\n";
      for (const auto& [name, mi] : info_->maps) {
        out_ << " " << name << " key [";
        for (size_t i = 0; i < mi.key.size(); ++i) out_ << (i ? ", " : "") << to_string(mi.key[i]);
        out_ << "] value " << to_string(mi.value) << "\n";
      }
    }
    return out_.str();
  }

 private:
  void line(int depth, const std::string& text) { out_ << std::string(depth, ' ') << text << "\n"; }

  std::string typed(const ast::Expr& e, const std::string& text) {
    if (!info_) return text;
    auto it = info_->types.find(&e);
    if (it == info_->types.end()) return text;
    return text + " :: " + to_string(it->second);
  }

  void probe(const ast::Probe& p) {
    std::string aps;
    for (const auto& ap : p.attach_points) aps += (aps.empty() ? "" : ",") + ap.raw;
    line(1, "probe " + aps);
    for (const auto& ap : p.attach_points) {
      std::string parts = ap.provider;
      for (const auto& part : ap.parts) parts += " '" + part + "'";
      line(2, "attach " + parts);
    }
    if (p.predicate) {
      line(2, "predicate");
      expr(*p.predicate, 3);
    }
    block(p.body, 2);
  }

  void block(const ast::Block& b, int depth) {
    for (const auto& s : b) stmt(*s, depth);
  }

  void stmt(const ast::Stmt& s, int depth) {
    switch (s.kind) {
      case ast::NodeKind::ExprStmt:
        expr(*static_cast<const ast::ExprStmt&>(s).expr, depth);
        break;
      case ast::NodeKind::AssignMap: {
        const auto& a = static_cast<const ast::AssignMap&>(s);
        line(depth, a.compound ? std::string(ast::to_string(*a.compound)) + "=" : "=");
        expr(*a.map, depth + 1);
        expr(*a.expr, depth + 1);
        break;
      }
      case ast::NodeKind::AssignVar: {
        const auto& a = static_cast<const ast::AssignVar&>(s);
        line(depth, a.compound ? std::string(ast::to_string(*a.compound)) + "=" : "=");
        expr(*a.var, depth + 1);
        expr(*a.expr, depth + 1);
        break;
      }
      case ast::NodeKind::If: {
        const auto& i = static_cast<const ast::If&>(s);
        line(depth, "if");
        expr(*i.cond, depth + 1);
        line(depth + 1, "then");
        block(i.then_block, depth + 2);
        if (!i.else_block.empty()) {
          line(depth + 1, "else");
          block(i.else_block, depth + 2);
        }
        break;
      }
      case ast::NodeKind::While: {
        const auto& w = static_cast<const ast::While&>(s);
        line(depth, "while");
        expr(*w.cond, depth + 1);
        block(w.body, depth + 1);
        break;
      }
      case ast::NodeKind::Unroll: {
        const auto& u = static_cast<const ast::Unroll&>(s);
        line(depth, "unroll");
        expr(*u.count, depth + 1);
        block(u.body, depth + 1);
        break;
      }
      case ast::NodeKind::Jump:
        line(depth, ast::to_string(static_cast<const ast::Jump&>(s).jump));
        break;
      default:
        break;
    }
  }

  void expr(const ast::Expr& e, int depth) {
    switch (e.kind) {
      case ast::NodeKind::Integer:
        line(depth, typed(e, "int: " + std::to_string(static_cast<const ast::Integer&>(e).value)));
        break;
      case ast::NodeKind::String:
        line(depth, typed(e, "string: \"" + escape(static_cast<const ast::String&>(e).value) + "\""));
        break;
      case ast::NodeKind::Builtin:
        line(depth, typed(e, "builtin: " + static_cast<const ast::Builtin&>(e).name));
        break;
      case ast::NodeKind::FieldAccess: {
        const auto& f = static_cast<const ast::FieldAccess&>(e);
        line(depth, typed(e, std::string(f.arrow ? "field ->" : "field .") + f.field));
        expr(*f.base, depth + 1);
        break;
      }
      case ast::NodeKind::Tuple:
        line(depth, typed(e, "tuple"));
        for (const auto& x : static_cast<const ast::Tuple&>(e).elements) expr(*x, depth + 1);
        break;
      case ast::NodeKind::Variable:
        line(depth, typed(e, "variable: " + static_cast<const ast::Variable&>(e).name));
        break;
      case ast::NodeKind::Map: {
        const auto& m = static_cast<const ast::Map&>(e);
        line(depth, typed(e, "map: " + m.name));
        for (const auto& k : m.keys) expr(*k, depth + 1);
        break;
      }
      case ast::NodeKind::Call: {
        const auto& c = static_cast<const ast::Call&>(e);
        line(depth, typed(e, "call: " + c.func));
        for (const auto& a : c.args) expr(*a, depth + 1);
        break;
      }
      case ast::NodeKind::Binop: {
        const auto& b = static_cast<const ast::Binop&>(e);
        line(depth, typed(e, ast::to_string(b.op)));
        expr(*b.lhs, depth + 1);
        expr(*b.rhs, depth + 1);
        break;
      }
      case ast::NodeKind::Unop: {
        const auto& u = static_cast<const ast::Unop&>(e);
        line(depth, typed(e, std::string("unop: ") + ast::to_string(u.op)));
        expr(*u.operand, depth + 1);
        break;
      }
      case ast::NodeKind::Ternary: {
        const auto& t = static_cast<const ast::Ternary&>(e);
        line(depth, typed(e, "?:"));
        expr(*t.cond, depth + 1);
        expr(*t.then_expr, depth + 1);
        expr(*t.else_expr, depth + 1);
        break;
      }
      case ast::NodeKind::Cast: {
        const auto& c = static_cast<const ast::Cast&>(e);
        line(depth, typed(e, "cast: " + c.type_name + (c.pointer ? "*" : "")));
        expr(*c.operand, depth + 1);
        break;
      }
      case ast::NodeKind::Deref:
        line(depth, typed(e, "deref"));
        expr(*static_cast<const ast::Deref&>(e).operand, depth + 1);
        break;
      default:
        break;
    }
  }

  const SemanticInfo* info_;
  std::ostringstream out_;
};

}  // namespace

std::string dump_ast(const ast::Program& program, const SemanticInfo* info) { return Dumper(info).run(program); }

}  // namespace ms
