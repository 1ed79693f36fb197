// AST shape: walk the tree the parser builds and assert on nodes, not on a
// printed dump.
#include <gtest/gtest.h>

#include "parser/parse.h"

namespace ms {
namespace {

struct Parsed {
  Diagnostics diags;
  std::unique_ptr<ast::Program> program;
};

Parsed parse_ok(const std::string& src) {
  Parsed p{Diagnostics("-e", src), nullptr};
  p.program = parse(p.diags);
  EXPECT_TRUE(p.program) << p.diags.render();
  EXPECT_FALSE(p.diags.has_errors()) << p.diags.render();
  return p;
}

template <typename T>
const T& as(const ast::Node& n, ast::NodeKind k) {
  EXPECT_EQ(n.kind, k);
  return static_cast<const T&>(n);
}

const ast::Expr& rhs_of_first(const ast::Program& p) {
  const auto& a = as<ast::AssignMap>(*p.probes.at(0)->body.at(0), ast::NodeKind::AssignMap);
  return *a.expr;
}

TEST(ParserAst, EmptyProgram) {
  auto p = parse_ok("  // nothing here\n/* at all */\n");
  EXPECT_TRUE(p.program->probes.empty());
}

TEST(ParserAst, AttachPointsAreSplitAndAliasesExpanded) {
  auto p = parse_ok(
      "uprobe:/usr/lib/x86_64-linux-gnu/libc.so.6:malloc, ur:\"/opt/my app/lib-1.2+x.so\":free_*,\n"
      "  t:kmem:kmalloc, i:ms:100 { exit() }");
  ASSERT_EQ(p.program->probes.size(), 1u);
  const auto& aps = p.program->probes[0]->attach_points;
  ASSERT_EQ(aps.size(), 4u);
  EXPECT_EQ(aps[0].provider, "uprobe");
  EXPECT_EQ(aps[0].parts, (std::vector<std::string>{"/usr/lib/x86_64-linux-gnu/libc.so.6", "malloc"}));
  EXPECT_EQ(aps[1].provider, "uretprobe");
  EXPECT_EQ(aps[1].parts, (std::vector<std::string>{"/opt/my app/lib-1.2+x.so", "free_*"}));
  EXPECT_EQ(aps[1].raw, "ur:\"/opt/my app/lib-1.2+x.so\":free_*");
  EXPECT_EQ(aps[2].provider, "tracepoint");
  EXPECT_EQ(aps[2].parts, (std::vector<std::string>{"kmem", "kmalloc"}));
  EXPECT_EQ(aps[3].provider, "interval");
  EXPECT_EQ(aps[3].loc.line, 2);
  EXPECT_EQ(aps[3].loc.column, 19);
  EXPECT_EQ(aps[3].loc.end_column, 27);
}

TEST(ParserAst, SeveralProbesAndPredicate) {
  auto p = parse_ok("BEGIN { @a = 1 } uprobe:/bin/sh:main /pid == 42 && tid/ { @b = 2; } END{}");
  ASSERT_EQ(p.program->probes.size(), 3u);
  EXPECT_EQ(p.program->probes[0]->predicate, nullptr);
  const auto& pred = as<ast::Binop>(*p.program->probes[1]->predicate, ast::NodeKind::Binop);
  EXPECT_EQ(pred.op, ast::BinaryOp::LogicalAnd);
  const auto& eq = as<ast::Binop>(*pred.lhs, ast::NodeKind::Binop);
  EXPECT_EQ(eq.op, ast::BinaryOp::Eq);
  EXPECT_EQ(as<ast::Builtin>(*eq.lhs, ast::NodeKind::Builtin).name, "pid");
  EXPECT_EQ(as<ast::Integer>(*eq.rhs, ast::NodeKind::Integer).value, 42u);
  EXPECT_TRUE(p.program->probes[2]->body.empty());
}

TEST(ParserAst, PredicateMayDivide) {
  auto p = parse_ok("BEGIN / pid / 2 == 1 / { }");
  const auto& eq = as<ast::Binop>(*p.program->probes[0]->predicate, ast::NodeKind::Binop);
  EXPECT_EQ(eq.op, ast::BinaryOp::Eq);
  EXPECT_EQ(as<ast::Binop>(*eq.lhs, ast::NodeKind::Binop).op, ast::BinaryOp::Div);
}

TEST(ParserAst, PrecedenceFollowsC) {
  // 1 + 2 * 3 << 1 == 14 || 0 ? 5 : 6  ==  ((((1 + (2*3)) << 1) == 14) || 0) ? 5 : 6
  auto p = parse_ok("BEGIN { @x = 1 + 2 * 3 << 1 == 14 || 0 ? 5 : 6 }");
  const auto& t = as<ast::Ternary>(rhs_of_first(*p.program), ast::NodeKind::Ternary);
  const auto& lor = as<ast::Binop>(*t.cond, ast::NodeKind::Binop);
  EXPECT_EQ(lor.op, ast::BinaryOp::LogicalOr);
  const auto& eq = as<ast::Binop>(*lor.lhs, ast::NodeKind::Binop);
  EXPECT_EQ(eq.op, ast::BinaryOp::Eq);
  const auto& shl = as<ast::Binop>(*eq.lhs, ast::NodeKind::Binop);
  EXPECT_EQ(shl.op, ast::BinaryOp::Shl);
  const auto& add = as<ast::Binop>(*shl.lhs, ast::NodeKind::Binop);
  EXPECT_EQ(add.op, ast::BinaryOp::Add);
  EXPECT_EQ(as<ast::Binop>(*add.rhs, ast::NodeKind::Binop).op, ast::BinaryOp::Mul);
}

TEST(ParserAst, BitwisePrecedenceAndAssociativity) {
  // a | b ^ c & d  ==  a | (b ^ (c & d));  10 - 3 - 2 == (10 - 3) - 2
  auto p = parse_ok("BEGIN { @x = 1 | 2 ^ 3 & 4; @y = 10 - 3 - 2; @z = -~!1 }");
  const auto& body = p.program->probes[0]->body;
  const auto& bor = as<ast::Binop>(*static_cast<const ast::AssignMap&>(*body[0]).expr, ast::NodeKind::Binop);
  EXPECT_EQ(bor.op, ast::BinaryOp::BitOr);
  const auto& bxor = as<ast::Binop>(*bor.rhs, ast::NodeKind::Binop);
  EXPECT_EQ(bxor.op, ast::BinaryOp::BitXor);
  EXPECT_EQ(as<ast::Binop>(*bxor.rhs, ast::NodeKind::Binop).op, ast::BinaryOp::BitAnd);
  const auto& sub = as<ast::Binop>(*static_cast<const ast::AssignMap&>(*body[1]).expr, ast::NodeKind::Binop);
  EXPECT_EQ(as<ast::Integer>(*sub.rhs, ast::NodeKind::Integer).value, 2u);
  const auto& neg = as<ast::Unop>(*static_cast<const ast::AssignMap&>(*body[2]).expr, ast::NodeKind::Unop);
  EXPECT_EQ(neg.op, ast::UnaryOp::Minus);
  const auto& bnot = as<ast::Unop>(*neg.operand, ast::NodeKind::Unop);
  EXPECT_EQ(bnot.op, ast::UnaryOp::BitNot);
  EXPECT_EQ(as<ast::Unop>(*bnot.operand, ast::NodeKind::Unop).op, ast::UnaryOp::LogicalNot);
}

TEST(ParserAst, IntegerLiterals) {
  auto p = parse_ok("BEGIN { @a = 1_000_000; @b = 0xff_ff; @c = 18446744073709551615; @d = 0 }");
  const auto& body = p.program->probes[0]->body;
  auto value = [&](size_t i) {
    return as<ast::Integer>(*static_cast<const ast::AssignMap&>(*body[i]).expr, ast::NodeKind::Integer).value;
  };
  EXPECT_EQ(value(0), 1000000u);
  EXPECT_EQ(value(1), 0xffffu);
  EXPECT_EQ(value(2), UINT64_MAX);
  EXPECT_EQ(value(3), 0u);
}

TEST(ParserAst, StringEscapes) {
  auto p = parse_ok(R"(BEGIN { printf("a\tb\n\\ \"q\" \x41\101\0z") })");
  const auto& stmt = as<ast::ExprStmt>(*p.program->probes[0]->body[0], ast::NodeKind::ExprStmt);
  const auto& call = as<ast::Call>(*stmt.expr, ast::NodeKind::Call);
  EXPECT_EQ(call.func, "printf");
  EXPECT_EQ(as<ast::String>(*call.args[0], ast::NodeKind::String).value, std::string("a\tb\n\\ \"q\" AA\0z", 14));
}

