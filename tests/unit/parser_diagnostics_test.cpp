// What users see when a script is wrong: exact text, pinned.
#include <gtest/gtest.h>

#include "parser/parse.h"
#include "unit/parser_test_support.h"

namespace ms {
namespace {

using test::errors_of;

TEST(ParserDiagnostics, RenderFormat) {
  Diagnostics d("script.ms", "BEGIN {\n  @x = cout();\n}\n");
  d.error({2, 8, 2, 14}, "unknown function 'cout'", "did you mean 'count'?");
  d.warning({0, 0, 0, 0}, "whole-program note");
  EXPECT_EQ(d.render(),
            "script.ms:2:8: error: unknown function 'cout'\n"
            "  @x = cout();\n"
            "       ^~~~~~\n"
            "hint: did you mean 'count'?\n"
            "script.ms: warning: whole-program note\n");
  EXPECT_EQ(d.line_text(3), "}");
  EXPECT_EQ(d.line_text(9), "");
}

TEST(ParserDiagnostics, TabsKeepTheCaretAligned) {
  EXPECT_EQ(errors_of("BEGIN {\n\t\t@x = cout();\n}"),
            "-e:2:8: error: unknown function 'cout'\n"
            "\t\t@x = cout();\n"
            "\t\t     ^~~~~~\n"
            "hint: did you mean 'count'?\n");
}

TEST(ParserDiagnostics, UnknownFunctionWithHint) {
  EXPECT_EQ(errors_of("BEGIN { @x = cout() }"),
            "-e:1:14: error: unknown function 'cout'\n"
            "BEGIN { @x = cout() }\n"
            "             ^~~~~~\n"
            "hint: did you mean 'count'?\n");
}

TEST(ParserDiagnostics, UnknownFunctionWithoutCloseMatch) {
  EXPECT_EQ(errors_of("BEGIN { frobnicate() }"),
            "-e:1:9: error: unknown function 'frobnicate'\n"
            "BEGIN { frobnicate() }\n"
            "        ^~~~~~~~~~~~\n");
}

TEST(ParserDiagnostics, UnknownBuiltin) {
  EXPECT_EQ(errors_of("BEGIN { @x[pdi] = 1 }"),
            "-e:1:12: error: unknown builtin 'pdi'\n"
            "BEGIN { @x[pdi] = 1 }\n"
            "           ^~~\n"
            "hint: did you mean 'pid'?\n");
}

TEST(ParserDiagnostics, UnterminatedString) {
  EXPECT_EQ(errors_of("BEGIN { printf(\"hello) }"),
            "-e:1:16: error: unterminated string\n"
            "BEGIN { printf(\"hello) }\n"
            "               ^~~~~~~~~\n"
            "hint: add the closing '\"' on the same line\n");
}

TEST(ParserDiagnostics, UnterminatedComment) {
  EXPECT_EQ(errors_of("BEGIN { /* never closed\n}\n"),
            "-e:1:9: error: unterminated comment\n"
            "BEGIN { /* never closed\n"
            "        ^~\n"
            "hint: close it with */\n");
}

TEST(ParserDiagnostics, IntegerOutOfRange) {
  EXPECT_EQ(errors_of("BEGIN { @x = 18446744073709551616 }"),
            "-e:1:14: error: integer literal '18446744073709551616' does not fit in 64 bits\n"
            "BEGIN { @x = 18446744073709551616 }\n"
            "             ^~~~~~~~~~~~~~~~~~~~\n"
            "hint: the largest integer is 18446744073709551615 (0xffffffffffffffff)\n");
}

TEST(ParserDiagnostics, BadEscape) {
  EXPECT_EQ(errors_of(R"(BEGIN { printf("a\qb") })"),
            "-e:1:18: error: invalid escape sequence '\\q'\n"
            "BEGIN { printf(\"a\\qb\") }\n"
            "                 ^~\n"
            "hint: valid escapes are \\n \\t \\r \\\\ \\\" \\xNN and octal \\NNN\n");
}

TEST(ParserDiagnostics, UnknownProbeTypeWithHint) {
  EXPECT_EQ(errors_of("uprobes:/bin/sh:main { }"),
            "-e:1:1: error: unknown probe type 'uprobes'\n"
            "uprobes:/bin/sh:main { }\n"
            "^~~~~~~~~~~~~~~~~~~~\n"
            "hint: did you mean 'uprobe'?\n");
}

TEST(ParserDiagnostics, MalformedAttachPoint) {
  EXPECT_EQ(errors_of("tracepoint:kmem { }"),
            "-e:1:1: error: malformed attach point 'tracepoint:kmem'\n"
            "tracepoint:kmem { }\n"
            "^~~~~~~~~~~~~~~\n"
            "hint: expected tracepoint:CATEGORY:NAME\n");
}

TEST(ParserDiagnostics, BadInterval) {
  EXPECT_EQ(errors_of("interval:s:0 { }"),
            "-e:1:1: error: interval must be a positive integer, not '0'\n"
            "interval:s:0 { }\n"
            "^~~~~~~~~~~~\n"
            "hint: e.g. interval:ms:100\n");
}

TEST(ParserDiagnostics, PredicateWithoutSpace) {
  EXPECT_EQ(errors_of("BEGIN/pid/{ }"),
            "-e:1:1: error: attach point 'BEGIN/pid/' runs into a predicate\n"
            "BEGIN/pid/{ }\n"
            "^~~~~~~~~~\n"
            "hint: put whitespace before the predicate: BEGIN /pid/\n");
}

TEST(ParserDiagnostics, KprobeRejected) {
  EXPECT_EQ(errors_of("BEGIN {} kprobe:do_sys_open { }"),
            "-e:1:10: error: kprobe probes are not available on this kernel (it is built without CONFIG_KPROBES)\n"
            "BEGIN {} kprobe:do_sys_open { }\n"
            "         ^~~~~~~~~~~~~~~~~~\n"
            "hint: trace a tracepoint instead (e.g. tracepoint:kmem:kmalloc), or a uprobe on the user-space "
            "function\n");
}

TEST(ParserDiagnostics, FentryRejected) {
  EXPECT_EQ(errors_of("kretfunc:vfs_read { }"),
            "-e:1:1: error: kretfunc probes are not available on this kernel (it refuses fentry/fexit BPF "
            "trampolines)\n"
            "kretfunc:vfs_read { }\n"
            "^~~~~~~~~~~~~~~~~\n"
            "hint: trace a tracepoint instead (e.g. tracepoint:kmem:kmalloc), or a uprobe on the user-space "
            "function\n");
}

TEST(ParserDiagnostics, MapValueTypeConflict) {
  EXPECT_EQ(errors_of("BEGIN { @x = count() }\nEND { @x = 1 }"),
            "-e:2:7: error: type mismatch for map '@x': assigning int64, but it holds count\n"
            "END { @x = 1 }\n"
            "      ^~\n"
            "hint: @x was first assigned at -e:1:9\n");
}

TEST(ParserDiagnostics, MapKeyTypeConflict) {
  EXPECT_EQ(errors_of("BEGIN { @x[pid] = 1; @x[comm] = 2 }"),
            "-e:1:25: error: type mismatch for key 1 of map '@x': string[16] here, but uint64 before\n"
            "BEGIN { @x[pid] = 1; @x[comm] = 2 }\n"
            "                        ^~~~\n"
            "hint: @x was first used at -e:1:9\n");
}

TEST(ParserDiagnostics, MapKeyCountConflict) {
  EXPECT_EQ(errors_of("BEGIN { @x = 1; @x[1, 2] = 2 }"),
            "-e:1:17: error: map '@x' is used with 2 keys here, but with no keys before\n"
            "BEGIN { @x = 1; @x[1, 2] = 2 }\n"
            "                ^~~~~~~~\n"
            "hint: @x was first used at -e:1:9\n");
}

TEST(ParserDiagnostics, PrintfArgumentMismatch) {
  EXPECT_EQ(errors_of("BEGIN { printf(\"%s has %d\\n\", pid, comm) }"),
            "-e:1:31: error: printf() conversion %s needs a string, but this argument is uint64\n"
            "BEGIN { printf(\"%s has %d\\n\", pid, comm) }\n"
            "                              ^~~\n"
            "hint: use %d, %u or %x for integers\n"
            "-e:1:36: error: printf() conversion %d needs an integer, but this argument is string[16]\n"
            "BEGIN { printf(\"%s has %d\\n\", pid, comm) }\n"
            "                                   ^~~~\n"
            "hint: use %s for strings\n");
}

TEST(ParserDiagnostics, PrintfTooFewArguments) {
  EXPECT_EQ(errors_of("BEGIN { printf(\"%-5s %05d\\n\", comm) }"),
            "-e:1:9: error: printf() format has 2 conversions, but 1 argument is given\n"
            "BEGIN { printf(\"%-5s %05d\\n\", comm) }\n"
            "        ^~~~~~~~~~~~~~~~~~~~~~~~~~~\n"
            "hint: the first conversion without an argument is %05d\n");
}

TEST(ParserDiagnostics, PrintfFormatNotLiteral) {
  EXPECT_EQ(errors_of("BEGIN { printf(comm) }"),
            "-e:1:16: error: printf() format must be a string literal\n"
            "BEGIN { printf(comm) }\n"
            "               ^~~~\n"
            "hint: e.g. printf(\"%d\\n\", pid)\n");
}

TEST(ParserDiagnostics, RetvalOutsideUretprobe) {
  EXPECT_EQ(errors_of("uprobe:/bin/sh:main { @r = retval }"),
            "-e:1:28: error: builtin 'retval' can only be used in uretprobe probes\n"
            "uprobe:/bin/sh:main { @r = retval }\n"
            "                           ^~~~~~\n"
            "hint: 'uprobe:/bin/sh:main' is a uprobe probe\n");
}

TEST(ParserDiagnostics, ArgOutsideUprobe) {
  EXPECT_EQ(errors_of("BEGIN { @ = arg0 }"),
            "-e:1:13: error: builtin 'arg0' can only be used in uprobe and usdt probes\n"
            "BEGIN { @ = arg0 }\n"
            "            ^~~~\n"
            "hint: 'BEGIN' is a BEGIN probe\n");
}

TEST(ParserDiagnostics, VariableReadBeforeAssignment) {
  EXPECT_EQ(errors_of("BEGIN { $n = $n + 1 }"),
            "-e:1:14: error: variable '$n' is used before it is assigned\n"
            "BEGIN { $n = $n + 1 }\n"
            "             ^~\n"
            "hint: assign it earlier in this probe, e.g. $n = 0;\n");
}

TEST(ParserDiagnostics, VariablesAreLocalToTheirProbe) {
  EXPECT_EQ(errors_of("BEGIN { $n = 1 } END { @x = $n }"),
            "-e:1:29: error: variable '$n' is used before it is assigned\n"
            "BEGIN { $n = 1 } END { @x = $n }\n"
            "                            ^~\n"
            "hint: assign it earlier in this probe, e.g. $n = 0;\n");
}

TEST(ParserDiagnostics, AggregationOutsideMapAssignment) {
  EXPECT_EQ(errors_of("BEGIN { @x = count() + 1 }"),
            "-e:1:14: error: count() can only be the whole value of a map assignment\n"
            "BEGIN { @x = count() + 1 }\n"
            "             ^~~~~~~\n"
            "hint: e.g. @x[comm] = count()\n");
}

TEST(ParserDiagnostics, ReadingAnAggregation) {
  EXPECT_EQ(errors_of("BEGIN { @c = hist(5); if (@c > 10) { exit() } }"),
            "-e:1:27: error: cannot use the hist() map '@c' in an expression\n"
            "BEGIN { @c = hist(5); if (@c > 10) { exit() } }\n"
            "                          ^~\n"
            "hint: only count(), sum(), min() and max() maps read as integers; print it with print(@c)\n");
  EXPECT_EQ(errors_of("BEGIN { @a[1] = avg(5); $x = @a[1] }"),
            "-e:1:30: error: cannot use the avg() map '@a' in an expression\n"
            "BEGIN { @a[1] = avg(5); $x = @a[1] }\n"
            "                             ^~~~~\n"
            "hint: only count(), sum(), min() and max() maps read as integers; print it with print(@a)\n");
}

TEST(ParserDiagnostics, WrongArity) {
  EXPECT_EQ(errors_of("BEGIN { @s = sum() }"),
            "-e:1:14: error: sum() takes 1 argument, but 0 given\n"
            "BEGIN { @s = sum() }\n"
            "             ^~~~~\n"
            "hint: usage: sum(expr)\n");
}

TEST(ParserDiagnostics, DeleteNeedsAKey) {
  EXPECT_EQ(errors_of("BEGIN { @m[1] = 1; delete(@m) }"),
            "-e:1:27: error: delete() needs an element of the keyed map '@m'\n"
            "BEGIN { @m[1] = 1; delete(@m) }\n"
            "                          ^~\n"
            "hint: write delete(@m[key]), or clear(@m) to remove every element\n");
}

TEST(ParserDiagnostics, StringArithmetic) {
  EXPECT_EQ(errors_of("BEGIN { @x = comm + 1 }"),
            "-e:1:14: error: operator '+' needs integer operands, not string[16] and int64\n"
            "BEGIN { @x = comm + 1 }\n"
            "             ^~~~~~~~\n");
}

TEST(ParserDiagnostics, UnterminatedQuotedAttachPoint) {
  EXPECT_EQ(errors_of("uprobe:\"/opt/my app:f { }"),
            "-e:1:1: error: unterminated string in attach point\n"
            "uprobe:\"/opt/my app:f { }\n"
            "^~~~~~~~~~~~~~~~~~~~~~~~~\n"
            "hint: add the closing '\"'\n");
}

TEST(ParserDiagnostics, KprobeAliasRejected) {
  std::string out = errors_of("k:do_sys_open { }");
  EXPECT_EQ(out.substr(0, out.find('\n')),
            "-e:1:1: error: kprobe probes are not available on this kernel (it is built without CONFIG_KPROBES)");
}

TEST(ParserDiagnostics, StringComparedWithInteger) {
  EXPECT_EQ(errors_of("BEGIN { if (comm == 1) { exit() } }"),
            "-e:1:13: error: operator '==' cannot compare string[16] with int64\n"
            "BEGIN { if (comm == 1) { exit() } }\n"
            "            ^~~~~~~~~\n");
}

TEST(ParserDiagnostics, StringOrdering) {
  EXPECT_EQ(errors_of("BEGIN { @x = comm < \"m\" }"),
            "-e:1:14: error: strings can only be compared with == and !=, not '<'\n"
            "BEGIN { @x = comm < \"m\" }\n"
            "             ^~~~~~~~~~\n");
}

TEST(ParserDiagnostics, RangeOverSeveralLinesIsUnderlinedToTheEndOfItsFirstLine) {
  EXPECT_EQ(errors_of("BEGIN { printf(\"%d %d\\n\",\n  1) }"),
            "-e:1:9: error: printf() format has 2 conversions, but 1 argument is given\n"
            "BEGIN { printf(\"%d %d\\n\",\n"
            "        ^~~~~~~~~~~~~~~~~\n"
            "hint: the first conversion without an argument is %d\n");
}

TEST(ParserDiagnostics, CrlfLineEndings) {
  EXPECT_EQ(errors_of("BEGIN {\r\n  @x = cout();\r\n}\r\n"),
            "-e:2:8: error: unknown function 'cout'\n"
            "  @x = cout();\n"
            "       ^~~~~~\n"
            "hint: did you mean 'count'?\n");
}

TEST(ParserDiagnostics, SyntaxErrorRecoveryGivesTwoErrors) {
  EXPECT_EQ(errors_of("BEGIN { @x = ; @y = 1 }\nEND { @z = (1 + ; }"),
            "-e:1:14: error: syntax error, unexpected ';'\n"
            "BEGIN { @x = ; @y = 1 }\n"
            "             ^\n"
            "-e:2:17: error: syntax error, unexpected ';'\n"
            "END { @z = (1 + ; }\n"
            "                ^\n");
}

TEST(ParserDiagnostics, SyntaxErrorWithExpectedTokens) {
  EXPECT_EQ(errors_of("BEGIN { if (1) @x = 1 }"),
            "-e:1:16: error: syntax error, unexpected map, expecting '{'\n"
            "BEGIN { if (1) @x = 1 }\n"
            "               ^~\n");
}

TEST(ParserDiagnostics, SyntaxErrorAtEndOfInput) {
  EXPECT_EQ(errors_of("BEGIN { @x = 1\n"),
            "-e:1:15: error: syntax error, unexpected end of file\n"
            "BEGIN { @x = 1\n"
            "              ^\n");
}

TEST(ParserDiagnostics, StrayCharacter) {
  EXPECT_EQ(errors_of("BEGIN { @x = 1 # }"),
            "-e:1:16: error: unexpected character '#'\n"
            "BEGIN { @x = 1 # }\n"
            "               ^\n");
}

TEST(ParserDiagnostics, SeveralSemanticErrorsInOneRun) {
  std::string out = errors_of("BEGIN { @a = cout(); @b = foo; @c = pid() }");
  EXPECT_NE(out.find("unknown function 'cout'"), std::string::npos) << out;
  EXPECT_NE(out.find("unknown builtin 'foo'"), std::string::npos) << out;
  EXPECT_NE(out.find("'pid' is a builtin, not a function"), std::string::npos) << out;
}

TEST(ParserDiagnostics, GoodScriptHasNoDiagnostics) {
  EXPECT_EQ(errors_of("uprobe:/lib/x86_64-linux-gnu/libc.so.6:malloc /pid != 0/ {\n"
                      "  @bytes[comm] = sum(arg0); @n = count();\n"
                      "  $big = arg0 > 4096 ? 1 : 0;\n"
                      "  if ($big) { printf(\"%s %d %lu%%\\n\", comm, pid, arg0); }\n"
                      "}\n"
                      "uretprobe:/lib/x86_64-linux-gnu/libc.so.6:malloc { @last = retval; delete(@bytes[comm]) }\n"
                      "interval:s:1 { print(@bytes); clear(@bytes) }\n"
                      "END { print(@n); exit() }\n"),
            "");
}

}  // namespace
}  // namespace ms
