// Script options: declarations, value parsing per type, the script's command
// line, --help (pinned), and what the options pass and predicate folding do.
#include <gtest/gtest.h>

#include <cstdio>

#include "parser/parse.h"
#include "parser/script_options.h"

namespace ms {
namespace {

// BCC memleak's command line, declared the way scripts/memleak.ms declares it.
const char* kMemleakOptions = R"ms(options {
  description "Trace outstanding memory allocations that weren't freed. Supports both user-mode allocations made with libc functions and kernel-mode allocations made with kmalloc/kmem_cache_alloc/get_free_pages and corresponding memory release functions."
  pid:            pid                  -p --pid            "the PID to trace; if not specified, trace kernel allocs"
  trace:          bool                 -t --trace          "print trace messages for each alloc/free call"
  show_allocs:    bool                 -a --show-allocs    "show allocation addresses and sizes as well as call stacks"
  older:          duration(ms) = 500   -o --older          "prune allocations younger than this age in milliseconds"
  command:        command              -c --command        "execute and trace the specified command"
  combined_only:  bool                 --combined-only     "show combined allocation statistics only"
  wa_missing_free: bool                --wa-missing-free   "Workaround to alleviate misjudgments when free is missing"
  sample_rate:    int = 1              -s --sample-rate    "sample every N-th allocation to decrease the overhead"
  top:            int = 10             -T --top            "display only this many top allocating stacks (by size)"
  min_size:       size                 -z --min-size       "capture only allocations larger than this size"
  max_size:       size                 -Z --max-size       "capture only allocations smaller than this size"
  obj:            string = "libc"      -O --obj            "attach to allocator functions in the specified object"
  sort:           choice(size, count) = size  --sort KEY   "report sorted in given key; available key list: size, count"
  symbols_prefix: string = ""          --symbols-prefix    "memory allocator symbols prefix"
  interval:       duration(s) = 5      "interval in seconds to print outstanding allocations"
  count:          int = 0              "number of times to print the report before exiting"
  epilog "EXAMPLES:\n./memleak.ms -p $(pidof allocs)\n        Trace allocations and display a summary of \"leaked\" (outstanding)\n        allocations every 5 seconds"
}
BEGIN { exit(); }
)ms";

struct Parsed {
  std::unique_ptr<ast::Program> program;
  std::optional<ScriptInterface> iface;
  std::string errors;
};

Parsed declare(const std::string& src, const std::string& file = "t.ms") {
  Parsed p;
  Diagnostics diags(file, src);
  p.program = parse(diags);
  if (p.program) p.iface = script_interface(*p.program, diags, file);
  p.errors = diags.render();
  return p;
}

ScriptInterface memleak() {
  auto p = declare(kMemleakOptions, "memleak.ms");
  EXPECT_EQ(p.errors, "");
  return *p.iface;
}

// Parses, applies the command line `words` and checks; returns diagnostics.
struct Checked {
  std::unique_ptr<ast::Program> program;
  SemanticInfo info;
  std::string errors;
  std::string arg_error;
};

Checked run(const std::string& src, const std::vector<std::string>& words = {}) {
  Checked c;
  Diagnostics diags("t.ms", src);
  c.program = parse(diags);
  if (!c.program) {
    c.errors = diags.render();
    return c;
  }
  auto iface = script_interface(*c.program, diags, "t.ms");
  if (!iface) {
    c.errors = diags.render();
    return c;
  }
  auto args = parse_script_args(*iface, words);
  c.arg_error = args.error;
  bool ok = check(*c.program, diags, c.info, args.args);
  EXPECT_EQ(ok, !diags.has_errors());
  c.errors = diags.render();
  return c;
}

std::string value_error(OptionType type, const std::string& text, const std::vector<std::string>& type_args = {}) {
  ScriptOption o;
  o.type = type;
  o.choices = type_args;
  if (type == OptionType::Duration && !type_args.empty()) {
    o.bare_unit_ns = 1'000'000;
    o.bare_unit = "milliseconds";
  }
  std::string err;
  auto v = parse_option_value(o, text, err);
  EXPECT_FALSE(v) << text;
  return err;
}

