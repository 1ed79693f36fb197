// Types computed by ms::check: per operator signedness, builtins, maps.
#include <gtest/gtest.h>

#include "parser/parse.h"
#include "unit/parser_test_support.h"

namespace ms {
namespace {

using test::Checked;
using test::check_ok;

// The type of the right-hand side of the (only) map assignment in `uprobe:/bin/sh:main { @x = EXPR }`.
Type type_of_expr(const std::string& expr) {
  Checked c = check_ok("uprobe:/bin/sh:main { $s = 1; $u = pid; @x = " + expr + " }");
  if (!c.program) return Type::none();
  const auto& body = c.program->probes[0]->body;
  const auto& assign = static_cast<const ast::AssignMap&>(*body.back());
  EXPECT_EQ(c.info.type_of(assign.map.get()), c.info.type_of(assign.expr.get()));
  return c.info.type_of(assign.expr.get());
}

const Type kS64 = Type::integer(true);
const Type kU64 = Type::integer(false);

TEST(ParserTypes, Literals) {
  EXPECT_EQ(type_of_expr("1"), kS64);
  EXPECT_EQ(type_of_expr("9223372036854775807"), kS64);
  EXPECT_EQ(type_of_expr("9223372036854775808"), kU64);  // too large for int64: unsigned, as in C
  EXPECT_EQ(type_of_expr("\"abc\""), Type::string(4));
  EXPECT_EQ(type_of_expr("\"\""), Type::string(1));
}

TEST(ParserTypes, Builtins) {
  for (const char* b : {"pid", "tid", "nsecs", "uid", "gid", "cpu", "elapsed", "arg0", "arg5"})
    EXPECT_EQ(type_of_expr(b), kU64) << b;
  EXPECT_EQ(type_of_expr("comm"), Type::string(kCommSize));
}

TEST(ParserTypes, ArithmeticIsUnsignedIfEitherOperandIs) {
  for (const char* op : {"+", "-", "*", "/", "%", "&", "|", "^"}) {
    std::string o = op;
    EXPECT_EQ(type_of_expr("$s " + o + " $s"), kS64) << op;
    EXPECT_EQ(type_of_expr("$s " + o + " $u"), kU64) << op;
    EXPECT_EQ(type_of_expr("$u " + o + " $s"), kU64) << op;
    EXPECT_EQ(type_of_expr("$u " + o + " $u"), kU64) << op;
  }
}

TEST(ParserTypes, ShiftsTakeTheLeftOperandType) {
  for (const char* op : {"<<", ">>"}) {
    std::string o = op;
    EXPECT_EQ(type_of_expr("$s " + o + " $u"), kS64) << op;
    EXPECT_EQ(type_of_expr("$u " + o + " $s"), kU64) << op;
  }
}

TEST(ParserTypes, ComparisonsAndLogicGiveSignedBooleans) {
  for (const char* op : {"==", "!=", "<", "<=", ">", ">=", "&&", "||"}) {
    std::string o = op;
    EXPECT_EQ(type_of_expr("$u " + o + " $u"), kS64) << op;
    EXPECT_EQ(type_of_expr("$s " + o + " $u"), kS64) << op;
  }
  EXPECT_EQ(type_of_expr("!$u"), kS64);
}

TEST(ParserTypes, UnaryMinusAndNotKeepTheOperandType) {
  EXPECT_EQ(type_of_expr("-$s"), kS64);
  EXPECT_EQ(type_of_expr("-$u"), kU64);
  EXPECT_EQ(type_of_expr("~$u"), kU64);
  EXPECT_EQ(type_of_expr("~1"), kS64);
}

TEST(ParserTypes, StringEquality) {
  EXPECT_EQ(type_of_expr("comm == \"sh\""), kS64);
  EXPECT_EQ(type_of_expr("\"a\" != comm"), kS64);
}

TEST(ParserTypes, Ternary) {
  EXPECT_EQ(type_of_expr("$s ? 1 : 2"), kS64);
  EXPECT_EQ(type_of_expr("$s ? 1 : $u"), kU64);
  EXPECT_EQ(type_of_expr("$s ? \"ab\" : comm"), Type::string(16));
}

TEST(ParserTypes, EveryExpressionIsTyped) {
  Checked c = check_ok("BEGIN { @x[1, \"k\"] = (2 + 3) * -4; printf(\"%d\\n\", @x[1, \"k\"]) }");
  std::vector<const ast::Expr*> all;
  std::function<void(const ast::Expr&)> visit = [&](const ast::Expr& e) {
    all.push_back(&e);
    if (e.kind == ast::NodeKind::Binop) {
      visit(*static_cast<const ast::Binop&>(e).lhs);
      visit(*static_cast<const ast::Binop&>(e).rhs);
    } else if (e.kind == ast::NodeKind::Unop) {
      visit(*static_cast<const ast::Unop&>(e).operand);
    } else if (e.kind == ast::NodeKind::Map) {
      for (const auto& k : static_cast<const ast::Map&>(e).keys) visit(*k);
    } else if (e.kind == ast::NodeKind::Call) {
      for (const auto& a : static_cast<const ast::Call&>(e).args) visit(*a);
    }
  };
  for (const auto& s : c.program->probes[0]->body) {
    if (s->kind == ast::NodeKind::AssignMap) {
      visit(*static_cast<const ast::AssignMap&>(*s).map);
      visit(*static_cast<const ast::AssignMap&>(*s).expr);
    } else {
      visit(*static_cast<const ast::ExprStmt&>(*s).expr);
    }
  }
  EXPECT_EQ(all.size(), 14u);
  for (const ast::Expr* e : all) EXPECT_TRUE(c.info.types.count(e)) << "untyped node of kind " << int(e->kind);
}

TEST(ParserTypes, MapInfoFromFirstUse) {
  Checked c = check_ok("BEGIN { @m[comm, pid] = 1 } END { @m[\"x\", 2] = 3; print(@m) }");
  const MapInfo& mi = c.info.maps.at("@m");
  EXPECT_EQ(mi.name, "@m");
  ASSERT_EQ(mi.key.size(), 2u);
  EXPECT_EQ(mi.key[0], Type::string(16));
  EXPECT_EQ(mi.key[1], kU64);
  EXPECT_EQ(mi.value, kS64);
  EXPECT_EQ(mi.first_use.line, 1);
  EXPECT_EQ(mi.first_use.column, 9);
}

TEST(ParserTypes, StringMapValuesWidenToTheLargest) {
  Checked c = check_ok("BEGIN { @s = \"ab\"; @s = comm; @s = \"abc\" }");
  EXPECT_EQ(c.info.maps.at("@s").value, Type::string(16));
}

TEST(ParserTypes, Aggregations) {
  Checked c = check_ok(
      "uprobe:/bin/sh:main { @c = count(); @s = sum(arg0); @ss = sum(-1); @mi = min(arg1); @ma = max(1); "
      "@a = avg(arg2) }");
  EXPECT_EQ(c.info.maps.at("@c").value, Type::aggregation(TypeKind::Count, false));
  EXPECT_EQ(c.info.maps.at("@s").value, Type::aggregation(TypeKind::Sum, false));
  EXPECT_EQ(c.info.maps.at("@ss").value, Type::aggregation(TypeKind::Sum, true));
  EXPECT_EQ(c.info.maps.at("@mi").value, Type::aggregation(TypeKind::Min, false));
  EXPECT_EQ(c.info.maps.at("@ma").value, Type::aggregation(TypeKind::Max, true));
  EXPECT_EQ(c.info.maps.at("@a").value, Type::aggregation(TypeKind::Avg, false));
  EXPECT_TRUE(c.info.maps.at("@c").key.empty());
  EXPECT_EQ(to_string(c.info.maps.at("@s").value), "usum");
}

TEST(ParserTypes, MapReadBeforeItsAssignmentInProgramOrder) {
  // END is written first; the value type comes from the later BEGIN probe.
  Checked c = check_ok("END { printf(\"%d\\n\", @late + 1) } BEGIN { @late = pid }");
  EXPECT_EQ(c.info.maps.at("@late").value, kU64);
}

TEST(ParserTypes, VariablesPerProbe) {
  Checked c = check_ok("BEGIN { $a = 1; $b = comm; $a = 2 } END { $a = \"s\" }");
  const auto& begin = c.info.variables.at(c.program->probes[0].get());
  EXPECT_EQ(begin.at("$a"), kS64);
  EXPECT_EQ(begin.at("$b"), Type::string(16));
  EXPECT_EQ(c.info.variables.at(c.program->probes[1].get()).at("$a"), Type::string(2));
}

TEST(ParserTypes, TypeNames) {
  EXPECT_EQ(to_string(kS64), "int64");
  EXPECT_EQ(to_string(kU64), "uint64");
  EXPECT_EQ(to_string(Type::string(16)), "string[16]");
  EXPECT_EQ(to_string(Type::aggregation(TypeKind::Count, false)), "count");
  EXPECT_EQ(to_string(Type::none()), "none");
  SemanticInfo empty;
  EXPECT_EQ(empty.type_of(nullptr), Type::none());
}

}  // namespace
}  // namespace ms
