// Typing of the operators and functions added for bpftrace compatibility:
// casts, typed pointers, compound assignments, strncmp, str, probe/func and
// the stats/hist/lhist aggregations.
#include <gtest/gtest.h>

#include "parser/parse.h"
#include "unit/parser_test_support.h"

namespace ms {
namespace {

using test::Checked;
using test::check_ok;

// The type of EXPR as the value of `$v = EXPR` in a uprobe with $s (int64) and $u (uint64).
Type type_of_expr(const std::string& expr) {
  Checked c = check_ok("uprobe:/bin/sh:main { $s = 1; $u = pid; $v = " + expr + " }");
  if (!c.program) return Type::none();
  const auto& assign = static_cast<const ast::AssignVar&>(*c.program->probes[0]->body.back());
  return c.info.type_of(assign.expr.get());
}

const Type kS64 = Type::integer(true);
const Type kU64 = Type::integer(false);

TEST(ParserTypesLanguage, CastsToIntegersKeepTheirSign) {
  for (const char* t : {"int8", "int16", "int32", "int64"}) EXPECT_EQ(type_of_expr(std::string("(") + t + ")$u"), kS64) << t;
  for (const char* t : {"uint8", "uint16", "uint32", "uint64"})
    EXPECT_EQ(type_of_expr(std::string("(") + t + ")$s"), kU64) << t;
  // A cast binds tighter than a binary operator: ((uint8)$s) + $s.
  EXPECT_EQ(type_of_expr("(uint8)$s + $s"), kU64);
}

TEST(ParserTypesLanguage, TypedPointersAndDereference) {
  EXPECT_EQ(type_of_expr("(uint32*)arg0"), Type::pointer(4, false));
  EXPECT_EQ(to_string(Type::pointer(4, false)), "uint32*");
  EXPECT_EQ(to_string(Type::pointer(1, true)), "int8*");
  EXPECT_EQ(type_of_expr("*(int16*)arg0"), kS64);
  EXPECT_EQ(type_of_expr("*(uint64*)arg0"), kU64);
  // Arithmetic on a pointer gives a plain integer; cast again to dereference.
  EXPECT_EQ(type_of_expr("(uint32*)arg0 + 4"), kU64);
}

TEST(ParserTypesLanguage, CompoundAssignmentsMakeIntegerMaps) {
  Checked c = check_ok("BEGIN { @a++; @b--; @c += 2; @d <<= 1; @k[\"x\", 1] *= 3; $v = 1; $v |= 6; $v++ }");
  for (const char* m : {"@a", "@b", "@c", "@d", "@k"}) EXPECT_EQ(c.info.maps.at(m).value, kS64) << m;
  EXPECT_EQ(c.info.maps.at("@k").key, (std::vector<Type>{Type::string(2), kS64}));
  EXPECT_EQ(c.info.variables.begin()->second.at("$v"), kS64);
}

TEST(ParserTypesLanguage, CompoundAssignmentKeepsAnUnsignedMap) {
  Checked c = check_ok("uprobe:/bin/sh:main { @x = arg0; @x += 1 }");
  EXPECT_EQ(c.info.maps.at("@x").value, kU64);
}

TEST(ParserTypesLanguage, IncrementIsMarked) {
  Checked c = check_ok("BEGIN { @a++; @b += 1; $v = 0; --$v }");
  const auto& body = c.program->probes[0]->body;
  EXPECT_TRUE(static_cast<const ast::AssignMap&>(*body[0]).increment);
  EXPECT_EQ(static_cast<const ast::AssignMap&>(*body[0]).compound, ast::BinaryOp::Add);
  EXPECT_FALSE(static_cast<const ast::AssignMap&>(*body[1]).increment);
  EXPECT_EQ(static_cast<const ast::AssignVar&>(*body[3]).compound, ast::BinaryOp::Sub);
}

TEST(ParserTypesLanguage, StringFunctions) {
  EXPECT_EQ(type_of_expr("strncmp(comm, \"sh\", 2)"), kS64);
  EXPECT_EQ(type_of_expr("str(arg0)"), Type::string(kDefaultStringSize));
  EXPECT_EQ(type_of_expr("str(arg0, 3)"), Type::string(4));  // 3 characters and the NUL
  EXPECT_EQ(type_of_expr("str(arg0, 63)"), Type::string(kDefaultStringSize));
  // bpftrace 0.17 silently cuts str(arg0, 1000) to 64 bytes; memscript says
  // so instead (tests/unit/parser_malformed_test.cpp pins the message).
}

TEST(ParserTypesLanguage, ProbeAndFuncHoldTheLongestAttachPoint) {
  EXPECT_EQ(type_of_expr("func"), Type::string(16));  // "main" and the NUL, at least 16
  EXPECT_EQ(type_of_expr("probe"), Type::string(static_cast<uint32_t>(std::string("uprobe:/bin/sh:main").size() + 17)));
}

TEST(ParserTypesLanguage, NewAggregations) {
  Checked c = check_ok("uprobe:/bin/sh:main { @s = stats(arg0); @h[comm] = hist((int64)arg0); @l = lhist(arg0, -10, 100, 10) }");
  EXPECT_EQ(c.info.maps.at("@s").value, Type::aggregation(TypeKind::Stats, false));
  EXPECT_EQ(c.info.maps.at("@h").value, Type::aggregation(TypeKind::Hist, true));
  EXPECT_EQ(c.info.maps.at("@h").key, (std::vector<Type>{Type::string(kCommSize)}));
  const MapInfo& l = c.info.maps.at("@l");
  EXPECT_EQ(l.value.kind, TypeKind::Lhist);
  EXPECT_EQ(l.lhist_min, -10);
  EXPECT_EQ(l.lhist_max, 100);
  EXPECT_EQ(l.lhist_step, 10);
  EXPECT_EQ(to_string(l.value), "lhist");
  EXPECT_EQ(to_string(c.info.maps.at("@s").value), "ustats");
}

TEST(ParserTypesLanguage, LoopsAndJumpsCheck) {
  check_ok("BEGIN { $i = 0; while ($i < 3) { $i++; if ($i == 1) { continue; } break; } unroll(2) { $i += 1; } return; }");
}

TEST(ParserTypesLanguage, BareBlocksJoinTheirBlock) {
  Checked c = check_ok("BEGIN { $a = 1; { $a = 2; { @b = $a; } } }");
  EXPECT_EQ(c.program->probes[0]->body.size(), 3u);
}

TEST(ParserTypesLanguage, IntegerLiteralSuffixes) {
  Checked c = check_ok("BEGIN { @a = 10u; @b = 7ll; @c = 0x10UL; @d = 1_000ull }");
  const auto& body = c.program->probes[0]->body;
  const uint64_t want[] = {10, 7, 16, 1000};
  for (size_t i = 0; i < 4; ++i) {
    const auto& a = static_cast<const ast::AssignMap&>(*body[i]);
    ASSERT_EQ(a.expr->kind, ast::NodeKind::Integer);
    EXPECT_EQ(static_cast<const ast::Integer&>(*a.expr).value, want[i]);
  }
}

}  // namespace
}  // namespace ms
