#include "parser/script_options.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <limits>
#include <set>

#include "suggest.h"

namespace ms {

namespace {

struct TypeDesc {
  const char* name;
  OptionType type;
  const char* noun;  // "an integer": what a value must be
};

const TypeDesc kTypes[] = {
    {"bool", OptionType::Bool, "true or false"},
    {"int", OptionType::Int, "an integer"},
    {"size", OptionType::Size, "a size"},
    {"duration", OptionType::Duration, "a duration"},
    {"string", OptionType::String, "a string"},
    {"choice", OptionType::Choice, "a choice"},
    {"pid", OptionType::Pid, "a process id"},
    {"command", OptionType::Command, "a command"},
    {"percent", OptionType::Percent, "a percentage"},
};

const TypeDesc* find_type(const std::string& name) {
  for (const auto& t : kTypes)
    if (name == t.name) return &t;
  return nullptr;
}

const TypeDesc& desc_of(OptionType type) {
  for (const auto& t : kTypes)
    if (t.type == type) return t;
  return kTypes[0];
}

struct DurationUnit {
  const char* name;
  uint64_t ns;
  const char* long_name;
};
const DurationUnit kDurationUnits[] = {{"ns", 1, "nanoseconds"},
                                       {"us", 1'000, "microseconds"},
                                       {"ms", 1'000'000, "milliseconds"},
                                       {"s", 1'000'000'000, "seconds"},
                                       {"m", 60'000'000'000, "minutes"},
                                       {"h", 3'600'000'000'000, "hours"}};

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Digits (decimal, or hex after 0x) into a value that fits in int64.
bool parse_unsigned(const std::string& s, uint64_t& out) {
  if (s.empty()) return false;
  int base = 10;
  size_t i = 0;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    base = 16;
    i = 2;
  }
  uint64_t v = 0;
  for (; i < s.size(); ++i) {
    char c = static_cast<char>(std::tolower(static_cast<unsigned char>(s[i])));
    int d = (c >= '0' && c <= '9') ? c - '0' : (base == 16 && c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
    if (d < 0) return false;
    if (v > (static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) - d) / base) return false;
    v = v * base + d;
  }
  out = v;
  return true;
}

// Splits "64K" into "64" and "K": leading digits, then the rest.
void split_number(const std::string& s, std::string& digits, std::string& suffix) {
  size_t i = 0;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
  digits = s.substr(0, i);
  suffix = s.substr(i);
}

bool mul_fits(uint64_t a, uint64_t b, uint64_t& out) {
  if (a != 0 && b > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) / a) return false;
  out = a * b;
  return true;
}

// A duration as an interval attach point writes it (interval:500ms): the
// largest of s, ms, us that divides it, else ns.
std::string duration_text(uint64_t ns) {
  if (ns != 0 && ns % 1'000'000'000 == 0) return std::to_string(ns / 1'000'000'000) + "s";
  if (ns != 0 && ns % 1'000'000 == 0) return std::to_string(ns / 1'000'000) + "ms";
  if (ns != 0 && ns % 1'000 == 0) return std::to_string(ns / 1'000) + "us";
  return std::to_string(ns) + "ns";
}

OptionValue number_value(int64_t v, std::string text = {}) {
  OptionValue out;
  out.number = v;
  out.text = text.empty() ? std::to_string(v) : std::move(text);
  return out;
}

OptionValue string_value(std::string s) {
  OptionValue out;
  out.is_string = true;
  out.text = std::move(s);
  return out;
}

std::string join(const std::vector<std::string>& v, const char* sep) {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) out += (i ? sep : "") + v[i];
  return out;
}

std::string quoted(const std::string& s) { return "'" + s + "'"; }

}  // namespace

const char* to_string(OptionType t) { return desc_of(t).name; }

const ScriptOption* ScriptInterface::find(const std::string& name) const {
  for (const auto& o : options)
    if (o.name == name) return &o;
  return nullptr;
}

std::optional<OptionValue> parse_option_value(const ScriptOption& opt, const std::string& text, std::string& error) {
  switch (opt.type) {
    case OptionType::Bool: {
      std::string t = lower(text);
      if (t == "true" || t == "1" || t == "yes" || t == "on") return number_value(1);
      if (t == "false" || t == "0" || t == "no" || t == "off") return number_value(0);
      error = quoted(text) + " is not a boolean (true or false)";
      return std::nullopt;
    }
    case OptionType::Int: {
      bool negative = !text.empty() && text[0] == '-';
      uint64_t v = 0;
      if (!parse_unsigned(negative ? text.substr(1) : text, v)) {
        bool digits = text.size() > (negative ? 1u : 0u) &&
                      std::all_of(text.begin() + (negative ? 1 : 0), text.end(),
                                  [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
        error = quoted(text) + (digits ? " is out of range (a 64-bit signed integer)" : " is not an integer");
        return std::nullopt;
      }
      return number_value(negative ? -static_cast<int64_t>(v) : static_cast<int64_t>(v));
    }
    case OptionType::Size: {
      std::string digits, suffix;
      split_number(text, digits, suffix);
      std::string s = lower(suffix);
      uint64_t mult = 0;
      if (s.empty() || s == "b") mult = 1;
      else if (s == "k" || s == "kb" || s == "kib") mult = 1ull << 10;
      else if (s == "m" || s == "mb" || s == "mib") mult = 1ull << 20;
      else if (s == "g" || s == "gb" || s == "gib") mult = 1ull << 30;
      else if (s == "t" || s == "tb" || s == "tib") mult = 1ull << 40;
      uint64_t n = 0, bytes = 0;
      if (mult == 0 || !parse_unsigned(digits, n)) {
        error = quoted(text) + " is not a size (bytes, or a number with K, M, G or T, e.g. 64K)";
        return std::nullopt;
      }
      if (!mul_fits(n, mult, bytes)) {
        error = quoted(text) + " is too large a size";
        return std::nullopt;
      }
      return number_value(static_cast<int64_t>(bytes));
    }
    case OptionType::Duration: {
      std::string digits, suffix;
      split_number(text, digits, suffix);
      uint64_t unit = 0;
      if (suffix.empty()) unit = opt.bare_unit_ns;
      for (const auto& u : kDurationUnits)
        if (suffix == u.name) unit = u.ns;
      uint64_t n = 0, ns = 0;
      if (unit == 0 || !parse_unsigned(digits, n)) {
        std::string what = opt.bare_unit_ns ? "a number of " + opt.bare_unit + ", or a number with " : "a number with ";
        error = quoted(text) + " is not a duration (" + what + "ns, us, ms, s, m or h, e.g. 500ms)";
        return std::nullopt;
      }
      if (!mul_fits(n, unit, ns)) {
        error = quoted(text) + " is too long a duration";
        return std::nullopt;
      }
      return number_value(static_cast<int64_t>(ns), duration_text(ns));
    }
    case OptionType::Percent: {
      // Parts per million, so that 0.5% is an integer too.
      std::string t = text;
      if (!t.empty() && t.back() == '%') t.pop_back();
      char* end = nullptr;
      double pct = t.empty() || !(std::isdigit(static_cast<unsigned char>(t[0])) || t[0] == '.') ? -1 : std::strtod(t.c_str(), &end);
      if (pct < 0 || !end || *end || pct > 100) {
        error = quoted(text) + " is not a percentage (from 0% to 100%, e.g. 5% or 0.5%)";
        return std::nullopt;
      }
      return number_value(static_cast<int64_t>(pct * 10000 + 0.5), text);
    }
    case OptionType::String:
      return string_value(text);
    case OptionType::Choice:
      if (std::find(opt.choices.begin(), opt.choices.end(), text) == opt.choices.end()) {
        error = quoted(text) + " is not one of: " + join(opt.choices, ", ");
        return std::nullopt;
      }
      return string_value(text);
    case OptionType::Pid: {
      uint64_t v = 0;
      bool decimal = !text.empty() && text.size() <= 10 &&
                     std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
      if (!decimal || !parse_unsigned(text, v) || v == 0 || v > 0x3fffffff) {
        error = quoted(text) + " is not a process id (a positive integer)";
        return std::nullopt;
      }
      return number_value(static_cast<int64_t>(v));
    }
    case OptionType::Command:
      if (text.find_first_not_of(" \t") == std::string::npos) {
        error = "the command is empty";
        return std::nullopt;
      }
      return string_value(text);
  }
  return std::nullopt;
}

namespace {

// What an option is when nothing sets it: its default, or the type's zero.
OptionValue zero_value(OptionType t) {
  switch (t) {
    case OptionType::String:
    case OptionType::Choice:
    case OptionType::Command:
      return string_value("");
    case OptionType::Duration:
      return number_value(0, "0ns");
    default:
      return number_value(0);
  }
}

class InterfaceBuilder {
 public:
  InterfaceBuilder(Diagnostics& diags, const std::string& prog) : diags_(diags) { iface_.prog = prog; }

  std::optional<ScriptInterface> run(const ast::Program& program) {
    const auto& block = program.options;
    iface_.declared = block.present;
    iface_.description = block.description;
    iface_.epilog = block.epilog;
    if (block.missing_functions_text == "warn") iface_.missing_functions_warn = true;
    else if (!block.missing_functions_text.empty() && block.missing_functions_text != "error")
      diags_.error(block.missing_functions_loc,
                   "missing_functions is warn or error, not '" + block.missing_functions_text + "'",
                   "warn: a uprobe on a function its binary lacks is skipped with a warning");
    if (!block.map_size_text.empty()) {
      const std::string& t = block.map_size_text;
      char* end = nullptr;
      errno = 0;
      unsigned long long v = std::strtoull(t.c_str(), &end, 10);
      if (t.empty() || !std::isdigit(static_cast<unsigned char>(t[0])) || *end || errno || v < 1 || v > (1ull << 26))
        diags_.error(block.map_size_loc, "map_size must be a number of entries from 1 to 67108864, not '" + t + "'",
                     "e.g. map_size 1000000");
      else
        iface_.map_size = static_cast<uint32_t>(v);
    }
    for (const auto& [name, loc] : block.unknown_items)
      diags_.error(loc, "unknown item '" + name + "' in the options block",
                   "an options block holds `description \"...\"`, `epilog \"...\"`, `map_size N`, `missing_functions warn`, "
                   "`trigger_rss_growth OPTION`, `trigger_growth_rate OPTION` and declarations "
                   "`NAME: TYPE [= DEFAULT] [FLAGS] [METAVAR] \"HELP\"`");
    for (const auto& d : block.decls) declaration(d);
    for (const auto& t : block.triggers) trigger(t);
    if (diags_.has_errors()) return std::nullopt;
    return std::move(iface_);
  }

 private:
  // The option named by a trigger item must be declared (before or after
  // it) with the type the runtime reads: a size, or a rate as text.
  void trigger(const ast::OptionsBlock::Trigger& t) {
    const bool rss = t.kind == "trigger_rss_growth";
    const ScriptOption* opt = iface_.find(t.option);
    const OptionType want = rss ? OptionType::Size : OptionType::String;
    if (!opt || opt->type != want) {
      diags_.error(t.loc, t.kind + " names " + (opt ? "option '" + t.option + "', which is not a " : "no option '" + t.option + "'; it needs a ") +
                              (rss ? "size" : "string (a rate such as 5M/min)"),
                   rss ? "e.g. trigger_rss: size --trigger-rss-growth ... then trigger_rss_growth trigger_rss"
                       : "e.g. trigger_rate: string = \"\" --trigger-growth-rate ... then trigger_growth_rate trigger_rate");
      return;
    }
    (rss ? iface_.trigger_rss_growth_option : iface_.trigger_growth_rate_option) = t.option;
  }

  void declaration(const ast::OptionDecl& d) {
    bool ok = true;
    ScriptOption opt;
    opt.name = d.name;
    opt.help = d.help;
    opt.metavar = d.metavar;
    if (!names_.insert(d.name).second) {
      diags_.error(d.loc, "option '" + d.name + "' is declared twice");
      ok = false;
    }
    const TypeDesc* type = find_type(d.type);
    if (!type) {
      std::vector<std::string> names;
      for (const auto& t : kTypes) names.emplace_back(t.name);
      std::string hint = did_you_mean(d.type, names);
      if (hint.empty()) hint = "the types are " + join(names, ", ");
      diags_.error(d.type_loc, "unknown option type '" + d.type + "'", hint);
      return;
    }
    opt.type = type->type;
    if (!type_args(d, opt)) ok = false;
    if (!flags(d, opt)) ok = false;
    if (opt.type == OptionType::Bool && !d.metavar.empty()) {
      diags_.error(d.loc, "bool option '" + d.name + "' takes no value, so it has no metavar '" + d.metavar + "'");
      ok = false;
    }
    if (opt.positional()) {
      if (opt.type == OptionType::Bool || opt.type == OptionType::Pid || opt.type == OptionType::Command) {
        diags_.error(d.loc, std::string("a ") + type->name + " option needs a flag",
                     "e.g. " + d.name + ": " + d.type + " -" + d.name.substr(0, 1) + " --" + d.name + " \"...\"");
        ok = false;
      }
      opt.required = !d.has_default;
      if (opt.required && seen_optional_positional_) {
        diags_.error(d.loc, "positional option '" + d.name + "' has no default but comes after one that has",
                     "give it a default, or move it before the optional ones");
        ok = false;
      }
      if (!opt.required) seen_optional_positional_ = true;
    }
    if (opt.type == OptionType::Pid || opt.type == OptionType::Command) {
      bool& seen = opt.type == OptionType::Pid ? seen_pid_ : seen_command_;
      if (seen) {
        diags_.error(d.type_loc, std::string("only one option can be of type ") + type->name,
                     std::string("it is the engine's ") + (opt.type == OptionType::Pid ? "-p" : "-c"));
        ok = false;
      }
      seen = true;
      if (d.has_default) {
        diags_.error(d.default_loc, std::string("a ") + type->name + " option has no default",
                     std::string("without the flag, the engine's own ") +
                         (opt.type == OptionType::Pid ? "-p" : "-c") + " applies");
        ok = false;
      }
    }
    opt.default_value = zero_value(opt.type);
    if (d.has_default && ok) {
      std::string err;
      auto v = parse_option_value(opt, d.default_text, err);
      if (!v) {
        diags_.error(d.default_loc, "default of option '" + d.name + "': " + err);
        ok = false;
      } else {
        opt.has_default = true;
        opt.default_text = d.default_text;
        opt.default_value = *v;
      }
    }
    if (ok) iface_.options.push_back(std::move(opt));
  }

  bool type_args(const ast::OptionDecl& d, ScriptOption& opt) {
    if (opt.type == OptionType::Choice) {
      if (d.type_args.empty()) {
        diags_.error(d.type_loc, "a choice lists its words", "e.g. choice(size, count)");
        return false;
      }
      std::set<std::string> seen;
      for (const auto& c : d.type_args) {
        if (!seen.insert(c).second) {
          diags_.error(d.type_loc, "choice '" + c + "' is listed twice");
          return false;
        }
      }
      opt.choices = d.type_args;
      return true;
    }
    if (opt.type == OptionType::Duration) {
      if (d.type_args.empty()) return true;
      if (d.type_args.size() == 1) {
        for (const auto& u : kDurationUnits) {
          if (d.type_args[0] == u.name) {
            opt.bare_unit_ns = u.ns;
            opt.bare_unit = u.long_name;
            return true;
          }
        }
      }
      diags_.error(d.type_loc, "a duration takes the unit of numbers written without one",
                   "one of ns, us, ms, s, m, h, e.g. duration(ms)");
      return false;
    }
    if (!d.type_args.empty()) {
      diags_.error(d.type_loc, "type '" + d.type + "' takes no arguments", "write " + d.name + ": " + d.type);
      return false;
    }
    return true;
  }

  bool flags(const ast::OptionDecl& d, ScriptOption& opt) {
    bool ok = true;
    for (const auto& f : d.flags) {
      if (f.text == "-h" || f.text == "--help") {
        diags_.error(f.loc, "flag '" + f.text + "' is reserved for the script's help");
        ok = false;
        continue;
      }
      auto [it, fresh] = flags_.emplace(f.text, d.name);
      if (!fresh) {
        diags_.error(f.loc, "flag '" + f.text + "' is already used by option '" + it->second + "'");
        ok = false;
        continue;
      }
      bool is_short = f.text.size() == 2;
      std::string& slot = is_short ? opt.short_flag : opt.long_flag;
      if (!slot.empty()) {
        diags_.error(f.loc, std::string("option '") + d.name + "' already has the " + (is_short ? "short" : "long") +
                                " flag '" + slot + "'",
                     "an option has at most one short (-x) and one long (--name) flag");
        ok = false;
        continue;
      }
      slot = f.text;
    }
    return ok;
  }

  Diagnostics& diags_;
  ScriptInterface iface_;
  std::set<std::string> names_;
  std::map<std::string, std::string> flags_;  // flag -> option name
  bool seen_optional_positional_ = false;
  bool seen_pid_ = false;
  bool seen_command_ = false;
};

}  // namespace

std::optional<ScriptInterface> script_interface(const ast::Program& program, Diagnostics& diags,
                                                const std::string& prog) {
  return InterfaceBuilder(diags, prog).run(program);
}

ScriptArgs default_args(const ScriptInterface& iface) {
  ScriptArgs args;
  for (const auto& o : iface.options) args.values[o.name] = o.default_value;
  return args;
}

namespace {

class ArgParser {
 public:
  ArgParser(const ScriptInterface& iface, const std::vector<std::string>& words) : iface_(iface), words_(words) {
    result_.args = default_args(iface);
  }

  ScriptArgsResult run() {
    bool only_positionals = false;
    for (i_ = 0; i_ < words_.size() && result_.error.empty() && !result_.help; ++i_) {
      const std::string& w = words_[i_];
      if (only_positionals || w == "-" || w.size() < 2 || w[0] != '-' || looks_negative_number(w)) {
        positional(w);
      } else if (w == "--") {
        only_positionals = true;
      } else if (w == "-h" || w == "--help") {
        result_.help = true;
      } else if (w.rfind("--", 0) == 0) {
        long_flag(w);
      } else {
        short_cluster(w);
      }
    }
    if (result_.error.empty() && !result_.help) {
      for (const auto& o : iface_.options) {
        if (o.positional() && o.required && !result_.args.values[o.name].given) {
          result_.error = "argument " + o.name + " is required";
          break;
        }
      }
    }
    return std::move(result_);
  }

 private:
  // "-5" is a value when no flag is a digit (flags are letters), like argparse.
  static bool looks_negative_number(const std::string& w) {
    return w.size() > 1 && w[0] == '-' && std::isdigit(static_cast<unsigned char>(w[1]));
  }

  const ScriptOption* by_flag(const std::string& flag) const {
    for (const auto& o : iface_.options)
      if (o.short_flag == flag || o.long_flag == flag) return &o;
    return nullptr;
  }

  void unknown(const std::string& flag) {
    std::vector<std::string> flags = {"--help"};
    for (const auto& o : iface_.options) {
      if (!o.short_flag.empty()) flags.push_back(o.short_flag);
      if (!o.long_flag.empty()) flags.push_back(o.long_flag);
    }
    result_.error = "unknown option '" + flag + "'";
    std::string close = flag.size() > 2 ? closest_match(flag, flags) : "";
    if (!close.empty()) result_.error += " (did you mean '" + close + "'?)";
    else if (!iface_.declared) result_.error += " (the script declares no options)";
  }

  void set(const ScriptOption& o, const std::string& spelled, const std::string& text) {
    std::string err;
    auto v = parse_option_value(o, text, err);
    if (!v) {
      result_.error = (o.positional() ? "argument " : "option ") + spelled + ": " + err;
      return;
    }
    v->given = true;
    result_.args.values[o.name] = *v;
  }

  // The value of a flag that needs one: the next word.
  void take_next(const ScriptOption& o, const std::string& spelled) {
    if (i_ + 1 >= words_.size()) {
      std::string what = o.type == OptionType::Choice ? "one of: " + join(o.choices, ", ") : desc_of(o.type).noun;
      result_.error = "option " + spelled + " needs a value (" + what + ")";
      return;
    }
    set(o, spelled, words_[++i_]);
  }

  void long_flag(const std::string& w) {
    size_t eq = w.find('=');
    std::string flag = w.substr(0, eq);
    const ScriptOption* o = by_flag(flag);
    if (!o) return unknown(flag);
    if (o->type == OptionType::Bool) {
      if (eq == std::string::npos) return set(*o, flag, "true");
      return set(*o, flag, w.substr(eq + 1));
    }
    if (eq != std::string::npos) return set(*o, flag, w.substr(eq + 1));
    take_next(*o, flag);
  }

  // -t, -ta (bools together), -p 1234, -p1234, -ap 1234.
  void short_cluster(const std::string& w) {
    for (size_t k = 1; k < w.size() && result_.error.empty(); ++k) {
      std::string flag = std::string("-") + w[k];
      if (flag == "-h") {
        result_.help = true;
        return;
      }
      const ScriptOption* o = by_flag(flag);
      if (!o) return unknown(k == 1 ? w.substr(0, w.find('=')) : flag);
      if (o->type == OptionType::Bool) {
        set(*o, flag, "true");
        continue;
      }
      if (k + 1 < w.size()) return set(*o, flag, w.substr(w[k + 1] == '=' ? k + 2 : k + 1));
      return take_next(*o, flag);
    }
  }

  void positional(const std::string& w) {
    result_.args.positionals.push_back(w);
    size_t n = 0;
    for (const auto& o : iface_.options) {
      if (!o.positional()) continue;
      if (++n == result_.args.positionals.size()) return set(o, o.name, w);
    }
    // Scripts without an options block take any number of words as $1, $2 ...
    if (iface_.declared) result_.error = "unexpected argument '" + w + "'";
  }

  const ScriptInterface& iface_;
  const std::vector<std::string>& words_;
  size_t i_ = 0;
  ScriptArgsResult result_;
};

// argparse's layout: 2-space indent, help at column 24, lines of 78.
constexpr size_t kWidth = 78;
constexpr size_t kHelpColumn = 24;

std::vector<std::string> wrap_words(const std::string& text, size_t width) {
  std::vector<std::string> lines;
  std::string cur;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && text[i] == ' ') ++i;
    size_t j = text.find(' ', i);
    if (j == std::string::npos) j = text.size();
    std::string word = text.substr(i, j - i);
    i = j;
    if (word.empty()) continue;
    if (!cur.empty() && cur.size() + 1 + word.size() > width) {
      lines.push_back(cur);
      cur.clear();
    }
    cur += (cur.empty() ? "" : " ") + word;
  }
  if (!cur.empty()) lines.push_back(cur);
  return lines;
}

std::string metavar(const ScriptOption& o) {
  if (!o.metavar.empty()) return o.metavar;
  if (o.type == OptionType::Choice) return "{" + join(o.choices, ",") + "}";
  std::string m = o.name;
  for (char& c : m) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return m;
}

std::string usage_item(const ScriptOption& o) {
  if (o.positional()) {
    std::string name = o.metavar.empty() ? o.name : o.metavar;
    return o.required ? name : "[" + name + "]";
  }
  std::string flag = o.short_flag.empty() ? o.long_flag : o.short_flag;
  if (o.type == OptionType::Bool) return "[" + flag + "]";
  return "[" + flag + " " + metavar(o) + "]";
}

std::string invocation(const ScriptOption& o) {
  if (o.positional()) return o.metavar.empty() ? o.name : o.metavar;
  std::string out;
  for (const std::string* f : {&o.short_flag, &o.long_flag}) {
    if (f->empty()) continue;
    if (!out.empty()) out += ", ";
    out += *f;
    if (o.type != OptionType::Bool) out += " " + metavar(o);
  }
  return out;
}

// What --help adds after the help text: the type and the default.
std::string type_note(const ScriptOption& o) {
  std::string type;
  switch (o.type) {
    case OptionType::Bool: return "";
    case OptionType::Int: type = "integer"; break;
    case OptionType::Size: type = "size: bytes, or with K, M, G, T"; break;
    case OptionType::Duration:
      type = o.bare_unit_ns ? "duration, bare numbers in " + o.bare_unit : "duration: ns, us, ms, s, m, h";
      break;
    case OptionType::String: type = "string"; break;
    case OptionType::Percent: type = "percentage"; break;
    case OptionType::Choice: type = ""; break;
    case OptionType::Pid: return "(process id; the engine's -p)";
    case OptionType::Command: return "(command line; the engine's -c)";
  }
  std::string dflt = o.has_default && !o.default_text.empty() ? "default: " + o.default_text : "";
  if (type.empty() && dflt.empty()) return "";
  if (type.empty()) return "(" + dflt + ")";
  return "(" + type + (dflt.empty() ? "" : "; " + dflt) + ")";
}

void help_entry(std::string& out, const std::string& inv, const std::string& help) {
  std::string head = "  " + inv;
  auto lines = wrap_words(help, kWidth - kHelpColumn);
  if (lines.empty()) {
    out += head + "\n";
    return;
  }
  if (head.size() + 2 <= kHelpColumn) {
    out += head + std::string(kHelpColumn - head.size(), ' ') + lines[0] + "\n";
  } else {
    out += head + "\n" + std::string(kHelpColumn, ' ') + lines[0] + "\n";
  }
  for (size_t i = 1; i < lines.size(); ++i) out += std::string(kHelpColumn, ' ') + lines[i] + "\n";
}

// Wraps usage items after "usage: PROG ", continuation lines aligned under
// the first item, positionals starting a line of their own (argparse).
std::string usage_text(const ScriptInterface& iface) {
  std::vector<std::string> flags = {"[-h]"}, positionals;
  for (const auto& o : iface.options) (o.positional() ? positionals : flags).push_back(usage_item(o));
  std::string prefix = "usage: " + iface.prog + " ";
  std::string all = join(flags, " ") + (positionals.empty() ? "" : " " + join(positionals, " "));
  if (prefix.size() + all.size() <= kWidth) return prefix + all + "\n";
  size_t indent = prefix.size();
  std::string out;
  std::string line = prefix;
  auto emit = [&](const std::vector<std::string>& items) {
    for (const auto& item : items) {
      if (line.size() > indent && line.size() + 1 + item.size() > kWidth) {
        out += line + "\n";
        line = std::string(indent, ' ');
      }
      if (line.size() > indent) line += " ";
      line += item;
    }
  };
  emit(flags);
  if (!positionals.empty()) {
    out += line + "\n";
    line = std::string(indent, ' ');
    emit(positionals);
  }
  return out + line + "\n";
}

}  // namespace

ScriptArgsResult parse_script_args(const ScriptInterface& iface, const std::vector<std::string>& words) {
  return ArgParser(iface, words).run();
}

std::string script_help(const ScriptInterface& iface) {
  std::string out = usage_text(iface);
  if (!iface.description.empty()) {
    out += "\n";
    for (const auto& l : wrap_words(iface.description, kWidth)) out += l + "\n";
  }
  bool any_positional = std::any_of(iface.options.begin(), iface.options.end(),
                                    [](const ScriptOption& o) { return o.positional(); });
  if (any_positional) {
    out += "\npositional arguments:\n";
    for (const auto& o : iface.options) {
      if (!o.positional()) continue;
      std::string note = type_note(o);
      help_entry(out, invocation(o), o.help + (note.empty() ? "" : " " + note));
    }
  }
  out += "\noptional arguments:\n";
  help_entry(out, "-h, --help", "show this help message and exit");
  for (const auto& o : iface.options) {
    if (o.positional()) continue;
    std::string note = type_note(o);
    help_entry(out, invocation(o), o.help + (note.empty() ? "" : " " + note));
  }
  if (!iface.epilog.empty()) out += "\n" + iface.epilog + (iface.epilog.back() == '\n' ? "" : "\n");
  return out;
}

}  // namespace ms
