// A script's own command line: the options it declares, their values.
//
//   options {
//     description "Trace outstanding allocations."
//     pid:      pid             -p --pid   "the PID to trace"
//     top:      int = 10        -T --top   "show this many stacks"
//     min_size: size = 0        -z --min-size "smallest allocation to count"
//     interval: duration(s) = 5            "seconds between reports"
//   }
//
// An option without flags is a positional parameter. Option values are
// constants: the options pass (passes/options.cpp) replaces `opt.NAME`, `$N`
// and `${NAME}` in attach points by them before anything is checked, so the
// rest of the compiler only ever sees literals. See docs/options.md.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/diagnostics.h"
#include "parser/ast.h"

namespace ms {

enum class OptionType {
  Bool,      // a flag without a value
  Int,       // signed 64-bit, decimal or 0x hex
  Size,      // bytes, with K M G T suffixes (powers of 1024)
  Duration,  // ns us ms s m h suffixes; nanoseconds in expressions
  String,
  Choice,    // one word of a fixed list; a string in expressions
  Pid,       // the engine's -p: the traced process
  Command,   // the engine's -c: a command to run and trace
  Percent,   // "5%", "0.5%" or a bare "5"; parts per million in expressions (5% = 50000)
};

const char* to_string(OptionType t);

struct OptionValue {
  bool is_string = false;  // String, Choice, Command: `text`; otherwise `number`
  int64_t number = 0;
  std::string text;        // strings; for numbers their form in an attach point
  bool given = false;      // set on the command line (not a default)
};

struct ScriptOption {
  std::string name;
  OptionType type = OptionType::Int;
  std::vector<std::string> choices;  // Choice
  uint64_t bare_unit_ns = 0;         // Duration: unit of a number without suffix; 0: suffix required
  std::string bare_unit;             // its name ("milliseconds")
  std::string short_flag;            // "-p" or empty
  std::string long_flag;             // "--pid" or empty
  bool positional() const { return short_flag.empty() && long_flag.empty(); }
  bool required = false;             // a positional without a default
  bool has_default = false;
  std::string default_text;          // as written in the script
  OptionValue default_value;         // parsed; the type's zero without a default
  std::string metavar;               // as declared; empty: the name in capitals
  std::string help;
};

struct ScriptInterface {
  std::string prog;  // the script's file name, as --help shows it
  bool declared = false;  // the script has an options block
  std::string description;
  std::string epilog;
  uint32_t map_size = 0;  // `map_size N` (0: the engine's default)
  bool missing_functions_warn = false;  // `missing_functions warn`
  // `trigger_rss_growth OPT` (a size option) and `trigger_growth_rate OPT` (a
  // string option, "5M/min"): when the option is given, uprobes and USDT
  // probes are attached only once the target's RSS has grown by that much
  // since the start, or grows at that rate (runtime/attach_trigger.h).
  std::string trigger_rss_growth_option;
  std::string trigger_growth_rate_option;
  std::vector<ScriptOption> options;  // in declaration order

  const ScriptOption* find(const std::string& name) const;
};

// Checks the declarations of the options block and builds the interface.
// Errors (unknown type, bad default, clashing flags ...) are located in
// `diags`; returns nullopt if there were any.
std::optional<ScriptInterface> script_interface(const ast::Program& program, Diagnostics& diags,
                                                const std::string& prog);

// Values of every declared option, and the positional words ($1 ...).
struct ScriptArgs {
  std::map<std::string, OptionValue> values;
  std::vector<std::string> positionals;
};

// Every option at its default, no positional words.
ScriptArgs default_args(const ScriptInterface& iface);

struct ScriptArgsResult {
  ScriptArgs args;
  bool help = false;   // -h/--help was given: print script_help() and exit 0
  std::string error;   // non-empty: a usage error, e.g. "option --top: 'abc' is not an integer"
};

// Parses the words after the script's name, argparse-style: -x VALUE, -xVALUE,
// --long VALUE, --long=VALUE, clustered bools (-ta), `--` ends the options.
ScriptArgsResult parse_script_args(const ScriptInterface& iface, const std::vector<std::string>& words);

// Parses one value of an option. On failure returns nullopt and sets `error`
// to what is wrong, e.g. "'abc' is not an integer".
std::optional<OptionValue> parse_option_value(const ScriptOption& opt, const std::string& text, std::string& error);

// The script's --help text (argparse's layout, as BCC tools show it).
std::string script_help(const ScriptInterface& iface);

}  // namespace ms
