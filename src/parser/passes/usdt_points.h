// usdt:PATH:[PROVIDER:]NAME attach points (PATH `*`: every file the traced
// process maps, with -p): expanded, through the
// ProbeInfoProvider, into one attach point per matching probe (PROVIDER and
// NAME may be globs), each recorded with its locations and argument specs in
// SemanticInfo::usdt_probes for codegen. A missing file, a file without USDT
// notes (Debian's libc among them) and an unknown probe are located errors.
#pragma once

#include <vector>

#include "parser/passes/pass.h"

namespace ms::passes {

bool is_usdt(const ast::AttachPoint& ap);
void expand_usdt(const ast::AttachPoint& ap, PassContext& ctx, std::vector<ast::AttachPoint>& out);

}  // namespace ms::passes
