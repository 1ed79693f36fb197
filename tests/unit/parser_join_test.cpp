// join(): argument checks (exact diagnostics).
#include <gtest/gtest.h>

#include "parser/parse.h"
#include "unit/parser_test_support.h"

namespace ms {
namespace {

using test::check_ok;
using test::errors_of;

TEST(ParserJoin, AcceptsAnArrayAndASeparator) {
  check_ok("uprobe:/bin/sh:main { join(arg1); join(arg1, \", \"); }");
}

TEST(ParserJoin, Diagnostics) {
  EXPECT_EQ(errors_of("BEGIN { join(comm) }"),
            "-e:1:14: error: join() needs the address of a char* array (an integer), not string[16]\n"
            "BEGIN { join(comm) }\n"
            "             ^~~~\n");
  EXPECT_EQ(errors_of("BEGIN { $s = \",\"; join(0, $s) }"),
            "-e:1:27: error: join() separator must be a string literal\n"
            "BEGIN { $s = \",\"; join(0, $s) }\n"
            "                          ^~\n"
            "hint: e.g. join(arg1, \",\")\n");
  EXPECT_EQ(errors_of("BEGIN { join(0, \",\", 3) }"),
            "-e:1:9: error: join() takes 1 to 2 arguments, but 3 given\n"
            "BEGIN { join(0, \",\", 3) }\n"
            "        ^~~~~~~~~~~~~~~\n"
            "hint: usage: join(array[, \"separator\"])\n");
  EXPECT_EQ(errors_of("BEGIN { $x = join(0) }"),
            "-e:1:14: error: join() does not return a value\n"
            "BEGIN { $x = join(0) }\n"
            "             ^~~~~~~\n"
            "hint: call it as a statement of its own\n");
}

}  // namespace
}  // namespace ms
