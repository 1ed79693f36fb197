// libFuzzer target: lexer + parser + checking passes + AST dump.
//
// Beyond "no crash, no sanitizer report", it checks the front end's promise
// that bad input always yields a located, non-empty error message.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "common/diagnostics.h"
#include "parser/parse.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  ms::Diagnostics diags("fuzz.ms", text);
  auto program = ms::parse(diags);
  ms::SemanticInfo info;
  bool ok = program && ms::check(*program, diags, info);
  if (ok) {
    (void)ms::dump_ast(*program, &info);
  } else {
    if (!diags.has_errors()) std::abort();  // a rejected script must say why
    for (const auto& d : diags.all())
      if (d.message.empty()) std::abort();
  }
  (void)diags.render();
  return 0;
}
