// Malformed scripts, one row each: every one must be refused with a located
// message (FILE:LINE:COL: error: ..., the source line and a caret under it),
// never a crash, a hang or a silent acceptance. The first line of each
// message is pinned exactly. Flags, pids, binaries and files that need the
// command line or the system are in tests/runtime/malformed.test.
#include <gtest/gtest.h>

#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "parser/parse.h"
#include "unit/parser_test_support.h"

namespace ms {
namespace {

using test::errors_of;

std::string repeat(const std::string& s, size_t n) {
  std::string out;
  out.reserve(s.size() * n);
  for (size_t i = 0; i < n; ++i) out += s;
  return out;
}

struct MalformedCase {
  const char* name;
  std::string source;
  std::string first_line;  // after "-e:"
};

const std::vector<MalformedCase>& malformed_cases() {
  static const std::vector<MalformedCase> cases = {
    {"unterminated_string", "BEGIN { printf(\"hello) }",
     "1:16: error: unterminated string"},
    {"unterminated_string_newline", "BEGIN { printf(\"hello\n); }",
     "1:16: error: unterminated string"},
    {"unterminated_comment", "BEGIN { exit(); } /* never closed",
     "1:19: error: unterminated comment"},
    {"unterminated_block", "BEGIN { exit();",
     "1:16: error: syntax error, unexpected end of file"},
    {"unbalanced_paren", "BEGIN { @x = (1 + 2; }",
     "1:20: error: syntax error, unexpected ';'"},
    {"unbalanced_bracket", "BEGIN { @x[1 = 2; }",
     "1:14: error: syntax error, unexpected '='"},
    {"extra_close_brace", "BEGIN { exit(); } }",
     "1:19: error: syntax error, unexpected '}', expecting end of file or attach point or 'let' or 'options'"},
    {"empty_program", "",
     "1:1: error: the program has no probes"},
    {"only_comment", "// nothing",
     "1:1: error: the program has no probes"},
    {"only_whitespace", "   \n\t  \n",
     "1:1: error: the program has no probes"},
    {"stray_char_backtick", "BEGIN { @x = `1`; }",
     "1:14: error: unexpected character '`'"},
    {"stray_char_hash", "BEGIN { # }",
     "1:9: error: unexpected character '#'"},
    {"non_ascii", "BEGIN { @x = \xc3"
"\xa9"
"; }",
     "1:14: error: unexpected character '\\xc3'"},
    {"bad_escape", "BEGIN { printf(\"\\q\"); }",
     "1:17: error: invalid escape sequence '\\q'"},
    {"bad_hex_escape", "BEGIN { printf(\"\\xZZ\"); }",
     "1:17: error: invalid escape sequence '\\x': expected hex digits"},
    {"huge_int_literal", "BEGIN { @x = 99999999999999999999999999; }",
     "1:14: error: integer literal '99999999999999999999999999' does not fit in 64 bits"},
    {"huge_hex_literal", "BEGIN { @x = 0x1ffffffffffffffffff; }",
     "1:14: error: integer literal '0x1ffffffffffffffffff' does not fit in 64 bits"},
    {"bad_int_suffix", "BEGIN { @x = 12abc; }",
     "1:14: error: invalid integer literal '12abc'"},
    {"bad_octal", "BEGIN { @x = 09; }",
     "1:14: error: invalid digit '9' in octal literal '09'"},
    {"huge_str_size", "uprobe:/bin/ls:main { @x = str(arg0, 100000000); }",
     "1:38: error: str() reads at most 63 characters (the string size limit, 64 bytes with the terminating NUL), not 100000000"},
    {"negative_str_size", "uprobe:/bin/ls:main { @x = str(arg0, -1); }",
     "1:38: error: the length given to str() must be a positive integer constant"},
    {"deep_blocks", [] { return "BEGIN { " + repeat("if (1) { ", 3000) + repeat("}", 3000) + " }"; }(),
     "1:583: error: blocks nested more than 64 levels deep"},
    {"deep_unary", [] { return std::string("BEGIN { @x = ") + repeat("- ", 20000) + "1; }"; }(),
     "1:39502: error: expression nested more than 256 levels deep"},
    {"long_binary_chain", [] { return std::string("BEGIN { @x = 1") + repeat(" + 1", 100000) + "; }"; }(),
     "1:14: error: expression nested more than 256 levels deep"},
    {"unknown_probe_type", "foo:bar { exit(); }",
     "1:1: error: unknown probe type 'foo'"},
    {"uprobe_no_function", "uprobe:/bin/ls { exit(); }",
     "1:1: error: malformed attach point 'uprobe:/bin/ls'"},
    {"uprobe_empty_path", "uprobe::malloc { exit(); }",
     "1:1: error: malformed attach point 'uprobe::malloc': empty part"},
    {"tracepoint_one_part", "tracepoint:sched { exit(); }",
     "1:1: error: malformed attach point 'tracepoint:sched'"},
    {"interval_bad_unit", "interval:xs:1 { exit(); }",
     "1:1: error: unknown interval unit 'xs'"},
    {"interval_zero", "interval:s:0 { exit(); }",
     "1:1: error: interval must be a positive integer, not '0'"},
    {"interval_negative", "interval:s:-1 { exit(); }",
     "1:1: error: interval must be a positive integer, not '-1'"},
    {"interval_huge", "interval:s:99999999999999999999 { exit(); }",
     "1:1: error: interval must be a positive integer, not '99999999999999999999'"},
    {"profile_bad", "profile:hz:abc { exit(); }",
     "1:1: error: interval must be a positive integer, not 'abc'"},
    {"probe_no_body", "BEGIN",
     "1:6: error: syntax error, unexpected end of file, expecting '/' or '{' or ','"},
    {"two_begin_ok_but_bad_stmt", "BEGIN { exit() } BEGIN { @ = ; }",
     "1:30: error: syntax error, unexpected ';'"},
    {"unknown_function", "BEGIN { @x = cout(); }",
     "1:14: error: unknown function 'cout'"},
    {"unknown_builtin", "BEGIN { @x[pdi] = 1; }",
     "1:12: error: unknown builtin 'pdi'"},
    {"unknown_variable", "BEGIN { @x = $y; }",
     "1:14: error: variable '$y' is used before it is assigned"},
    {"too_few_args", "BEGIN { @x = hist(); }",
     "1:14: error: hist() takes 1 argument, but 0 given"},
    {"too_many_args", "BEGIN { @x = count(1); }",
     "1:14: error: count() takes no arguments, but 1 given"},
    {"printf_no_args", "BEGIN { printf(); }",
     "1:9: error: printf() takes at least 1 argument, but 0 given"},
    {"printf_not_string", "BEGIN { printf(1); }",
     "1:16: error: printf() format must be a string literal"},
    {"printf_missing_arg", "BEGIN { printf(\"%d %d\\n\", 1); }",
     "1:9: error: printf() format has 2 conversions, but 1 argument is given"},
    {"printf_extra_arg", "BEGIN { printf(\"%d\\n\", 1, 2); }",
     "1:27: error: printf() has more arguments than the format has conversions (1)"},
    {"printf_percent_n", "BEGIN { printf(\"%n\\n\", 1); }",
     "1:16: error: invalid printf() format: unsupported conversion '%n'"},
    {"printf_star_width", "BEGIN { printf(\"%*d\\n\", 1, 2); }",
     "1:16: error: invalid printf() format: '*' width is not supported in '%*'"},
    {"printf_bad_conversion", "BEGIN { printf(\"%y\\n\", 1); }",
     "1:16: error: invalid printf() format: unsupported conversion '%y'"},
    {"printf_type_mismatch", "BEGIN { printf(\"%d\\n\", \"s\"); }",
     "1:24: error: printf() conversion %d needs an integer, but this argument is string[2]"},
    {"printf_trailing_percent", "BEGIN { printf(\"abc %\"); }",
     "1:16: error: invalid printf() format: incomplete conversion '%' at the end of the format"},
    {"string_plus_int", "BEGIN { @x = \"a\" + 1; }",
     "1:14: error: operator '+' needs integer operands, not string[2] and int64"},
    {"compare_string_int", "BEGIN { if (\"a\" == 1) { exit(); } }",
     "1:13: error: operator '==' cannot compare string[2] with int64"},
    {"map_type_change", "BEGIN { @x = 1; @x = \"s\"; }",
     "1:17: error: type mismatch for map '@x': assigning string[2], but it holds int64"},
    {"map_key_change", "BEGIN { @x[1] = 1; @x[\"a\"] = 1; }",
     "1:23: error: type mismatch for key 1 of map '@x': string[2] here, but int64 before"},
    {"map_key_arity", "BEGIN { @x[1] = 1; @x[1,2] = 1; }",
     "1:20: error: map '@x' is used with 2 keys here, but with 1 key before"},
    {"agg_then_int", "BEGIN { @x = count(); @x = 1; }",
     "1:23: error: type mismatch for map '@x': assigning int64, but it holds count"},
    {"agg_in_expr", "BEGIN { @y = count() + 1; }",
     "1:14: error: count() can only be the whole value of a map assignment"},
    {"var_type_change", "BEGIN { $a = 1; $a = \"s\"; }",
     "1:17: error: type mismatch for $a: assigning string[2], but it holds int64"},
    {"assign_to_builtin", "BEGIN { pid = 1; }",
     "1:13: error: syntax error, unexpected '='"},
    {"assign_to_literal", "BEGIN { 1 = 2; }",
     "1:11: error: syntax error, unexpected '='"},
    {"shift_too_far", "BEGIN { @x = 1 << 70; }",
     "1:19: error: shift count 70 is out of range: values are 64 bits, so 0 to 63"},
    {"arg_in_begin", "BEGIN { @x = arg0; }",
     "1:14: error: builtin 'arg0' can only be used in uprobe and usdt probes"},
    {"retval_in_uprobe", "uprobe:/bin/ls:main { @x = retval; }",
     "1:28: error: builtin 'retval' can only be used in uretprobe probes"},
    {"arg_out_of_range", "uprobe:/bin/ls:main { @x = arg99; }",
     "1:28: error: unknown builtin 'arg99'"},
    {"args_in_uprobe", "uprobe:/bin/ls:main { @x = args->foo; }",
     "1:28: error: 'args' can only be used in tracepoint probes"},
    {"ustack_bad_arg", "uprobe:/bin/ls:main { @x[ustack(-1)] = count(); }",
     "1:33: error: the number of frames given to ustack() must be an integer constant"},
    {"ustack_huge", "uprobe:/bin/ls:main { @x[ustack(100000)] = count(); }",
     "1:33: error: ustack() keeps 1 to 127 frames, not 100000"},
    {"ustack_bad_mode", "uprobe:/bin/ls:main { @x[ustack(foo)] = count(); }",
     "1:33: error: unknown stack mode 'foo'"},
    {"kstack_in_uprobe_string", "uprobe:/bin/ls:main { @x[kstack(\"a\")] = count(); }",
     "1:33: error: the number of frames given to kstack() must be an integer constant"},
    {"str_of_string", "BEGIN { @x = str(\"a\"); }",
     "1:18: error: str() reads a string from a pointer; this is already a string"},
    {"hist_string", "BEGIN { @x = hist(\"a\"); }",
     "1:19: error: hist() needs an integer, not string[2]"},
    {"lhist_few_args", "BEGIN { @x = lhist(1, 0); }",
     "1:14: error: lhist() takes 4 arguments, but 2 given"},
    {"lhist_zero_step", "BEGIN { @x = lhist(1, 0, 10, 0); }",
     "1:14: error: lhist() needs min < max and a positive step, got min 0, max 10, step 0"},
    {"lhist_min_gt_max", "BEGIN { @x = lhist(1, 10, 0, 1); }",
     "1:14: error: lhist() needs min < max and a positive step, got min 10, max 0, step 1"},
    {"lhist_nonconst", "BEGIN { $a = 1; @x = lhist(1, $a, 10, 1); }",
     "1:31: error: lhist() min must be an integer constant"},
    {"delete_nonmap", "BEGIN { $a = 1; delete($a); }",
     "1:24: error: delete() takes a map element, e.g. delete(@x[key])"},
    {"delete_noargs", "BEGIN { delete(); }",
     "1:9: error: delete() takes 1 argument, but 0 given"},
    {"clear_int", "BEGIN { clear(1); }",
     "1:15: error: clear() takes a map, e.g. clear(@x)"},
    {"print_nothing", "BEGIN { print(); }",
     "1:9: error: print() takes 1 to 3 arguments, but 0 given"},
    {"exit_string", "BEGIN { exit(\"a\"); }",
     "1:9: error: exit() takes no arguments, but 1 given"},
    {"signal_bad", "BEGIN { signal(\"SIGNOPE\"); }",
     "1:16: error: unknown signal 'SIGNOPE'"},
    {"positional_zero", "BEGIN { @x = $0; }",
     "1:14: error: positional parameters start at $1"},
    {"break_outside_loop", "BEGIN { break; }",
     "1:9: error: 'break' outside a while loop"},
    {"continue_outside_loop", "BEGIN { continue; }",
     "1:9: error: 'continue' outside a while loop"},
    {"return_value", "BEGIN { return 1; }",
     "1:16: error: syntax error, unexpected integer, expecting ';' or '}'"},
    {"unroll_huge", "BEGIN { unroll(100000) { @x = 1; } }",
     "1:16: error: unroll() needs a constant count from 1 to 100"},
    {"unroll_zero", "BEGIN { unroll(0) { @x = 1; } }",
     "1:16: error: unroll() needs a constant count from 1 to 100"},
    {"ternary_mismatch", "BEGIN { @x = 1 ? \"a\" : 2; }",
     "1:14: error: the arms of '?:' have different types: string[2] and int64"},
    {"if_string_cond", "BEGIN { if (\"a\") { exit(); } }",
     "1:13: error: condition must be an integer, not string[2]"},
    {"predicate_string", "BEGIN /\"a\"/ { exit(); }",
     "1:7: error: unterminated string in attach point"},
    {"predicate_empty", "BEGIN // { exit(); }",
     "1:21: error: syntax error, unexpected end of file, expecting '/' or '{' or ','"},
    {"cast_unknown_type", "BEGIN { @x = (foo)1; }",
     "1:19: error: syntax error, unexpected integer"},
    {"tuple_index_oob", "BEGIN { $t = (1, 2); @x = $t.5; }",
     "1:27: error: tuple (int64, int64) has no element 5"},
    {"field_on_int", "BEGIN { $a = 1; @x = $a.foo; }",
     "1:22: error: only tracepoint 'args' has fields"},
    {"deref_int", "BEGIN { @x = *1; }",
     "1:14: error: cannot dereference int64"},
    {"call_on_map", "BEGIN { @x(); }",
     "1:11: error: syntax error, unexpected '('"},
    {"options_not_first", "BEGIN { exit(); } options { description \"x\" }",
     "1:19: error: the options block must come before the probes"},
    {"options_bad_type", "options { a: nosuchtype -a \"x\" } BEGIN { exit(); }",
     "1:14: error: unknown option type 'nosuchtype'"},
    {"options_bad_default", "options { a: int = abc -a \"x\" } BEGIN { exit(); }",
     "1:20: error: default of option 'a': 'abc' is not an integer"},
    {"options_dup_flag", "options { a: int -a \"x\"  b: int -a \"y\" } BEGIN { exit(); }",
     "1:33: error: flag '-a' is already used by option 'a'"},
    {"options_help_reserved", "options { a: int -h \"x\" } BEGIN { exit(); }",
     "1:18: error: flag '-h' is reserved for the script's help"},
    {"options_unknown_ref", "options { a: int -a \"x\" } BEGIN { @x = opt.b; }",
     "1:40: error: unknown option 'b'"},
    {"options_bad_duration", "options { a: duration(ms) = 5parsecs -a \"x\" } BEGIN { exit(); }",
     "1:29: error: default of option 'a': '5parsecs' is not a duration (a number of milliseconds, or a number with ns, us, ms, s, m or h, e.g. 500ms)"},
    {"options_bad_size", "options { a: size = 5Q -a \"x\" } BEGIN { exit(); }",
     "1:21: error: default of option 'a': '5Q' is not a size (bytes, or a number with K, M, G or T, e.g. 64K)"},
    {"options_bad_choice", "options { a: choice(x, y) = z -a \"x\" } BEGIN { exit(); }",
     "1:29: error: default of option 'a': 'z' is not one of: x, y"},
    {"options_twice", "options { } options { } BEGIN { exit(); }",
     "1:13: error: a script has one options block"},
    {"map_size_zero", "options { map_size 0 } BEGIN { exit(); }",
     "1:20: error: map_size must be a number of entries from 1 to 67108864, not '0'"},
    {"map_size_huge", "options { map_size 99999999999 } BEGIN { exit(); }",
     "1:20: error: map_size must be a number of entries from 1 to 67108864, not '99999999999'"},
    {"strftime_bad", "BEGIN { printf(\"%s\\n\", strftime(1, 2)); }",
     "1:33: error: strftime() format must be a string literal"},
    {"comm_arith", "BEGIN { @x = comm + 1; }",
     "1:14: error: operator '+' needs integer operands, not string[16] and int64"},
    {"semicolon_only_probe", "BEGIN { ; ; ; }  foo",
     "1:21: error: syntax error, unexpected end of file, expecting '/' or '{' or ','"},
    {"deep_not", [] { return std::string("BEGIN { @x = ") + repeat("!", 2000) + "1; }"; }(),
     "1:1758: error: expression nested more than 256 levels deep"},
    {"deep_ternary", [] { return std::string("BEGIN { @x = ") + repeat("1 ? ", 1000) + "1" + repeat(" : 0", 1000) + "; }"; }(),
     "1:2990: error: expression nested more than 256 levels deep"},
    {"deep_map_keys", [] { return std::string("BEGIN { @x = ") + repeat("@a[", 600) + "1" + repeat("]", 600) + "; }"; }(),
     "1:1046: error: expression nested more than 256 levels deep"},
    {"deep_calls", [] { return std::string("BEGIN { @x = ") + repeat("-(", 600) + "1" + repeat(")", 600) + "; }"; }(),
     "1:702: error: expression nested more than 256 levels deep"},
    {"deep_field_chain", [] { return std::string("BEGIN { $t = (1, 2); @x = $t") + repeat(".0", 1000) + "; }"; }(),
     "1:27: error: expression nested more than 256 levels deep"},
    {"deep_while", [] { return std::string("BEGIN { ") + repeat("while (1) { ", 100) + repeat("}", 100) + " }"; }(),
     "1:775: error: blocks nested more than 64 levels deep"},
    {"unterminated_string_in_attach", "uprobe:\"/bin/ls:main { exit(); }",
     "1:1: error: unterminated string in attach point"},
    {"unterminated_predicate", "BEGIN / pid == 1 { exit(); }",
     "1:18: error: syntax error, unexpected '{'"},
    {"missing_semicolon", "BEGIN { @a = 1 @b = 2 }",
     "1:16: error: syntax error, unexpected map"},
    {"else_without_if", "BEGIN { else { exit(); } }",
     "1:9: error: syntax error, unexpected 'else'"},
    {"if_without_braces", "BEGIN { if (1) exit(); }",
     "1:16: error: syntax error, unexpected identifier, expecting '{'"},
    {"double_assign", "BEGIN { @a = = 1; }",
     "1:14: error: syntax error, unexpected '='"},
    {"map_empty_brackets", "BEGIN { @a[] = 1; }",
     "1:12: error: syntax error, unexpected ']'"},
    {"trailing_comma_args", "BEGIN { printf(\"%d\\n\", 1,); }",
     "1:26: error: syntax error, unexpected ')'"},
    {"comma_probe_list_trailing", "BEGIN, { exit(); }",
     "1:8: error: syntax error, unexpected '{', expecting attach point"},
    {"octal_escape_range", "BEGIN { printf(\"\\777\"); }",
     "1:17: error: octal escape out of range (more than \\377)"},
    {"string_newline_escape_ok_then_bad_type", "BEGIN { @x = \"a\\n\" - 1; }",
     "1:14: error: operator '-' needs integer operands, not string[3] and int64"},
    {"unary_minus_string", "BEGIN { @x = -\"a\"; }",
     "1:14: error: operator '-' needs an integer operand, not string[2]"},
    {"not_string", "BEGIN { @x = !comm; }",
     "1:14: error: operator '!' needs an integer operand, not string[16]"},
    {"logical_and_string", "BEGIN { @x = comm && 1; }",
     "1:14: error: operator '&&' needs integer operands, not string[16] and int64"},
    {"cast_string", "BEGIN { @x = (int8)\"a\"; }",
     "1:14: error: cannot cast string[2] to int8"},
    {"cast_ptr_string", "BEGIN { @x = *(int8*)\"a\"; }",
     "1:15: error: cannot cast string[2] to int8*"},
    {"count_in_printf", "BEGIN { printf(\"%d\\n\", count()); }",
     "1:24: error: count() can only be the whole value of a map assignment"},
    {"hist_as_key", "BEGIN { @x[hist(1)] = 1; }",
     "1:12: error: hist() can only be the whole value of a map assignment"},
    {"stack_in_begin_arith", "uprobe:/bin/ls:main { @x = ustack + 1; }",
     "1:28: error: operator '+' needs integer operands, not ustack and int64"},
    {"tuple_arith", "BEGIN { @x = (1, 2) + 1; }",
     "1:14: error: operator '+' needs integer operands, not (int64, int64) and int64"},
    {"tuple_of_agg", "BEGIN { @x = (count(), 1); }",
     "1:15: error: count() can only be the whole value of a map assignment"},
    {"sum_string", "BEGIN { @x = sum(\"a\"); }",
     "1:18: error: sum() needs an integer, not string[2]"},
    {"avg_no_args", "BEGIN { @x = avg(); }",
     "1:14: error: avg() takes 1 argument, but 0 given"},
    {"min_two_args", "BEGIN { @x = min(1, 2); }",
     "1:14: error: min() takes 1 argument, but 2 given"},
    {"strncmp_nonconst", "BEGIN { $n = 2; @x = strncmp(comm, \"a\", $n); }",
     "1:41: error: the length given to strncmp() must be a non-negative integer constant"},
    {"strncmp_int", "BEGIN { @x = strncmp(1, \"a\", 1); }",
     "1:22: error: strncmp() compares strings, not int64"},
    {"buf_string", "BEGIN { @x = buf(\"a\", 1); }",
     "1:18: error: buf() reads bytes from a pointer, not from a string[2]"},
    {"ksym_string", "BEGIN { @x = ksym(\"a\"); }",
     "1:19: error: ksym() needs an address (an integer), not string[2]"},
    {"usym_string", "uprobe:/bin/ls:main { @x = usym(\"a\"); }",
     "1:33: error: usym() needs an address (an integer), not string[2]"},
    {"time_int", "BEGIN { time(1); }",
     "1:14: error: time() format must be a string literal"},
    {"print_int_map_args", "BEGIN { @x = 1; print(@x, \"a\"); }",
     "1:27: error: print() top must be a non-negative integer constant"},
    {"zero_int_arg", "BEGIN { zero(1); }",
     "1:14: error: zero() takes a map, e.g. zero(@x)"},
    {"exit_in_predicate", "BEGIN / exit() / { exit(); }",
     "1:9: error: exit() does not return a value"},
    {"printf_in_expr", "BEGIN { @x = printf(\"a\"); }",
     "1:14: error: printf() does not return a value"},
    {"var_undefined_in_other_probe", "BEGIN { $a = 1; } END { @x = $a; }",
     "1:30: error: variable '$a' is used before it is assigned"},
    {"map_used_as_scalar_and_keyed", "BEGIN { @x = 1; @x[1] = 2; }",
     "1:17: error: map '@x' is used with 1 key here, but with no keys before"},
    {"options_unknown_setting", "options { nosuchsetting 1 } BEGIN { exit(); }",
     "1:11: error: unknown item 'nosuchsetting' in the options block"},
    {"options_missing_help", "options { a: int -a } BEGIN { exit(); }",
     "1:21: error: syntax error, unexpected '}', expecting identifier or string or flag"},
    {"options_dup_name", "options { a: int -a \"x\"  a: int -b \"y\" } BEGIN { exit(); }",
     "1:26: error: option 'a' is declared twice"},
    {"options_positional_order", "options { a: int = 1 \"x\"  b: int \"y\" } BEGIN { exit(); }",
     "1:27: error: positional option 'b' has no default but comes after one that has"},
    {"options_unterminated", "options { a: int -a \"x\" BEGIN { exit(); }",
     "1:31: error: unexpected character '{'"},
    {"options_bool_default", "options { a: bool = maybe -a \"x\" } BEGIN { exit(); }",
     "1:21: error: default of option 'a': 'maybe' is not a boolean (true or false)"},
    {"options_negative_size", "options { a: size = -5 -a \"x\" } BEGIN { exit(); }",
     "1:21: error: default of option 'a': '-5' is not a size (bytes, or a number with K, M, G or T, e.g. 64K)"},
    {"options_int_overflow", "options { a: int = 99999999999999999999 -a \"x\" } BEGIN { exit(); }",
     "1:20: error: default of option 'a': '99999999999999999999' is out of range (a 64-bit signed integer)"},
    {"options_empty_choice", "options { a: choice() -a \"x\" } BEGIN { exit(); }",
     "1:21: error: syntax error, unexpected ')', expecting identifier or string or value"},
    {"ustack_zero", "uprobe:/bin/ls:main { @x[ustack(0)] = count(); }",
     "1:33: error: ustack() keeps 1 to 127 frames, not 0"},
    {"kstack_too_many", "tracepoint:sched:sched_switch { @x[kstack(128)] = count(); }",
     "1:43: error: kstack() keeps 1 to 127 frames, not 128"},
    {"str_too_long", "uprobe:/bin/ls:main { @x = str(arg0, 1000); }",
     "1:38: error: str() reads at most 63 characters (the string size limit, 64 bytes with the terminating NUL), not 1000"},
    {"shift_negative", "BEGIN { @x = 1 >> -1; }",
     "1:19: error: shift count -1 is out of range: values are 64 bits, so 0 to 63"},
    {"interval_no_value", "interval:s { exit(); }",
     "1:1: error: interval must be a positive integer, not ''"},
    {"uretprobe_arg", "uretprobe:/bin/ls:main { @x = arg0; }",
     "1:31: error: builtin 'arg0' can only be used in uprobe and usdt probes"},
    {"begin_with_parts", "BEGIN:foo { exit(); }",
     "1:1: error: malformed attach point 'BEGIN:foo'"},
    {"signal_zero", "BEGIN { signal(0); }",
     "1:16: error: signal() takes a signal name or a number from 1 to 64"},
    {"signal_huge", "BEGIN { signal(99); }",
     "1:16: error: signal() takes a signal name or a number from 1 to 64"},
    {"join_string", "uprobe:/bin/ls:main { join(\"a\"); }",
     "1:28: error: join() needs the address of a char* array (an integer), not string[2]"},
    {"lhist_huge_buckets", "BEGIN { @x = lhist(1, 0, 100000000, 1); }",
     "1:14: error: lhist() would have 100000000 buckets, more than 1000"},
    {"strftime_int_format", "BEGIN { printf(\"%s\\n\", strftime(1, nsecs)); }",
     "1:33: error: strftime() format must be a string literal"},
  };
  return cases;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

TEST(ParserMalformed, AtLeastAHundredCases) { EXPECT_GE(malformed_cases().size(), 100u); }

TEST(ParserMalformed, EveryCaseIsRefusedWithALocatedMessage) {
  static const std::regex kLocated(R"(^-e:(\d+):(\d+): error: .+)");
  for (const auto& c : malformed_cases()) {
    SCOPED_TRACE(c.name);
    std::string text = errors_of(c.source);
    auto lines = lines_of(text);
    ASSERT_GE(lines.size(), 3u) << text.substr(0, 2000);
    EXPECT_EQ(lines[0], "-e:" + c.first_line);
    std::smatch m;
    ASSERT_TRUE(std::regex_match(lines[0], m, kLocated)) << lines[0].substr(0, 300);
    // The source line it points into, then a caret under the column.
    Diagnostics d("-e", c.source);
    EXPECT_EQ(lines[1], d.line_text(std::stoi(m[1])));
    size_t col = std::stoul(m[2]);
    ASSERT_GE(lines[2].size(), col);
    EXPECT_EQ(lines[2][col - 1], '^') << lines[2].substr(0, 300);
  }
}

TEST(ParserMalformed, CommonMessagesInFull) {
  EXPECT_EQ(errors_of("BEGIN { @x = 1 + \"a\"; }"),
            "-e:1:14: error: operator '+' needs integer operands, not int64 and string[2]\n"
            "BEGIN { @x = 1 + \"a\"; }\n"
            "             ^~~~~~~\n");
  EXPECT_EQ(errors_of(""),
            "-e:1:1: error: the program has no probes\n"
            "\n"
            "^\n"
            "hint: add one, e.g. BEGIN { printf(\"hello\\n\"); exit(); }\n");
  EXPECT_EQ(errors_of("uprobe:/bin/ls:main { @x = str(arg0, 1000); }"),
            "-e:1:38: error: str() reads at most 63 characters (the string size limit, 64 bytes with the "
            "terminating NUL), not 1000\n"
            "uprobe:/bin/ls:main { @x = str(arg0, 1000); }\n"
            "                                     ^~~~\n"
            "hint: strings live on the 512-byte BPF stack; no option raises this limit yet\n");
  EXPECT_EQ(errors_of("BEGIN { @x = 1 << 64; }"),
            "-e:1:19: error: shift count 64 is out of range: values are 64 bits, so 0 to 63\n"
            "BEGIN { @x = 1 << 64; }\n"
            "                  ^~\n");
}

TEST(ParserMalformed, NestingLimitsAreNamed) {
  std::string chain = "BEGIN { @x = 1" + repeat(" + 1", 300) + "; }";
  auto lines = lines_of(errors_of(chain));
  ASSERT_GE(lines.size(), 4u);
  EXPECT_EQ(lines[0], "-e:1:14: error: expression nested more than 256 levels deep");
  EXPECT_EQ(lines[3], "hint: split it into steps with variables ($x = ...)");
  // 256 levels is still fine.
  EXPECT_EQ(errors_of("BEGIN { @x = 1" + repeat(" + 1", 200) + "; }"), "");
  // The probe's own braces are the first level.
  std::string blocks = "BEGIN { " + repeat("if (1) { ", 70) + repeat("} ", 70) + "}";
  lines = lines_of(errors_of(blocks));
  ASSERT_GE(lines.size(), 4u);
  EXPECT_EQ(lines[0], "-e:1:583: error: blocks nested more than 64 levels deep");
  EXPECT_EQ(lines[3], "hint: move the inner part into its own probe or flatten the conditions");
  EXPECT_EQ(errors_of("BEGIN { " + repeat("if (1) { ", 63) + repeat("} ", 63) + "}"), "");
}

}  // namespace
}  // namespace ms
