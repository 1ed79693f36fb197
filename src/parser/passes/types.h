// Type inference and checking: every expression gets a Type in
// SemanticInfo::types, every map a MapInfo fixed by its first use and checked
// against every other use, printf arguments match their conversions, and
// aggregation/statement functions appear only where they mean something.
#pragma once

#include "parser/passes/pass.h"

namespace ms::passes {

void check_types(PassContext& ctx);

}  // namespace ms::passes