int64_t number(OptionType type, const std::string& text, uint64_t bare_unit_ns = 0) {
  ScriptOption o;
  o.type = type;
  o.bare_unit_ns = bare_unit_ns;
  std::string err;
  auto v = parse_option_value(o, text, err);
  EXPECT_TRUE(v) << text << ": " << err;
  return v ? v->number : -1;
}

// ---- declarations ----

TEST(ScriptOptions, DeclarationsAreParsedAsWritten) {
  auto p = declare("options {\n  description \"What it does.\"\n  top: int = 10 -T --top \"how many\";\n"
                   "  sort: choice(size, count) = count --sort \"key\"\n  n: duration(ms) = 500 \"positional\"\n}\n"
                   "BEGIN { exit(); }\n");
  ASSERT_EQ(p.errors, "");
  const auto& block = p.program->options;
  ASSERT_TRUE(block.present);
  EXPECT_EQ(block.description, "What it does.");
  ASSERT_EQ(block.decls.size(), 3u);
  const auto& top = block.decls[0];
  EXPECT_EQ(top.name, "top");
  EXPECT_EQ(top.type, "int");
  EXPECT_TRUE(top.has_default);
  EXPECT_EQ(top.default_text, "10");
  EXPECT_EQ(top.default_loc.line, 3);
  EXPECT_EQ(top.default_loc.column, 14);
  ASSERT_EQ(top.flags.size(), 2u);
  EXPECT_EQ(top.flags[0].text, "-T");
  EXPECT_EQ(top.flags[1].text, "--top");
  EXPECT_EQ(top.help, "how many");
  EXPECT_EQ(block.decls[1].type_args, (std::vector<std::string>{"size", "count"}));
  EXPECT_TRUE(block.decls[2].flags.empty());
  EXPECT_EQ(block.decls[2].metavar, "");

  const auto& iface = *p.iface;
  ASSERT_EQ(iface.options.size(), 3u);
  EXPECT_EQ(iface.options[0].type, OptionType::Int);
  EXPECT_EQ(iface.options[0].default_value.number, 10);
  EXPECT_EQ(iface.options[1].default_value.text, "count");
  EXPECT_TRUE(iface.options[2].positional());
  EXPECT_FALSE(iface.options[2].required);
  EXPECT_EQ(iface.options[2].default_value.number, 500'000'000);
}

TEST(ScriptOptions, MemleakInterfaceDeclares) {
  auto iface = memleak();
  EXPECT_EQ(iface.options.size(), 16u);
  EXPECT_EQ(iface.find("pid")->type, OptionType::Pid);
  EXPECT_EQ(iface.find("symbols_prefix")->long_flag, "--symbols-prefix");
  EXPECT_EQ(iface.find("max_size")->default_value.number, 0);
}

