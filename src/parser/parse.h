// Entry points of the front end: text -> AST -> checked AST.
#pragma once

#include <memory>

#include "parser/ast.h"
#include "parser/diagnostics.h"
#include "parser/types.h"

namespace ms {

// Lexes and parses the script held by `diags`. Returns null if there were
// syntax errors (all of them are in `diags`).
std::unique_ptr<ast::Program> parse(Diagnostics& diags);

// Runs the checking passes (attach point validation, name resolution, type
// inference and checking). Returns false with errors in `diags` on failure.
bool check(ast::Program& program, Diagnostics& diags, SemanticInfo& info);

// Renders the AST for `-d ast`.
std::string dump_ast(const ast::Program& program, const SemanticInfo* info = nullptr);

}  // namespace ms
