// State shared by the flex scanner and the bison parser for one parse.
// Internal to src/parser: nothing outside the front end includes it.
#pragma once

#include <memory>
#include <string>

#include "parser/ast.h"
#include "common/diagnostics.h"
#include "common/location.h"

namespace ms::detail {

struct ParseContext {
  explicit ParseContext(Diagnostics& d) : diags(d) {}

  Diagnostics& diags;
  std::unique_ptr<ast::Program> program = std::make_unique<ast::Program>();

  // Scanner position (1-based) of the next character to be read.
  int line = 1;
  int column = 1;
  size_t offset = 0;
  // Brace nesting: at depth 0 outside a predicate the scanner reads attach points.
  int depth = 0;
  // Set when the scanner already reported why input ended early (unterminated
  // comment or string), so "unexpected end of file" would only repeat it.
  bool premature_eof_reported = false;
  // The scanner just read the `options` keyword: its '{' opens an options block.
  bool options_next = false;
  // Inside `let @x = hash(N);` at the top level: its ';' returns to attach points.
  bool in_map_decl = false;
  // Items of the options block being parsed, moved into the program at its '}'.
  ast::OptionsBlock pending_options;
};

// Builds an AttachPoint from the text of one attach point token: splits it on
// ':' outside double quotes, removes the quotes and expands the short provider
// aliases (u: ur: t: i: ...) to their full names.
ast::AttachPoint make_attach_point(const std::string& raw, const Location& loc);

}  // namespace ms::detail

namespace ms::detail {
// Defined in lexer.l: a reentrant scanner over ctx.diags.source().
void* scanner_create(ParseContext& ctx);
void scanner_destroy(void* scanner);
}  // namespace ms::detail
