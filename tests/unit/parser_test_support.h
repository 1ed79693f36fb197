// What the parser unit tests share: check a one-liner, get its diagnostics.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "parser/parse.h"

namespace ms::test {

// Parses and checks `src` as a -e one-liner; returns the rendered diagnostics.
inline std::string errors_of(const std::string& src) {
  Diagnostics diags("-e", src);
  auto program = parse(diags);
  if (program) {
    SemanticInfo info;
    bool ok = check(*program, diags, info);
    EXPECT_EQ(ok, !diags.has_errors());
  }
  return diags.render();
}

// A program that is expected to check cleanly, with what checking computed.
struct Checked {
  std::unique_ptr<Diagnostics> diags;
  std::unique_ptr<ast::Program> program;
  SemanticInfo info;
};

inline Checked check_ok(const std::string& src) {
  Checked c;
  c.diags = std::make_unique<Diagnostics>("-e", src);
  c.program = parse(*c.diags);
  EXPECT_TRUE(c.program) << c.diags->render();
  if (c.program) {
    EXPECT_TRUE(check(*c.program, *c.diags, c.info)) << c.diags->render();
  }
  return c;
}

}  // namespace ms::test