TEST(ScriptOptions, DeclarationDiagnostics) {
  auto p = declare(
      "options {\n"
      "  top: integer = 10 -T --top \"x\"\n"
      "  a: int = abc -a \"y\"\n"
      "  b: bool -b -b \"z\"\n"
      "  c: choice -c \"w\"\n"
      "  d: pid = 5 -d \"v\"\n"
      "  e: int -h \"u\"\n"
      "  f: bool \"positional bool\"\n"
      "  g: int = 1 \"optional positional\"\n"
      "  h: int \"required after optional\"\n"
      "  a: size --again \"twice\"\n"
      "  i: int(3) -i \"no args\"\n"
      "  j: duration(fortnights) -j \"bad unit\"\n"
      "  k: bool -k K \"no value\"\n"
      "}\n");
  EXPECT_FALSE(p.iface);
  EXPECT_EQ(p.errors,
            "t.ms:2:8: error: unknown option type 'integer'\n"
            "  top: integer = 10 -T --top \"x\"\n"
            "       ^~~~~~~\n"
            "hint: the types are bool, int, size, duration, string, choice, pid, command, percent\n"
            "t.ms:3:12: error: default of option 'a': 'abc' is not an integer\n"
            "  a: int = abc -a \"y\"\n"
            "           ^~~\n"
            "t.ms:4:14: error: flag '-b' is already used by option 'b'\n"
            "  b: bool -b -b \"z\"\n"
            "             ^~\n"
            "t.ms:5:6: error: a choice lists its words\n"
            "  c: choice -c \"w\"\n"
            "     ^~~~~~\n"
            "hint: e.g. choice(size, count)\n"
            "t.ms:6:12: error: a pid option has no default\n"
            "  d: pid = 5 -d \"v\"\n"
            "           ^\n"
            "hint: without the flag, the engine's own -p applies\n"
            "t.ms:7:10: error: flag '-h' is reserved for the script's help\n"
            "  e: int -h \"u\"\n"
            "         ^~\n"
            "t.ms:8:3: error: a bool option needs a flag\n"
            "  f: bool \"positional bool\"\n"
            "  ^\n"
            "hint: e.g. f: bool -f --f \"...\"\n"
            "t.ms:10:3: error: positional option 'h' has no default but comes after one that has\n"
            "  h: int \"required after optional\"\n"
            "  ^\n"
            "hint: give it a default, or move it before the optional ones\n"
            "t.ms:11:3: error: option 'a' is declared twice\n"
            "  a: size --again \"twice\"\n"
            "  ^\n"
            "t.ms:12:6: error: type 'int' takes no arguments\n"
            "  i: int(3) -i \"no args\"\n"
            "     ^~~~~~\n"
            "hint: write i: int\n"
            "t.ms:13:6: error: a duration takes the unit of numbers written without one\n"
            "  j: duration(fortnights) -j \"bad unit\"\n"
            "     ^~~~~~~~~~~~~~~~~~~~\n"
            "hint: one of ns, us, ms, s, m, h, e.g. duration(ms)\n"
            "t.ms:14:3: error: bool option 'k' takes no value, so it has no metavar 'K'\n"
            "  k: bool -k K \"no value\"\n"
            "  ^\n");
}

TEST(ScriptOptions, BlockPlacementAndSyntax) {
  EXPECT_EQ(declare("BEGIN { exit(); }\noptions { n: int -n \"x\" }\n").errors,
            "t.ms:2:1: error: the options block must come before the probes\n"
            "options { n: int -n \"x\" }\n"
            "^~~~~~~\n"
            "hint: move it to the top of the script\n");
  EXPECT_EQ(declare("options { }\noptions { }\nBEGIN { exit(); }\n").errors,
            "t.ms:2:1: error: a script has one options block\n"
            "options { }\n"
            "^~~~~~~\n"
            "hint: merge the two blocks\n");
  // Every option says what it is for: the help string is required.
  EXPECT_EQ(declare("options {\n  n: int = 3 -n\n}\nBEGIN { exit(); }\n").errors,
            "t.ms:3:1: error: syntax error, unexpected '}', expecting identifier or string or flag\n"
            "}\n"
            "^\n");
  EXPECT_EQ(declare("options {\n  colour \"blue\"\n}\n").errors,
            "t.ms:2:3: error: unknown item 'colour' in the options block\n"
            "  colour \"blue\"\n"
            "  ^~~~~~\n"
            "hint: an options block holds `description \"...\"`, `epilog \"...\"`, `map_size N`, `missing_functions warn`, "
            "`trigger_rss_growth OPTION`, `trigger_growth_rate OPTION` and declarations "
            "`NAME: TYPE [= DEFAULT] [FLAGS] [METAVAR] \"HELP\"`\n");
  EXPECT_EQ(declare("options {\n  map_size 0\n}\n").errors,
            "t.ms:2:12: error: map_size must be a number of entries from 1 to 67108864, not '0'\n"
            "  map_size 0\n"
            "           ^\n"
            "hint: e.g. map_size 1000000\n");
  auto ok = declare("options {\n  map_size 250000\n}\n");
  EXPECT_EQ(ok.errors, "");
  ASSERT_TRUE(ok.iface);
  EXPECT_EQ(ok.iface->map_size, 250000u);
}

// ---- values per type ----

