// Exact diagnostics for the bpftrace-compatible language additions: loops and
// jumps, compound assignments, casts and pointers, print/zero/signal, str,
// strncmp and the stats/hist/lhist aggregations.
#include <gtest/gtest.h>

#include "parser/parse.h"
#include "unit/parser_test_support.h"

namespace ms {
namespace {

using test::errors_of;

TEST(ParserDiagnosticsLanguage, BreakOutsideLoop) {
  EXPECT_EQ(errors_of("BEGIN { break; }"),
            "-e:1:9: error: 'break' outside a while loop\n"
            "BEGIN { break; }\n"
            "        ^~~~~\n"
            "hint: use 'return' to leave the probe\n");
  EXPECT_EQ(errors_of("BEGIN { continue }"),
            "-e:1:9: error: 'continue' outside a while loop\n"
            "BEGIN { continue }\n"
            "        ^~~~~~~~\n");
  EXPECT_EQ(errors_of("BEGIN { $i = 0; while ($i < 2) { $i++; break; } return; }"), "");
}

TEST(ParserDiagnosticsLanguage, UnrollNeedsAConstant) {
  EXPECT_EQ(errors_of("BEGIN { $n = 3; unroll($n) { @x = 1; } }"),
            "-e:1:24: error: unroll() needs a constant count from 1 to 100\n"
            "BEGIN { $n = 3; unroll($n) { @x = 1; } }\n"
            "                       ^~\n"
            "hint: e.g. unroll(5) { ... }\n");
  EXPECT_NE(errors_of("BEGIN { unroll(101) { @x = 1; } }"), "");
}

TEST(ParserDiagnosticsLanguage, IncrementOfAnAggregation) {
  EXPECT_EQ(errors_of("BEGIN { @c = count(); @c++; }"),
            "-e:1:23: error: '++' needs an integer map, but '@c' holds count\n"
            "BEGIN { @c = count(); @c++; }\n"
            "                      ^~~~\n"
            "hint: @c was first assigned at -e:1:9\n");
}

TEST(ParserDiagnosticsLanguage, CompoundAssignmentOfStrings) {
  EXPECT_EQ(errors_of("BEGIN { $s = \"a\"; $s += 1; }"),
            "-e:1:19: error: '+=' needs an integer variable, but $s holds string[2]\n"
            "BEGIN { $s = \"a\"; $s += 1; }\n"
            "                  ^~~~~~~\n"
            "hint: $s was first assigned at -e:1:9\n");
  EXPECT_EQ(errors_of("BEGIN { @x -= \"a\"; }"),
            "-e:1:15: error: '-=' needs an integer, not string[2]\n"
            "BEGIN { @x -= \"a\"; }\n"
            "              ^~~\n");
}

TEST(ParserDiagnosticsLanguage, IncrementOfAnUnassignedVariable) {
  EXPECT_EQ(errors_of("BEGIN { $x++; }"),
            "-e:1:9: error: variable '$x' is used before it is assigned\n"
            "BEGIN { $x++; }\n"
            "        ^~\n"
            "hint: assign it earlier in this probe, e.g. $x = 0;\n");
}

TEST(ParserDiagnosticsLanguage, LhistBounds) {
  EXPECT_EQ(errors_of("BEGIN { $m = 5; @l = lhist(1, 0, $m, 1); }"),
            "-e:1:34: error: lhist() max must be an integer constant\n"
            "BEGIN { $m = 5; @l = lhist(1, 0, $m, 1); }\n"
            "                                 ^~\n"
            "hint: e.g. lhist(arg0, 0, 1000, 100)\n");
  EXPECT_EQ(errors_of("BEGIN { @l = lhist(1, 10, 0, 1); }"),
            "-e:1:14: error: lhist() needs min < max and a positive step, got min 10, max 0, step 1\n"
            "BEGIN { @l = lhist(1, 10, 0, 1); }\n"
            "             ^~~~~~~~~~~~~~~~~~\n");
  EXPECT_EQ(errors_of("BEGIN { @l = lhist(1, 0, 10, 1); @l = lhist(2, 0, 20, 1); }"),
            "-e:1:39: error: lhist() of '@l' is used with different bounds here\n"
            "BEGIN { @l = lhist(1, 0, 10, 1); @l = lhist(2, 0, 20, 1); }\n"
            "                                      ^~~~~~~~~~~~~~~~~~\n"
            "hint: @l was first assigned at -e:1:9\n");
  EXPECT_EQ(errors_of("BEGIN { @l = lhist(1, 0, 10); }"),
            "-e:1:14: error: lhist() takes 4 arguments, but 3 given\n"
            "BEGIN { @l = lhist(1, 0, 10); }\n"
            "             ^~~~~~~~~~~~~~~\n"
            "hint: usage: lhist(expr, min, max, step)\n");
}

TEST(ParserDiagnosticsLanguage, HistOfAString) {
  EXPECT_EQ(errors_of("BEGIN { @h = hist(\"a\"); }"),
            "-e:1:19: error: hist() needs an integer, not string[2]\n"
            "BEGIN { @h = hist(\"a\"); }\n"
            "                  ^~~\n");
}

TEST(ParserDiagnosticsLanguage, CastsAndDereference) {
  EXPECT_EQ(errors_of("BEGIN { $p = (uint32)\"a\"; }"),
            "-e:1:14: error: cannot cast string[2] to uint32\n"
            "BEGIN { $p = (uint32)\"a\"; }\n"
            "             ^~~~~~~~~~~\n"
            "hint: casts convert integers and pointers\n");
  EXPECT_EQ(errors_of("BEGIN { $v = *(uint64)1; }"),
            "-e:1:14: error: cannot dereference uint64\n"
            "BEGIN { $v = *(uint64)1; }\n"
            "             ^~~~~~~~~~\n"
            "hint: cast it to a typed pointer first, e.g. *(uint32*)arg0\n");
}

TEST(ParserDiagnosticsLanguage, PrintArguments) {
  EXPECT_EQ(errors_of("BEGIN { @x = 1; print(@x, -1); }"),
            "-e:1:27: error: print() top must be a non-negative integer constant\n"
            "BEGIN { @x = 1; print(@x, -1); }\n"
            "                          ^~\n"
            "hint: e.g. print(@x, 10) prints the 10 largest entries\n");
  EXPECT_EQ(errors_of("BEGIN { print(1, 2); }"),
            "-e:1:18: error: print() of a value takes no other argument\n"
            "BEGIN { print(1, 2); }\n"
            "                 ^\n"
            "hint: top and div apply to maps: print(@x, 10)\n");
  EXPECT_EQ(errors_of("BEGIN { @x = 1; print(@x, 1, 2, 3); }"),
            "-e:1:17: error: print() takes 1 to 3 arguments, but 4 given\n"
            "BEGIN { @x = 1; print(@x, 1, 2, 3); }\n"
            "                ^~~~~~~~~~~~~~~~~~\n"
            "hint: usage: print(@map[, top[, div]]) or print(value)\n");
}

TEST(ParserDiagnosticsLanguage, SignalArguments) {
  EXPECT_EQ(errors_of("BEGIN { signal(\"SIGFOO\"); }"),
            "-e:1:16: error: unknown signal 'SIGFOO'\n"
            "BEGIN { signal(\"SIGFOO\"); }\n"
            "               ^~~~~~~~\n"
            "hint: e.g. signal(\"SIGUSR1\") or signal(10)\n");
  EXPECT_EQ(errors_of("BEGIN { signal(100); }"),
            "-e:1:16: error: signal() takes a signal name or a number from 1 to 64\n"
            "BEGIN { signal(100); }\n"
            "               ^~~\n");
  EXPECT_EQ(errors_of("BEGIN { signal(\"KILL\"); signal(\"SIGUSR1\"); signal(15); }"), "");
}

TEST(ParserDiagnosticsLanguage, StringFunctionArguments) {
  EXPECT_EQ(errors_of("BEGIN { $s = str(\"a\"); }"),
            "-e:1:18: error: str() reads a string from a pointer; this is already a string\n"
            "BEGIN { $s = str(\"a\"); }\n"
            "                 ^~~\n");
  EXPECT_EQ(errors_of("BEGIN { $n = strncmp(1, \"a\", 1); }"),
            "-e:1:22: error: strncmp() compares strings, not int64\n"
            "BEGIN { $n = strncmp(1, \"a\", 1); }\n"
            "                     ^\n");
  EXPECT_EQ(errors_of("BEGIN { $n = strncmp(\"a\", \"b\", -1); }"),
            "-e:1:32: error: the length given to strncmp() must be a non-negative integer constant\n"
            "BEGIN { $n = strncmp(\"a\", \"b\", -1); }\n"
            "                               ^~\n");
}

TEST(ParserDiagnosticsLanguage, BufferArguments) {
  EXPECT_EQ(errors_of("BEGIN { printf(\"%r\\n\", buf(1, 0)); }"),
            "-e:1:31: error: the length given to buf() must be an integer constant from 1 to 200\n"
            "BEGIN { printf(\"%r\\n\", buf(1, 0)); }\n"
            "                              ^\n");
  EXPECT_EQ(errors_of("BEGIN { printf(\"%d\\n\", buf(1, 4)); }"),
            "-e:1:24: error: printf() conversion %d needs an integer, but this argument is buffer[4]\n"
            "BEGIN { printf(\"%d\\n\", buf(1, 4)); }\n"
            "                       ^~~~~~~~~\n"
            "hint: print a buffer with %r\n");
  EXPECT_EQ(errors_of("BEGIN { printf(\"%r\\n\", 5); }"),
            "-e:1:24: error: printf() conversion %r needs a buffer, but this argument is int64\n"
            "BEGIN { printf(\"%r\\n\", 5); }\n"
            "                       ^\n"
            "hint: use %d, %u or %x for integers\n");
}

TEST(ParserDiagnosticsLanguage, LoopConditionMustBeAnInteger) {
  EXPECT_EQ(errors_of("BEGIN { while (\"a\") { } }"),
            "-e:1:16: error: loop condition must be an integer, not string[2]\n"
            "BEGIN { while (\"a\") { } }\n"
            "               ^~~\n");
}

TEST(ParserDiagnosticsLanguage, IntegerSuffixHint) {
  EXPECT_EQ(errors_of("BEGIN { @x = 10q; }"),
            "-e:1:14: error: invalid integer literal '10q'\n"
            "BEGIN { @x = 10q; }\n"
            "             ^~~\n"
            "hint: integers are decimal (1_000), octal (0777), hex (0x3e8) or scientific (1e6), with an optional "
            "suffix u, l, ul, ll or ull\n");
}

}  // namespace
}  // namespace ms
