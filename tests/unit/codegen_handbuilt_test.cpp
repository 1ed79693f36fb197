// Constructs the front end does not accept yet (string comparison), compiled
// from a hand-built checked AST, plus `elapsed` through the real front end.
#include <unistd.h>

#include <cstdlib>

#include "codegen_test_support.h"

namespace ms::test {
namespace {

Location at(int line, int col) { return {line, col, line, col + 1}; }

struct HandBuilt {
  ast::Program program;
  SemanticInfo info;

  template <typename T>
  T* typed(std::unique_ptr<T>& e, Type t) {
    info.types[e.get()] = t;
    return e.get();
  }
  ast::ExprPtr str(const std::string& s, int col) {
    auto e = std::make_unique<ast::String>(s, at(2, col));
    info.types[e.get()] = Type::string(static_cast<uint32_t>(s.size()) + 1);
    return e;
  }
  std::unique_ptr<ast::Map> map(const std::string& name) {
    auto m = std::make_unique<ast::Map>(name, std::vector<ast::ExprPtr>{}, at(2, 1));
    info.types[m.get()] = Type::integer();
    info.maps[name] = MapInfo{name, {}, Type::integer(), at(2, 1)};
    return m;
  }
};

// uprobe:/bin/true:main { @eq = comm == "true"; @ne = "ab" != "abc"; }
std::unique_ptr<HandBuilt> string_compare_program() {
  auto hb = std::make_unique<HandBuilt>();
  auto probe = std::make_unique<ast::Probe>();
  probe->loc = at(1, 1);
  probe->attach_points.push_back({"uprobe:/bin/true:main", "uprobe", {"/bin/true", "main"}, at(1, 1)});

  auto comm = std::make_unique<ast::Builtin>("comm", at(2, 7));
  hb->info.types[comm.get()] = Type::string(kCommSize);
  ast::ExprPtr eq = std::make_unique<ast::Binop>(ast::BinaryOp::Eq, std::move(comm), hb->str("true", 15), at(2, 7));
  hb->info.types[eq.get()] = Type::integer();
  probe->body.push_back(std::make_unique<ast::AssignMap>(hb->map("@eq"), std::move(eq), at(2, 1)));

  ast::ExprPtr ne = std::make_unique<ast::Binop>(ast::BinaryOp::Ne, hb->str("ab", 30), hb->str("abc", 37), at(2, 30));
  hb->info.types[ne.get()] = Type::integer();
  probe->body.push_back(std::make_unique<ast::AssignMap>(hb->map("@ne"), std::move(ne), at(2, 25)));
  hb->program.probes.push_back(std::move(probe));
  return hb;
}

TEST(CodegenHandBuilt, StringComparisonCompilesAndLoads) {
  auto hb = string_compare_program();
  Diagnostics diags("test.ms", "uprobe:/bin/true:main {\n@eq = comm == \"true\"; @ne = \"ab\" != \"abc\"; }\n");
  CompileOptions opts;
  opts.want_ir = true;
  auto r = compile(hb->program, hb->info, diags, opts);
  ASSERT_TRUE(r) << diags.render();
  // The unrolled compare stops at the shared NUL or the first difference.
  EXPECT_NE(r->ir.find("icmp"), std::string::npos);
  BpfObject obj = open_elf(r->elf);
  ASSERT_TRUE(obj);
  if (geteuid() != 0) {
    const char* req = std::getenv("MEMSCRIPT_REQUIRE_BPF");
    if (req && std::string(req) == "1") FAIL() << "MEMSCRIPT_REQUIRE_BPF=1 but not running as root";
    GTEST_SKIP() << "loading needs root";
  }
  EXPECT_EQ(bpf_object__load(obj.get()), 0);
}

TEST(CodegenHandBuilt, MissingTypeIsAnInternalErrorNotACrash) {
  auto hb = string_compare_program();
  hb->info.types.clear();
  Diagnostics diags("test.ms", "x\n");
  auto r = compile(hb->program, hb->info, diags);
  EXPECT_FALSE(r);
  ASSERT_TRUE(diags.has_errors());
  EXPECT_NE(diags.all()[0].message.find("internal error"), std::string::npos) << diags.render();
}

TEST(CodegenElapsed, StartTimeMapIsDeclaredInTheManifest) {
  auto plain = compile_script("BEGIN { @x = nsecs; }");
  ASSERT_TRUE(plain.result) << plain.errors();
  EXPECT_TRUE(plain.result->manifest.start_time_elf_name.empty());

  auto c = compile_script("BEGIN { @e = elapsed; printf(\"%d\\n\", elapsed); }");
  ASSERT_TRUE(c.result) << c.errors();
  const auto& m = c.result->manifest;
  EXPECT_EQ(m.start_time_elf_name, "start_time");
  EXPECT_EQ(m.find_map("@e") != nullptr, true);
  EXPECT_EQ(m.maps.size(), 1u);  // the start-time map is not a script map
  BpfObject obj = open_elf(c.result->elf);
  ASSERT_TRUE(obj);
  bpf_map* st = bpf_object__find_map_by_name(obj.get(), "start_time");
  ASSERT_NE(st, nullptr);
  EXPECT_EQ(bpf_map__type(st), BPF_MAP_TYPE_ARRAY);
  EXPECT_EQ(bpf_map__max_entries(st), 1u);
  EXPECT_EQ(bpf_map__key_size(st), 4u);
  EXPECT_EQ(bpf_map__value_size(st), 8u);
  if (geteuid() == 0) EXPECT_EQ(bpf_object__load(obj.get()), 0);
}

}  // namespace
}  // namespace ms::test