TEST(ParserAst, MapsVariablesAndCalls) {
  auto p = parse_ok("BEGIN { $v = 3; @m[comm, $v] = count(); @s = sum($v); delete(@m[\"x\", 1]); print(@m); }");
  const auto& body = p.program->probes[0]->body;
  ASSERT_EQ(body.size(), 5u);
  const auto& av = as<ast::AssignVar>(*body[0], ast::NodeKind::AssignVar);
  EXPECT_EQ(av.var->name, "$v");
  const auto& am = as<ast::AssignMap>(*body[1], ast::NodeKind::AssignMap);
  EXPECT_EQ(am.map->name, "@m");
  ASSERT_EQ(am.map->keys.size(), 2u);
  EXPECT_EQ(as<ast::Builtin>(*am.map->keys[0], ast::NodeKind::Builtin).name, "comm");
  EXPECT_EQ(as<ast::Variable>(*am.map->keys[1], ast::NodeKind::Variable).name, "$v");
  EXPECT_EQ(as<ast::Call>(*am.expr, ast::NodeKind::Call).func, "count");
  EXPECT_TRUE(as<ast::Call>(*am.expr, ast::NodeKind::Call).args.empty());
  const auto& del = as<ast::Call>(*static_cast<const ast::ExprStmt&>(*body[3]).expr, ast::NodeKind::Call);
  EXPECT_EQ(as<ast::Map>(*del.args[0], ast::NodeKind::Map).keys.size(), 2u);
  // Statement locations cover the whole statement.
  EXPECT_EQ(am.loc.column, 17);
  EXPECT_EQ(am.loc.end_column, 39);
}