TEST(ScriptOptions, Sizes) {
  EXPECT_EQ(number(OptionType::Size, "64"), 64);
  EXPECT_EQ(number(OptionType::Size, "64K"), 64 * 1024);
  EXPECT_EQ(number(OptionType::Size, "64k"), 64 * 1024);
  EXPECT_EQ(number(OptionType::Size, "1M"), 1 << 20);
  EXPECT_EQ(number(OptionType::Size, "1MiB"), 1 << 20);
  EXPECT_EQ(number(OptionType::Size, "2G"), 2LL << 30);
  EXPECT_EQ(number(OptionType::Size, "3T"), 3LL << 40);
  EXPECT_EQ(number(OptionType::Size, "0"), 0);
  EXPECT_EQ(value_error(OptionType::Size, "12Q"), "'12Q' is not a size (bytes, or a number with K, M, G or T, e.g. 64K)");
  EXPECT_EQ(value_error(OptionType::Size, "K"), "'K' is not a size (bytes, or a number with K, M, G or T, e.g. 64K)");
  EXPECT_EQ(value_error(OptionType::Size, "-1"), "'-1' is not a size (bytes, or a number with K, M, G or T, e.g. 64K)");
  EXPECT_EQ(value_error(OptionType::Size, "99999999999G"), "'99999999999G' is too large a size");
}

