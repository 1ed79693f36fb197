// Integer literals as bpftrace reads them: octal with a leading 0, scientific
// notation (1e6), digit separators and C suffixes.
#include <gtest/gtest.h>

#include "parser/parse.h"
#include "unit/parser_test_support.h"

namespace ms {
namespace {

using test::Checked;
using test::check_ok;
using test::errors_of;

uint64_t value_of(const std::string& literal) {
  Checked c = check_ok("BEGIN { $v = " + literal + " }");
  if (!c.program) return ~0ull;
  const auto& assign = static_cast<const ast::AssignVar&>(*c.program->probes[0]->body.back());
  EXPECT_EQ(assign.expr->kind, ast::NodeKind::Integer) << literal;
  return static_cast<const ast::Integer&>(*assign.expr).value;
}

TEST(ParserLiterals, Values) {
  EXPECT_EQ(value_of("0"), 0u);
  EXPECT_EQ(value_of("00"), 0u);
  EXPECT_EQ(value_of("0777"), 511u);
  EXPECT_EQ(value_of("010u"), 8u);
  EXPECT_EQ(value_of("1e3"), 1000u);
  EXPECT_EQ(value_of("5e0"), 5u);
  EXPECT_EQ(value_of("0e30"), 0u);
  EXPECT_EQ(value_of("1_000e3"), 1000000u);
  EXPECT_EQ(value_of("1e19"), 10000000000000000000u);
  EXPECT_EQ(value_of("0x1e3"), 0x1e3u);  // hex digits, not an exponent
  EXPECT_EQ(value_of("1_000_000"), 1000000u);
}

TEST(ParserLiterals, Diagnostics) {
  EXPECT_EQ(errors_of("BEGIN { $v = 089 }"),
            "-e:1:14: error: invalid digit '8' in octal literal '089'\n"
            "BEGIN { $v = 089 }\n"
            "             ^~~\n"
            "hint: a leading 0 makes an integer octal, as in C and bpftrace: write 89 for decimal\n");
  EXPECT_EQ(errors_of("BEGIN { $v = 2e19 }"),
            "-e:1:14: error: integer literal '2e19' does not fit in 64 bits\n"
            "BEGIN { $v = 2e19 }\n"
            "             ^~~~\n"
            "hint: the largest integer is 18446744073709551615 (0xffffffffffffffff)\n");
  EXPECT_EQ(errors_of("BEGIN { $v = 1e }"),
            "-e:1:14: error: invalid integer literal '1e'\n"
            "BEGIN { $v = 1e }\n"
            "             ^~\n"
            "hint: integers are decimal (1_000), octal (0777), hex (0x3e8) or scientific (1e6), with an optional "
            "suffix u, l, ul, ll or ull\n");
}

}  // namespace
}  // namespace ms
