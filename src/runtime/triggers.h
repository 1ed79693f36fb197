// BEGIN and END are uprobes on these two functions of memscript's own
// executable (exported through ENABLE_EXPORTS, so they are in .dynsym), filtered
// to memscript's pid. Calling a function fires its probe exactly once, in
// memscript's own context, with every map already created.
#pragma once

extern "C" {
void memscript_begin_trigger();
void memscript_end_trigger();
}

namespace ms::runtime {

inline constexpr const char* kBeginTriggerSymbol = "memscript_begin_trigger";
inline constexpr const char* kEndTriggerSymbol = "memscript_end_trigger";

}  // namespace ms::runtime
