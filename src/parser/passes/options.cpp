#include "parser/passes/options.h"

#include <cctype>
#include <optional>

#include "parse_context.h"
#include "parser/script_options.h"
#include "suggest.h"

namespace ms::passes {

namespace {

bool is_decimal(const std::string& s) {
  if (s.empty() || s.size() > 18) return false;
  size_t start = s[0] == '-' && s.size() > 1 ? 1 : 0;
  for (size_t i = start; i < s.size(); ++i)
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
  return true;
}

// A literal for a number; negative values are `-N` so they stay signed.
ast::ExprPtr integer_literal(int64_t v, const Location& loc) {
  if (v >= 0) return std::make_unique<ast::Integer>(static_cast<uint64_t>(v), loc);
  uint64_t magnitude = static_cast<uint64_t>(-(v + 1)) + 1;
  return std::make_unique<ast::Unop>(ast::UnaryOp::Minus, std::make_unique<ast::Integer>(magnitude, loc), loc);
}

class Substituter {
 public:
  Substituter(PassContext& ctx, const ScriptArgs& args, bool declared)
      : ctx_(ctx), args_(args), declared_(declared) {}

  void run() {
    for (auto& probe : ctx_.program.probes) {
      for (auto& ap : probe->attach_points) attach_point(ap);
      if (probe->predicate) expr(probe->predicate);
      block(probe->body);
    }
  }

 private:
  std::vector<std::string> option_names() const {
    std::vector<std::string> out;
    for (const auto& [name, v] : args_.values) out.push_back(name);
    return out;
  }

  void unknown_option(const std::string& name, const Location& loc, const std::string& where) {
    std::string hint = did_you_mean(name, option_names());
    if (hint.empty() && !declared_)
      hint = "declare it in an options block at the top: options { " + name + ": int = 0 --" + name + " \"...\" }";
    ctx_.diags.error(loc, "unknown option '" + name + "'" + where, hint);
  }

  // ---- attach points ----

  static Location sub_location(const Location& ap, size_t offset, size_t len) {
    Location l = ap;
    l.column = ap.column + static_cast<int>(offset);
    l.end_line = ap.line;
    l.end_column = l.column + static_cast<int>(len);
    return l;
  }

  void attach_point(ast::AttachPoint& ap) {
    const std::string& raw = ap.raw;
    if (raw.find('$') == std::string::npos) return;
    std::string out;
    bool ok = true;
    bool in_quotes = false;
    // A value with ':' (a path) goes in quotes so it stays one part.
    auto insert = [&](const std::string& value) {
      bool quote = !in_quotes && value.find(':') != std::string::npos && value.find('"') == std::string::npos;
      out += quote ? "\"" + value + "\"" : value;
    };
    for (size_t i = 0; i < raw.size(); ++i) {
      if (raw[i] == '"' && (i == 0 || raw[i - 1] != '\\')) in_quotes = !in_quotes;
      if (raw[i] != '$') {
        out += raw[i];
        continue;
      }
      if (i + 1 < raw.size() && raw[i + 1] == '{') {
        size_t close = raw.find('}', i);
        std::string name = raw.substr(i + 2, close - i - 2);
        Location loc = sub_location(ap.loc, i, close - i + 1);
        auto it = args_.values.find(name);
        if (name.empty()) {
          ctx_.diags.error(loc, "empty ${} in attach point", "name an option: ${obj}");
          ok = false;
        } else if (it == args_.values.end()) {
          unknown_option(name, loc, " in attach point");
          ok = false;
        } else {
          insert(it->second.text);
        }
        i = close;
        continue;
      }
      size_t j = i + 1;
      while (j < raw.size() && std::isdigit(static_cast<unsigned char>(raw[j]))) ++j;
      if (j == i + 1) {  // a lone '$': part of a name
        out += raw[i];
        continue;
      }
      size_t n = j - i - 1 > 6 ? 1000000 : std::stoul(raw.substr(i + 1, j - i - 1));
      Location loc = sub_location(ap.loc, i, j - i);
      if (n == 0 || n > args_.positionals.size()) {
        size_t have = args_.positionals.size();
        ctx_.diags.error(loc,
                         n == 0 ? "positional parameters start at $1"
                                : "attach point uses $" + std::to_string(n) + ", but the script was given " +
                                      std::to_string(have) + " positional argument" + (have == 1 ? "" : "s"),
                         "pass it after the script: memscript SCRIPT.ms ARG1 ARG2 ...");
        ok = false;
      } else {
        insert(args_.positionals[n - 1]);
      }
      i = j - 1;
    }
    if (!ok) return;
    // Split again: the substituted text may hold a path, a symbol prefix ...
    ast::AttachPoint fresh = detail::make_attach_point(out, ap.loc);
    ap = std::move(fresh);
  }

