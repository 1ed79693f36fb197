// Reading maps in expressions: count/sum/min/max elements as integers, len()
// and has_key(), with their diagnostics (exact text).
#include <gtest/gtest.h>

#include "parser/parse.h"
#include "unit/parser_test_support.h"

namespace ms {
namespace {

using test::Checked;
using test::check_ok;
using test::errors_of;

// The type of the expression `$v = EXPR` assigns, after `setup`.
Type type_after(const std::string& setup, const std::string& expr) {
  Checked c = check_ok("uprobe:/bin/sh:main { " + setup + " $v = " + expr + " }");
  if (!c.program) return Type::none();
  const auto& assign = static_cast<const ast::AssignVar&>(*c.program->probes[0]->body.back());
  return c.info.type_of(assign.expr.get());
}

TEST(ParserMapQueries, AggregationElementsReadAsIntegers) {
  EXPECT_EQ(type_after("@c[comm] = count();", "@c[comm]"), Type::integer(false));
  EXPECT_EQ(type_after("@s = sum((int64)arg0);", "@s"), Type::integer(true));
  EXPECT_EQ(type_after("@s = sum(arg0);", "@s"), Type::integer(false));
  EXPECT_EQ(type_after("@m = min((int32)arg0);", "@m + 1"), Type::integer(true));
  EXPECT_EQ(type_after("@m = max(arg1);", "@m > 10"), Type::integer(true));
  // The map keeps its aggregation type: it still prints as one.
  Checked c = check_ok("BEGIN { @c[1] = count(); if (@c[1] > 2) { @big = max(@c[1]); } }");
  EXPECT_EQ(c.info.maps.at("@c").value.kind, TypeKind::Count);
  EXPECT_EQ(c.info.maps.at("@big").value, Type::aggregation(TypeKind::Max, false));
}

TEST(ParserMapQueries, AggregationReadInAPredicateOfAnEarlierProbe) {
  Checked c = check_ok("uprobe:/bin/sh:main /@n > 3/ { exit() } uprobe:/bin/sh:main { @n = count() }");
  EXPECT_EQ(c.info.type_of(c.program->probes[0]->predicate.get()), Type::integer(true));
}

TEST(ParserMapQueries, LenAndHasKeyAreIntegers) {
  EXPECT_EQ(type_after("@x[1] = 2;", "len(@x)"), Type::integer(true));
  EXPECT_EQ(type_after("@x[\"a\"] = count();", "has_key(@x, \"a\")"), Type::integer(true));
  // A longer string key widens the map's key, as @x[k] would.
  Checked c = check_ok("BEGIN { @x[\"a\"] = 1; $h = has_key(@x, \"abcdef\") }");
  EXPECT_EQ(c.info.maps.at("@x").key, std::vector<Type>{Type::string(7)});
}

TEST(ParserMapQueries, LenDiagnostics) {
  EXPECT_EQ(errors_of("BEGIN { $n = len(@x[1]) ; @x[1] = 1 }"),
            "-e:1:18: error: len() takes the whole map: write len(@x)\n"
            "BEGIN { $n = len(@x[1]) ; @x[1] = 1 }\n"
            "                 ^~~~~\n");
  EXPECT_EQ(errors_of("BEGIN { $n = len(5) }"),
            "-e:1:18: error: len() takes a map, e.g. len(@x)\n"
            "BEGIN { $n = len(5) }\n"
            "                 ^\n");
  EXPECT_EQ(errors_of("BEGIN { @h = hist(1); $n = len(@h) }"),
            "-e:1:32: error: len() cannot count the elements of the hist() map '@h'\n"
            "BEGIN { @h = hist(1); $n = len(@h) }\n"
            "                               ^~\n"
            "hint: a histogram keeps one element per bucket\n");
  EXPECT_EQ(errors_of("BEGIN { $n = len(@nope) }"),
            "-e:1:18: error: map '@nope' is used but never assigned\n"
            "BEGIN { $n = len(@nope) }\n"
            "                 ^~~~~\n"
            "hint: assign it somewhere, e.g. @nope = count()\n");
}

TEST(ParserMapQueries, HasKeyDiagnostics) {
  EXPECT_EQ(errors_of("BEGIN { @x[1] = 1; $h = has_key(@x, \"a\") }"),
            "-e:1:37: error: has_key() key is string[2], but the keys of '@x' are int64\n"
            "BEGIN { @x[1] = 1; $h = has_key(@x, \"a\") }\n"
            "                                    ^~~\n"
            "hint: @x was first used at -e:1:9\n");
  EXPECT_EQ(errors_of("BEGIN { @x = 1; $h = has_key(@x, 1) }"),
            "-e:1:34: error: has_key() takes one key, but '@x' has no keys\n"
            "BEGIN { @x = 1; $h = has_key(@x, 1) }\n"
            "                                 ^\n"
            "hint: a map without keys has one element once assigned\n");
  EXPECT_EQ(errors_of("BEGIN { @x[1, 2] = 1; $h = has_key(@x, 1) }"),
            "-e:1:40: error: has_key() takes one key, but '@x' has 2 keys\n"
            "BEGIN { @x[1, 2] = 1; $h = has_key(@x, 1) }\n"
            "                                       ^\n");
  EXPECT_EQ(errors_of("BEGIN { @x[1] = 1; $h = has_key(@x) }"),
            "-e:1:25: error: has_key() takes 2 arguments, but 1 given\n"
            "BEGIN { @x[1] = 1; $h = has_key(@x) }\n"
            "                        ^~~~~~~~~~~\n"
            "hint: usage: has_key(@map, key)\n");
}

}  // namespace
}  // namespace ms
