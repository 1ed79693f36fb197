// What every checking pass gets, and how the pipeline lists passes.
#pragma once

#include "common/tracepoint_format.h"
#include "parser/ast.h"
#include "common/diagnostics.h"
#include "parser/types.h"

namespace ms {
struct ScriptArgs;
}

namespace ms::passes {

struct PassContext {
  ast::Program& program;
  Diagnostics& diags;
  SemanticInfo& info;
  // The script's option values from its command line; null: every option at
  // its default and no positional parameters.
  const ScriptArgs* args = nullptr;
  // The system the program is checked for (tracepoint formats, wildcard
  // expansion); null when checking without one, e.g. in unit tests.
  const ProbeInfoProvider* provider = nullptr;
};

struct Pass {
  const char* name;
  void (*run)(PassContext&);
  // Later passes rely on what this one checks (known names, valid attach
  // points), so the pipeline stops after it when it found errors, instead of
  // piling up follow-on errors.
  bool later_passes_need_it;
};

}  // namespace ms::passes