  // ---- expressions ----

  void block(ast::Block& b) {
    for (auto& s : b) stmt(*s);
  }

  void stmt(ast::Stmt& s) {
    switch (s.kind) {
      case ast::NodeKind::ExprStmt:
        expr(static_cast<ast::ExprStmt&>(s).expr);
        break;
      case ast::NodeKind::AssignMap: {
        auto& a = static_cast<ast::AssignMap&>(s);
        for (auto& k : a.map->keys) expr(k);
        expr(a.expr);
        break;
      }
      case ast::NodeKind::AssignVar:
        expr(static_cast<ast::AssignVar&>(s).expr);
        break;
      case ast::NodeKind::If: {
        auto& i = static_cast<ast::If&>(s);
        expr(i.cond);
        block(i.then_block);
        block(i.else_block);
        break;
      }
      default:
        break;
    }
  }

  void expr(ast::ExprPtr& e) {
    switch (e->kind) {
      case ast::NodeKind::OptionRef:
        e = option_literal(static_cast<ast::OptionRef&>(*e));
        return;
      case ast::NodeKind::Positional:
        e = positional_literal(static_cast<ast::Positional&>(*e));
        return;
      case ast::NodeKind::Map:
        for (auto& k : static_cast<ast::Map&>(*e).keys) expr(k);
        return;
      case ast::NodeKind::Call:
        for (auto& a : static_cast<ast::Call&>(*e).args) expr(a);
        return;
      case ast::NodeKind::Binop: {
        auto& b = static_cast<ast::Binop&>(*e);
        expr(b.lhs);
        expr(b.rhs);
        return;
      }
      case ast::NodeKind::Unop:
        expr(static_cast<ast::Unop&>(*e).operand);
        return;
      case ast::NodeKind::Ternary: {
        auto& t = static_cast<ast::Ternary&>(*e);
        expr(t.cond);
        expr(t.then_expr);
        expr(t.else_expr);
        return;
      }
      default:
        return;
    }
  }

  ast::ExprPtr option_literal(const ast::OptionRef& ref) {
    auto it = args_.values.find(ref.name);
    if (it == args_.values.end()) {
      unknown_option(ref.name, ref.loc, "");
      return std::make_unique<ast::Integer>(0, ref.loc);
    }
    const OptionValue& v = it->second;
    if (v.is_string) return std::make_unique<ast::String>(v.text, ref.loc);
    return integer_literal(v.number, ref.loc);
  }

  // Like bpftrace: a numeric word is an integer, anything else a string, a
  // missing one is 0; $# is how many there are.
  ast::ExprPtr positional_literal(const ast::Positional& p) {
    if (p.index == 0) return integer_literal(static_cast<int64_t>(args_.positionals.size()), p.loc);
    if (static_cast<size_t>(p.index) > args_.positionals.size()) return integer_literal(0, p.loc);
    const std::string& word = args_.positionals[p.index - 1];
    if (is_decimal(word)) return integer_literal(std::stoll(word), p.loc);
    return std::make_unique<ast::String>(word, p.loc);
  }

  PassContext& ctx_;
  const ScriptArgs& args_;
  bool declared_;
};

std::string shown(const OptionValue& v) {
  if (v.is_string) return "\"" + v.text + "\"";
  std::string n = std::to_string(v.number);
  return v.text == n ? n : v.text + " (" + n + ")";
}

}  // namespace

void substitute_options(PassContext& ctx) {
  std::optional<ScriptArgs> defaults;
  const ScriptArgs* args = ctx.args;
  if (!args) {
    std::string prog = ctx.diags.filename();
    auto iface = script_interface(ctx.program, ctx.diags, prog.substr(prog.rfind('/') + 1));
    if (!iface) return;
    defaults = default_args(*iface);
    args = &*defaults;
  }
  Substituter(ctx, *args, ctx.program.options.present).run();
  ctx.info.option_values.clear();
  for (const auto& [name, v] : args->values) ctx.info.option_values.emplace_back(name, shown(v));
}

}  // namespace ms::passes