TEST(ScriptOptions, Durations) {
  EXPECT_EQ(number(OptionType::Duration, "500ms"), 500'000'000);
  EXPECT_EQ(number(OptionType::Duration, "5s"), 5'000'000'000);
  EXPECT_EQ(number(OptionType::Duration, "2m"), 120'000'000'000);
  EXPECT_EQ(number(OptionType::Duration, "1h"), 3'600'000'000'000);
  EXPECT_EQ(number(OptionType::Duration, "7us"), 7'000);
  EXPECT_EQ(number(OptionType::Duration, "9ns"), 9);
  EXPECT_EQ(number(OptionType::Duration, "500", 1'000'000), 500'000'000);  // duration(ms)
  EXPECT_EQ(value_error(OptionType::Duration, "500"),
            "'500' is not a duration (a number with ns, us, ms, s, m or h, e.g. 500ms)");
  EXPECT_EQ(value_error(OptionType::Duration, "soon", {"ms"}),
            "'soon' is not a duration (a number of milliseconds, or a number with ns, us, ms, s, m or h, e.g. 500ms)");
  EXPECT_EQ(value_error(OptionType::Duration, "5d"),
            "'5d' is not a duration (a number with ns, us, ms, s, m or h, e.g. 500ms)");
}

TEST(ScriptOptions, DurationsAsAttachPointText) {
  ScriptOption o;
  o.type = OptionType::Duration;
  std::string err;
  EXPECT_EQ(parse_option_value(o, "2m", err)->text, "120s");
  EXPECT_EQ(parse_option_value(o, "1500ms", err)->text, "1500ms");
  EXPECT_EQ(parse_option_value(o, "250us", err)->text, "250us");
}

TEST(ScriptOptions, IntsBoolsChoicesPids) {
  EXPECT_EQ(number(OptionType::Int, "42"), 42);
  EXPECT_EQ(number(OptionType::Int, "-7"), -7);
  EXPECT_EQ(number(OptionType::Int, "0x10"), 16);
  EXPECT_EQ(value_error(OptionType::Int, "abc"), "'abc' is not an integer");
  EXPECT_EQ(value_error(OptionType::Int, "1.5"), "'1.5' is not an integer");
  EXPECT_EQ(value_error(OptionType::Int, "99999999999999999999"),
            "'99999999999999999999' is out of range (a 64-bit signed integer)");
  EXPECT_EQ(number(OptionType::Bool, "true"), 1);
  EXPECT_EQ(number(OptionType::Bool, "off"), 0);
  EXPECT_EQ(value_error(OptionType::Bool, "maybe"), "'maybe' is not a boolean (true or false)");
  EXPECT_EQ(value_error(OptionType::Choice, "name", {"size", "count"}), "'name' is not one of: size, count");
  EXPECT_EQ(number(OptionType::Pid, "1234"), 1234);
  EXPECT_EQ(value_error(OptionType::Pid, "0"), "'0' is not a process id (a positive integer)");
  EXPECT_EQ(value_error(OptionType::Pid, "12ab"), "'12ab' is not a process id (a positive integer)");
}

// ---- the script's command line ----

TEST(ScriptOptions, CommandLineForms) {
  auto iface = memleak();
  auto r = parse_script_args(iface, {"-p", "1234", "--top", "5", "-z", "64", "10", "3"});
  ASSERT_EQ(r.error, "");
  EXPECT_EQ(r.args.values["pid"].number, 1234);
  EXPECT_TRUE(r.args.values["pid"].given);
  EXPECT_EQ(r.args.values["top"].number, 5);
  EXPECT_EQ(r.args.values["min_size"].number, 64);
  EXPECT_EQ(r.args.values["interval"].number, 10'000'000'000);
  EXPECT_EQ(r.args.values["interval"].text, "10s");
  EXPECT_EQ(r.args.values["count"].number, 3);
  EXPECT_EQ(r.args.positionals, (std::vector<std::string>{"10", "3"}));
  EXPECT_FALSE(r.args.values["older"].given);
  EXPECT_EQ(r.args.values["older"].number, 500'000'000);

  // BCC's own example: clustered bools with a valued flag last, then its value.
  r = parse_script_args(iface, {"-ap", "77", "-T3", "--sort=count", "--older=2s", "--", "7"});
  ASSERT_EQ(r.error, "");
  EXPECT_EQ(r.args.values["show_allocs"].number, 1);
  EXPECT_EQ(r.args.values["pid"].number, 77);
  EXPECT_EQ(r.args.values["top"].number, 3);
  EXPECT_EQ(r.args.values["sort"].text, "count");
  EXPECT_EQ(r.args.values["older"].number, 2'000'000'000);
  EXPECT_EQ(r.args.positionals, (std::vector<std::string>{"7"}));
  EXPECT_EQ(r.args.values["interval"].number, 7'000'000'000);
  // A negative number is a value, not a flag (flags are letters).
  auto n = declare("options { n: int = 0 \"n\" }\nBEGIN { exit(); }\n");
  r = parse_script_args(*n.iface, {"-5"});
  ASSERT_EQ(r.error, "");
  EXPECT_EQ(r.args.values["n"].number, -5);

  EXPECT_TRUE(parse_script_args(iface, {"-t", "--help"}).help);
  EXPECT_TRUE(parse_script_args(iface, {"-th"}).help);
}

TEST(ScriptOptions, CommandLineErrors) {
  auto iface = memleak();
  auto error = [&](std::vector<std::string> words) { return parse_script_args(iface, words).error; };
  EXPECT_EQ(error({"--top", "abc"}), "option --top: 'abc' is not an integer");
  EXPECT_EQ(error({"-T", "abc"}), "option -T: 'abc' is not an integer");
  EXPECT_EQ(error({"--tpo", "3"}), "unknown option '--tpo' (did you mean '--top'?)");
  EXPECT_EQ(error({"-x"}), "unknown option '-x'");
  EXPECT_EQ(error({"--top"}), "option --top needs a value (an integer)");
  EXPECT_EQ(error({"--sort"}), "option --sort needs a value (one of: size, count)");
  EXPECT_EQ(error({"-z", "1X"}), "option -z: '1X' is not a size (bytes, or a number with K, M, G or T, e.g. 64K)");
  EXPECT_EQ(error({"--trace=perhaps"}), "option --trace: 'perhaps' is not a boolean (true or false)");
  EXPECT_EQ(error({"soon"}),
            "argument interval: 'soon' is not a duration (a number of seconds, or a number with ns, us, ms, s, m or "
            "h, e.g. 500ms)");
  EXPECT_EQ(error({"1", "2", "3"}), "unexpected argument '3'");

  auto p = declare("options { n: int \"required\" }\nBEGIN { exit(); }\n");
  EXPECT_EQ(parse_script_args(*p.iface, {}).error, "argument n is required");
  // Without an options block, words are positional parameters and flags are unknown.
  auto plain = declare("BEGIN { exit(); }\n");
  auto r = parse_script_args(*plain.iface, {"10", "foo"});
  EXPECT_EQ(r.error, "");
  EXPECT_EQ(r.args.positionals.size(), 2u);
  EXPECT_EQ(parse_script_args(*plain.iface, {"-v"}).error, "unknown option '-v' (the script declares no options)");
}

// argparse's layout (checked against Python's argparse with COLUMNS=80), with
// BCC's "optional arguments:" heading; a type and default note ends each help.
TEST(ScriptOptions, MemleakHelpText) {
  EXPECT_EQ(script_help(memleak()),
            "usage: memleak.ms [-h] [-p PID] [-t] [-a] [-o OLDER] [-c COMMAND]\n"
            "                  [--combined-only] [--wa-missing-free] [-s SAMPLE_RATE]\n"
            "                  [-T TOP] [-z MIN_SIZE] [-Z MAX_SIZE] [-O OBJ] [--sort KEY]\n"
            "                  [--symbols-prefix SYMBOLS_PREFIX]\n"
            "                  [interval] [count]\n"
            "\n"
            "Trace outstanding memory allocations that weren't freed. Supports both\n"
            "user-mode allocations made with libc functions and kernel-mode allocations\n"
            "made with kmalloc/kmem_cache_alloc/get_free_pages and corresponding memory\n"
            "release functions.\n"
            "\n"
            "positional arguments:\n"
            "  interval              interval in seconds to print outstanding allocations\n"
            "                        (duration, bare numbers in seconds; default: 5)\n"
            "  count                 number of times to print the report before exiting\n"
            "                        (integer; default: 0)\n"
            "\n"
            "optional arguments:\n"
            "  -h, --help            show this help message and exit\n"
            "  -p PID, --pid PID     the PID to trace; if not specified, trace kernel\n"
            "                        allocs (process id; the engine's -p)\n"
            "  -t, --trace           print trace messages for each alloc/free call\n"
            "  -a, --show-allocs     show allocation addresses and sizes as well as call\n"
            "                        stacks\n"
            "  -o OLDER, --older OLDER\n"
            "                        prune allocations younger than this age in\n"
            "                        milliseconds (duration, bare numbers in milliseconds;\n"
            "                        default: 500)\n"
            "  -c COMMAND, --command COMMAND\n"
            "                        execute and trace the specified command (command line;\n"
            "                        the engine's -c)\n"
            "  --combined-only       show combined allocation statistics only\n"
            "  --wa-missing-free     Workaround to alleviate misjudgments when free is\n"
            "                        missing\n"
            "  -s SAMPLE_RATE, --sample-rate SAMPLE_RATE\n"
            "                        sample every N-th allocation to decrease the overhead\n"
            "                        (integer; default: 1)\n"
            "  -T TOP, --top TOP     display only this many top allocating stacks (by size)\n"
            "                        (integer; default: 10)\n"
            "  -z MIN_SIZE, --min-size MIN_SIZE\n"
            "                        capture only allocations larger than this size (size:\n"
            "                        bytes, or with K, M, G, T)\n"
            "  -Z MAX_SIZE, --max-size MAX_SIZE\n"
            "                        capture only allocations smaller than this size (size:\n"
            "                        bytes, or with K, M, G, T)\n"
            "  -O OBJ, --obj OBJ     attach to allocator functions in the specified object\n"
            "                        (string; default: libc)\n"
            "  --sort KEY            report sorted in given key; available key list: size,\n"
            "                        count (default: size)\n"
            "  --symbols-prefix SYMBOLS_PREFIX\n"
            "                        memory allocator symbols prefix (string)\n"
            "\n"
            "EXAMPLES:\n"
            "./memleak.ms -p $(pidof allocs)\n"
            "        Trace allocations and display a summary of \"leaked\" (outstanding)\n"
            "        allocations every 5 seconds\n");
}

// ---- substitution and folding ----

TEST(ScriptOptions, OptionsBecomeLiterals) {
  auto c = run("options { top: int = 10 -T \"n\"\n  neg: int = -3 --neg \"m\"\n  s: string = \"x\" -s \"t\" }\n"
               "BEGIN { printf(\"%d %d %s\\n\", opt.top, opt.neg, opt.s); exit(); }\n",
               {"-T", "4"});
  ASSERT_EQ(c.errors, "");
  auto& call = static_cast<ast::Call&>(*static_cast<ast::ExprStmt&>(*c.program->probes[0]->body[0]).expr);
  ASSERT_EQ(call.args[1]->kind, ast::NodeKind::Integer);
  EXPECT_EQ(static_cast<ast::Integer&>(*call.args[1]).value, 4u);
  // A negative value stays a signed `-3`, not a huge unsigned literal.
  ASSERT_EQ(call.args[2]->kind, ast::NodeKind::Unop);
  EXPECT_EQ(to_string(c.info.type_of(call.args[2].get())), "int64");
  ASSERT_EQ(call.args[3]->kind, ast::NodeKind::String);
  EXPECT_EQ(static_cast<ast::String&>(*call.args[3]).value, "x");
}

TEST(ScriptOptions, PositionalParameters) {
  auto c = run("BEGIN { printf(\"%d %s %d %d\\n\", $1, $2, $3, $#); exit(); }\n", {"10", "foo"});
  ASSERT_EQ(c.errors, "");
  auto& call = static_cast<ast::Call&>(*static_cast<ast::ExprStmt&>(*c.program->probes[0]->body[0]).expr);
  EXPECT_EQ(static_cast<ast::Integer&>(*call.args[1]).value, 10u);
  EXPECT_EQ(static_cast<ast::String&>(*call.args[2]).value, "foo");
  EXPECT_EQ(static_cast<ast::Integer&>(*call.args[3]).value, 0u);  // missing: 0, as in bpftrace
  EXPECT_EQ(static_cast<ast::Integer&>(*call.args[4]).value, 2u);
}

TEST(ScriptOptions, UnknownOptionsAreLocated) {
  EXPECT_EQ(run("options { top: int = 1 -T \"n\" }\nBEGIN { @x = opt.tpo; }\n").errors,
            "t.ms:2:14: error: unknown option 'tpo'\n"
            "BEGIN { @x = opt.tpo; }\n"
            "             ^~~~~~~\n"
            "hint: did you mean 'top'?\n");
  EXPECT_EQ(run("BEGIN { @x = opt.n; }\n").errors,
            "t.ms:1:14: error: unknown option 'n'\n"
            "BEGIN { @x = opt.n; }\n"
            "             ^~~~~\n"
            "hint: declare it in an options block at the top: options { n: int = 0 --n \"...\" }\n");
}

TEST(ScriptOptions, AttachPointTargets) {
  auto c = run("options { obj: string = \"libc\" -O \"o\"\n  prefix: string = \"\" --symbols-prefix \"p\" }\n"
               "uprobe:${obj}:${prefix}malloc { @n = count(); }\n",
               {"-O", "/opt/lib/libjemalloc.so.2", "--symbols-prefix", "je_"});
  ASSERT_EQ(c.errors, "");
  const auto& ap = c.program->probes[0]->attach_points[0];
  EXPECT_EQ(ap.provider, "uprobe");
  EXPECT_EQ(ap.parts, (std::vector<std::string>{"/opt/lib/libjemalloc.so.2", "je_malloc"}));
  EXPECT_EQ(ap.raw, "uprobe:/opt/lib/libjemalloc.so.2:je_malloc");
  EXPECT_EQ(ap.loc.column, 1);
  EXPECT_EQ(ap.loc.end_column, 30);  // the attach point as written

  // A value holding ':' stays one part.
  c = run("options { obj: string = \"libc\" -O \"o\" }\nuprobe:${obj}:f { @n = count(); }\n", {"-O", "/a:b"});
  EXPECT_EQ(c.program->probes[0]->attach_points[0].parts, (std::vector<std::string>{"/a:b", "f"}));

  // Positional parameters too; errors point into the attach point.
  c = run("uprobe:$1:${sym} { @n = count(); }\n", {"/bin/true"});
  EXPECT_EQ(c.errors,
            "t.ms:1:11: error: unknown option 'sym' in attach point\n"
            "uprobe:$1:${sym} { @n = count(); }\n"
            "          ^~~~~~\n"
            "hint: declare it in an options block at the top: options { sym: int = 0 --sym \"...\" }\n");
  EXPECT_EQ(run("uprobe:/bin/true:$2 { @n = count(); }\n", {"x"}).errors,
            "t.ms:1:18: error: attach point uses $2, but the script was given 1 positional argument\n"
            "uprobe:/bin/true:$2 { @n = count(); }\n"
            "                 ^~\n"
            "hint: pass it after the script: memscript SCRIPT.ms ARG1 ARG2 ...\n");
  // A duration becomes an interval attach point.
  c = run("options { every: duration(ms) = 250 \"period\" }\ninterval:${every} { exit(); }\n");
  ASSERT_EQ(c.errors, "");
  EXPECT_EQ(interval_period_ns(c.program->probes[0]->attach_points[0]), 250'000'000u);
}

const char* kModes = R"(options {
  pid: pid -p --pid "p"
  min: size = 0 -z "z"
  mode: choice(user, kernel) = kernel --mode "m"
}
uprobe:/bin/true:main / opt.pid != 0 && arg0 >= opt.min / { @u = count(); }
tracepoint:syscalls:sys_enter_brk / opt.pid == 0 / { @k = count(); }
BEGIN / opt.mode == "user" || 0 / { exit(); }
)";

TEST(ScriptOptions, ConstantFalsePredicatesRemoveProbes) {
  auto c = run(kModes, {"-p", "42", "-z", "1K"});
  ASSERT_EQ(c.errors, "");
  ASSERT_EQ(c.program->probes.size(), 1u);
  const auto& probe = *c.program->probes[0];
  EXPECT_EQ(probe.attach_points[0].provider, "uprobe");
  // `42 != 0 && arg0 >= 1024` is `arg0 >= 1024`.
  ASSERT_TRUE(probe.predicate);
  ASSERT_EQ(probe.predicate->kind, ast::NodeKind::Binop);
  const auto& ge = static_cast<const ast::Binop&>(*probe.predicate);
  EXPECT_EQ(ge.op, ast::BinaryOp::Ge);
  EXPECT_EQ(static_cast<const ast::Integer&>(*ge.rhs).value, 1024u);
  EXPECT_EQ(c.info.removed_probes, (std::vector<std::string>{"tracepoint:syscalls:sys_enter_brk", "BEGIN"}));

  c = run(kModes, {"--mode", "user"});
  ASSERT_EQ(c.errors, "");
  ASSERT_EQ(c.program->probes.size(), 2u);
  EXPECT_EQ(c.program->probes[0]->attach_points[0].provider, "tracepoint");
  EXPECT_FALSE(c.program->probes[0]->predicate);  // always true: dropped
  EXPECT_FALSE(c.program->probes[1]->predicate);

  std::string dump = dump_ast(*c.program, &c.info);
  EXPECT_NE(dump.find("  mode = \"user\"\n"), std::string::npos) << dump;
  EXPECT_NE(dump.find(" removed probe uprobe:/bin/true:main (its predicate is false)\n"), std::string::npos) << dump;
}

TEST(ScriptOptions, FoldingFollowsCTypes) {
  // -1 < 1 is true signed; compared with an unsigned value -1 is huge.
  auto c = run("BEGIN / -1 < 1 / { exit(); }\nEND / -1 < 0xffffffffffffffff / { exit(); }\n"
               "BEGIN / 7 / 0 / { exit(); }\n");
  ASSERT_EQ(c.errors, "");
  ASSERT_EQ(c.program->probes.size(), 2u);  // END: -1 as unsigned is not below the max
  EXPECT_FALSE(c.program->probes[0]->predicate);
  ASSERT_TRUE(c.program->probes[1]->predicate);  // division by zero is not folded
}

TEST(ScriptOptions, NothingLeftToTrace) {
  EXPECT_EQ(run("options { on: bool --on \"x\" }\nBEGIN / opt.on / { exit(); }\n").errors,
            "t.ms:1:1: error: every probe's predicate is false with these options: nothing to trace\n"
            "options { on: bool --on \"x\" }\n"
            "^~~~~~~\n"
            "hint: see which options the predicates test, e.g. with -d ast\n");
}

}  // namespace
}  // namespace ms

namespace ms {
namespace {

std::string read_file(const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "rb");
  EXPECT_TRUE(f) << path;
  if (!f) return {};
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
  std::fclose(f);
  return out;
}

// The bundled example checks in both of its modes.
TEST(ScriptOptions, ExampleScriptChecks) {
  std::string src = read_file(std::string(MS_SOURCE_DIR) + "/scripts/examples/allocs.ms");
  auto kernel = run(src, {"1", "2"});
  EXPECT_EQ(kernel.errors, "");
  EXPECT_EQ(kernel.arg_error, "");
  auto user = run(src, {"-p", "1", "-z", "64K", "-t"});
  EXPECT_EQ(user.errors, "");
  ASSERT_TRUE(user.program);
  EXPECT_EQ(user.program->probes[0]->attach_points[0].raw, "uprobe:libc:malloc");
}

}  // namespace
}  // namespace ms
