// Entry points of the front end: text -> AST -> checked AST.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "manifest/manifest.h"
#include "parser/ast.h"
#include "common/diagnostics.h"
#include "common/tracepoint_format.h"
#include "parser/types.h"

namespace ms {

// Lexes and parses the script held by `diags`. Returns null if there were
// syntax errors (all of them are in `diags`).
std::unique_ptr<ast::Program> parse(Diagnostics& diags);

// Runs the checking passes (attach point validation, name resolution, type
// inference and checking). Returns false with errors in `diags` on failure.
// `provider` answers questions about the system (tracepoint formats and
// lists); without one, tracepoint wildcards and `args` are errors.
bool check(ast::Program& program, Diagnostics& diags, SemanticInfo& info,
           const ProbeInfoProvider* provider = nullptr);

struct ScriptArgs;
// The same with the script's option values from its command line
// (script_options.h); without them every option is at its default.
bool check(ast::Program& program, Diagnostics& diags, SemanticInfo& info, const ScriptArgs& args,
           const ProbeInfoProvider* provider = nullptr);

// Renders the AST for `-d ast`.
std::string dump_ast(const ast::Program& program, const SemanticInfo* info = nullptr);

// The probe type of an attach point (the provider is already expanded from
// its alias by the parser); nullopt for providers check() rejects.
std::optional<manifest::ProbeType> probe_type(const ast::AttachPoint& ap);

// The period of a checked `interval:UNIT:N` attach point in nanoseconds
// (units s, ms, us, and hz meaning N times per second); 0 if not an interval.
uint64_t interval_period_ns(const ast::AttachPoint& ap);

// The default count of software perf event NAME (page-faults, faults, cs ...),
// 0 if memscript does not know the event.
uint64_t software_event_default(const std::string& name);

}  // namespace ms
