// The options memleak's guard rails rest on: the percent type, and the
// options-block trigger items with their located errors.
#include <gtest/gtest.h>

#include "common/diagnostics.h"
#include "parser/parse.h"
#include "parser/script_options.h"

using namespace ms;

namespace {

struct Declared {
  std::unique_ptr<ast::Program> program;
  std::optional<ScriptInterface> iface;
  std::string errors;
};

Declared declare(const std::string& src) {
  Declared d;
  Diagnostics diags("t.ms", src);
  d.program = parse(diags);
  if (d.program) d.iface = script_interface(*d.program, diags, "t.ms");
  d.errors = diags.render();
  return d;
}

std::optional<OptionValue> percent(const std::string& text, std::string& err) {
  ScriptOption o;
  o.type = OptionType::Percent;
  return parse_option_value(o, text, err);
}

}  // namespace

TEST(GuardOptions, PercentIsPartsPerMillion) {
  std::string err;
  EXPECT_EQ(percent("5%", err)->number, 50000);
  EXPECT_EQ(percent("5", err)->number, 50000);
  EXPECT_EQ(percent("0.5%", err)->number, 5000);
  EXPECT_EQ(percent("0.01%", err)->number, 100);
  EXPECT_EQ(percent("100%", err)->number, 1000000);
  EXPECT_EQ(percent("5%", err)->text, "5%");
  for (const char* bad : {"5x", "-1%", "101%", "%", "", "five"}) {
    EXPECT_FALSE(percent(bad, err)) << bad;
    EXPECT_EQ(err, std::string("'") + bad + "' is not a percentage (from 0% to 100%, e.g. 5% or 0.5%)");
  }
}

TEST(GuardOptions, TriggerItemsNameTheirOptions) {
  auto d = declare(
      "options {\n  rss: size --rss \"grow by\"\n  rate: string = \"\" --rate \"grow at\"\n"
      "  trigger_rss_growth rss\n  trigger_growth_rate rate\n}\nBEGIN { exit(); }\n");
  ASSERT_EQ(d.errors, "");
  EXPECT_EQ(d.iface->trigger_rss_growth_option, "rss");
  EXPECT_EQ(d.iface->trigger_growth_rate_option, "rate");
}

TEST(GuardOptions, TriggerItemErrorsAreLocated) {
  auto d = declare(
      "options {\n  rate: int --rate \"grow at\"\n  trigger_growth_rate rate\n  trigger_rss_growth nothing\n}\n"
      "BEGIN { exit(); }\n");
  EXPECT_EQ(d.errors,
            "t.ms:3:23: error: trigger_growth_rate names option 'rate', which is not a string (a rate such as 5M/min)\n"
            "  trigger_growth_rate rate\n"
            "                      ^~~~\n"
            "hint: e.g. trigger_rate: string = \"\" --trigger-growth-rate ... then trigger_growth_rate trigger_rate\n"
            "t.ms:4:22: error: trigger_rss_growth names no option 'nothing'; it needs a size\n"
            "  trigger_rss_growth nothing\n"
            "                     ^~~~~~~\n"
            "hint: e.g. trigger_rss: size --trigger-rss-growth ... then trigger_rss_growth trigger_rss\n");
}
