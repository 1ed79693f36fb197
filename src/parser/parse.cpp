// ms::parse: runs the scanner and parser over one script, and the small
// builders the grammar actions call.
#include "parser/parse.h"

#include <algorithm>

#include "parse_context.h"
#include "parser.tab.h"
#include "parser/passes/walk.h"

namespace ms {

namespace detail {

namespace {

// Short provider names bpftrace accepts, mapped to the full ones.
std::string expand_provider(const std::string& p) {
  static const std::pair<const char*, const char*> kAliases[] = {
      {"u", "uprobe"}, {"ur", "uretprobe"}, {"t", "tracepoint"}, {"i", "interval"}, {"k", "kprobe"},
      {"kr", "kretprobe"}, {"f", "kfunc"}, {"fr", "kretfunc"}, {"U", "usdt"}, {"p", "profile"},
      {"s", "software"}, {"h", "hardware"}, {"w", "watchpoint"}, {"rt", "rawtracepoint"},
  };
  for (const auto& [alias, full] : kAliases)
    if (p == alias) return full;
  return p;
}

}  // namespace

ast::AttachPoint make_attach_point(const std::string& raw, const Location& loc) {
  ast::AttachPoint ap;
  ap.raw = raw;
  ap.loc = loc;
  std::vector<std::string> fields(1);
  bool in_quotes = false;
  for (size_t i = 0; i < raw.size(); ++i) {
    char c = raw[i];
    if (c == '"') {
      in_quotes = !in_quotes;
    } else if (in_quotes && c == '\\' && i + 1 < raw.size()) {
      fields.back().push_back(raw[++i]);
    } else if (!in_quotes && c == ':') {
      fields.emplace_back();
    } else {
      fields.back().push_back(c);
    }
  }
  ap.provider = expand_provider(fields[0]);
  ap.parts.assign(fields.begin() + 1, fields.end());
  return ap;
}

ast::ExprPtr nest(ParseContext& ctx, ast::ExprPtr e) {
  uint32_t deepest = 0;
  passes::for_each_child(*e, [&](ast::Expr& child) { deepest = std::max(deepest, child.nesting); });
  e->nesting = deepest + 1;
  if (e->nesting <= kMaxExprNesting) return e;
  if (!ctx.expr_nesting_reported) {
    ctx.diags.error(e->loc, "expression nested more than " + std::to_string(kMaxExprNesting) + " levels deep",
                    "split it into steps with variables ($x = ...)");
    ctx.expr_nesting_reported = true;
  }
  // Dropping e frees a subtree only kMaxExprNesting deep.
  return std::make_unique<ast::Integer>(0, e->loc);
}

}  // namespace detail

std::unique_ptr<ast::Program> parse(Diagnostics& diags) {
  detail::ParseContext ctx(diags);
  void* scanner = detail::scanner_create(ctx);
  Parser parser(scanner, ctx);
  int rc = parser.parse();
  detail::scanner_destroy(scanner);
  if (rc != 0 || diags.has_errors()) return nullptr;
  return std::move(ctx.program);
}

}  // namespace ms