TEST(ParserAst, AnonymousMap) {
  auto p = parse_ok("BEGIN { @ = 1; @[1] = 2 }");
  EXPECT_EQ(static_cast<const ast::AssignMap&>(*p.program->probes[0]->body[0]).map->name, "@");
}

TEST(ParserAst, IfElseIfElse) {
  auto p = parse_ok("BEGIN { if (pid > 1) { @a = 1 } else if (pid) { @b = 1; @c = 2 } else { exit() } @d = 1 }");
  const auto& body = p.program->probes[0]->body;
  ASSERT_EQ(body.size(), 2u);  // an `if` needs no ';'
  const auto& i = as<ast::If>(*body[0], ast::NodeKind::If);
  EXPECT_EQ(i.then_block.size(), 1u);
  ASSERT_EQ(i.else_block.size(), 1u);
  const auto& elif = as<ast::If>(*i.else_block[0], ast::NodeKind::If);
  EXPECT_EQ(elif.then_block.size(), 2u);
  EXPECT_EQ(elif.else_block.size(), 1u);
  EXPECT_EQ(body[1]->kind, ast::NodeKind::AssignMap);
}

TEST(ParserAst, SemicolonsAreSeparators) {
  auto p = parse_ok("BEGIN { ; @a = 1;; @b = 2; } END { @c = 3 }");
  EXPECT_EQ(p.program->probes[0]->body.size(), 2u);
  EXPECT_EQ(p.program->probes[1]->body.size(), 1u);
}

TEST(ParserAst, SyntaxErrorsReturnNoProgram) {
  Diagnostics d("-e", "BEGIN { @x = ; }");
  EXPECT_EQ(parse(d), nullptr);
  EXPECT_TRUE(d.has_errors());
}

TEST(ParserAst, DumpMentionsProbesMapsAndTypes) {
  auto p = parse_ok("uprobe:/bin/sh:main /pid/ { @calls[comm] = count(); $x = 1 } END { print(@calls) }");
  SemanticInfo info;
  ASSERT_TRUE(check(*p.program, p.diags, info)) << p.diags.render();
  std::string dump = dump_ast(*p.program, &info);
  EXPECT_NE(dump.find("probe uprobe:/bin/sh:main"), std::string::npos) << dump;
  EXPECT_NE(dump.find("attach uprobe '/bin/sh' 'main'"), std::string::npos) << dump;
  EXPECT_NE(dump.find("probe END"), std::string::npos) << dump;
  EXPECT_NE(dump.find("map: @calls :: count"), std::string::npos) << dump;
  EXPECT_NE(dump.find("builtin: comm :: string[16]"), std::string::npos) << dump;
  EXPECT_NE(dump.find("@calls key [string[16]] value count"), std::string::npos) << dump;
  // Without semantic info there are no types.
  std::string bare = dump_ast(*p.program);
  EXPECT_NE(bare.find("map: @calls\n"), std::string::npos) << bare;
}

TEST(ParserAst, OperatorNames) {
  EXPECT_STREQ(ast::to_string(ast::BinaryOp::Shr), ">>");
  EXPECT_STREQ(ast::to_string(ast::BinaryOp::LogicalOr), "||");
  EXPECT_STREQ(ast::to_string(ast::UnaryOp::BitNot), "~");
}

TEST(ParserAst, IntervalPeriod) {
  auto p = parse_ok("i:s:2 {} interval:ms:100 {} interval:us:5 {} interval:hz:99 {} BEGIN {} interval:250ms {}");
  SemanticInfo info;
  ASSERT_TRUE(check(*p.program, p.diags, info)) << p.diags.render();
  const auto& probes = p.program->probes;
  EXPECT_EQ(interval_period_ns(probes[0]->attach_points[0]), 2'000'000'000u);
  EXPECT_EQ(interval_period_ns(probes[1]->attach_points[0]), 100'000'000u);
  EXPECT_EQ(interval_period_ns(probes[2]->attach_points[0]), 5'000u);
  EXPECT_EQ(interval_period_ns(probes[3]->attach_points[0]), 1'000'000'000u / 99);
  EXPECT_EQ(interval_period_ns(probes[4]->attach_points[0]), 0u);
  EXPECT_EQ(interval_period_ns(probes[5]->attach_points[0]), 250'000'000u);
  EXPECT_EQ(probe_type(probes[0]->attach_points[0]), manifest::ProbeType::Interval);
  EXPECT_EQ(probe_type(probes[4]->attach_points[0]), manifest::ProbeType::Begin);
}

}  // namespace
}  // namespace ms
