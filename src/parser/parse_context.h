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
  // A nesting limit was hit and reported: report it once, not per level.
  bool expr_nesting_reported = false;
  bool block_nesting_reported = false;
  // Items of the options block being parsed, moved into the program at its '}'.
  ast::OptionsBlock pending_options;
};

// Deepest expression and block nesting a script may have: far beyond what a
// person writes, well inside what the recursive passes and codegen can walk
// on the default 8 MiB stack (also with ASan's larger frames).
inline constexpr uint32_t kMaxExprNesting = 256;
inline constexpr int kMaxBlockNesting = 64;

// Sets e's nesting from its direct children; past kMaxExprNesting it reports
// the error once and returns a leaf in e's place, so the tree never gets
// deeper while the parser goes on.
ast::ExprPtr nest(ParseContext& ctx, ast::ExprPtr e);

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
