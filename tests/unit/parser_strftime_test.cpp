// strftime(): its type (a timestamp carrying its format) and diagnostics.
#include <gtest/gtest.h>

#include "parser/parse.h"
#include "unit/parser_test_support.h"

namespace ms {
namespace {

using test::Checked;
using test::check_ok;
using test::errors_of;

TEST(ParserStrftime, IsATimestampWithItsFormat) {
  Checked c = check_ok("BEGIN { $t = strftime(\"%H:%M\", nsecs); @m[strftime(\"%Y\", 0)] = strftime(\"%S\", nsecs);"
                       " printf(\"%s %-10s\\n\", $t, strftime(\"%f\", nsecs)); }");
  EXPECT_EQ(c.info.variables.begin()->second.at("$t"), Type::timestamp("%H:%M"));
  EXPECT_EQ(c.info.maps.at("@m").key, std::vector<Type>{Type::timestamp("%Y")});
  EXPECT_EQ(c.info.maps.at("@m").value, Type::timestamp("%S"));
  EXPECT_EQ(to_string(Type::timestamp("%S")), "timestamp(\"%S\")");
}

TEST(ParserStrftime, Diagnostics) {
  EXPECT_EQ(errors_of("BEGIN { $f = \"%H\"; printf(\"%s\", strftime($f, nsecs)) }"),
            "-e:1:42: error: strftime() format must be a string literal\n"
            "BEGIN { $f = \"%H\"; printf(\"%s\", strftime($f, nsecs)) }\n"
            "                                         ^~\n"
            "hint: e.g. strftime(\"%H:%M:%S\", nsecs)\n");
  EXPECT_EQ(errors_of("BEGIN { printf(\"%s\", strftime(\"%H\", comm)) }"),
            "-e:1:37: error: strftime() needs nanoseconds since boot (an integer, e.g. nsecs), not string[16]\n"
            "BEGIN { printf(\"%s\", strftime(\"%H\", comm)) }\n"
            "                                    ^~~~\n");
  EXPECT_EQ(errors_of("BEGIN { printf(\"%d\", strftime(\"%H\", nsecs)) }"),
            "-e:1:22: error: printf() conversion %d needs an integer, but this argument is timestamp(\"%H\")\n"
            "BEGIN { printf(\"%d\", strftime(\"%H\", nsecs)) }\n"
            "                     ^~~~~~~~~~~~~~~~~~~~~\n"
            "hint: use %d, %u or %x for integers\n");
  EXPECT_EQ(errors_of("BEGIN { @t = strftime(\"%H\", nsecs); @t = strftime(\"%M\", nsecs) }"),
            "-e:1:37: error: type mismatch for map '@t': assigning timestamp(\"%M\"), but it holds timestamp(\"%H\")\n"
            "BEGIN { @t = strftime(\"%H\", nsecs); @t = strftime(\"%M\", nsecs) }\n"
            "                                    ^~\n"
            "hint: @t was first assigned at -e:1:9\n");
  EXPECT_EQ(errors_of("BEGIN { $x = strftime(\"%H\", nsecs) + 1 }"),
            "-e:1:14: error: operator '+' needs integer operands, not timestamp(\"%H\") and int64\n"
            "BEGIN { $x = strftime(\"%H\", nsecs) + 1 }\n"
            "             ^~~~~~~~~~~~~~~~~~~~~~~~~\n");
}

}  // namespace
}  // namespace ms
