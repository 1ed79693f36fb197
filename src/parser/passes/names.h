// Resolves names: builtins and functions exist (with a "did you mean" hint)
// and are called with the right number of arguments, builtins are used only
// in probe types where they mean something, and every $variable is assigned
// before it is read in its probe.
#pragma once

#include "parser/passes/pass.h"

namespace ms::passes {

void resolve_names(PassContext& ctx);

}  // namespace ms::passes
