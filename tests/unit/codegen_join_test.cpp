// join() and strftime() in the manifest: the layouts the runtime decodes.
#include "codegen_test_support.h"

namespace ms::test {
namespace {

TEST(CodegenJoin, EventLayout) {
  auto c = compile_script("uprobe:/bin/sh:main { join(arg1, \", \"); join(arg1) }");
  ASSERT_TRUE(c.result) << c.errors();
  const auto& events = c.result->manifest.events;
  ASSERT_EQ(events.size(), 2u);
  for (const auto& e : events) {
    EXPECT_EQ(e.kind, manifest::EventKind::Join);
    ASSERT_EQ(e.args.size(), 1 + manifest::kJoinElements);
    EXPECT_EQ(e.args[0].kind, manifest::FieldKind::Integer);
    EXPECT_EQ(e.args[0].offset, 8u);
    for (uint32_t i = 0; i < manifest::kJoinElements; ++i) {
      EXPECT_EQ(e.args[1 + i].kind, manifest::FieldKind::String);
      EXPECT_EQ(e.args[1 + i].offset, 16 + i * manifest::kJoinElementSize);
      EXPECT_EQ(e.args[1 + i].size, manifest::kJoinElementSize);
    }
    EXPECT_EQ(e.size, 16 + manifest::kJoinElements * manifest::kJoinElementSize);
  }
  EXPECT_EQ(events[0].format, ", ");
  EXPECT_EQ(events[1].format, " ");
  EXPECT_TRUE(open_elf(c.result->elf));
}

TEST(CodegenJoin, StrftimeInATuple) {
  auto c = compile_script("BEGIN { @v = (1, strftime(\"%Y\", 0)) }");
  ASSERT_TRUE(c.result) << c.errors();
  const auto* m = c.result->manifest.find_map("@v");
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->value.kind, manifest::FieldKind::Tuple);
  ASSERT_EQ(m->value.elements.size(), 2u);
  EXPECT_EQ(m->value.elements[0].kind, manifest::FieldKind::Integer);
  EXPECT_EQ(m->value.elements[1].kind, manifest::FieldKind::Timestamp);
  EXPECT_EQ(m->value.elements[1].format, "%Y");
  EXPECT_EQ(m->value.elements[1].offset, 8u);
}

TEST(CodegenJoin, StrftimeFieldsCarryTheirFormat) {
  auto c = compile_script("BEGIN { @t[strftime(\"%Y\", 0)] = strftime(\"%H:%M\", nsecs); printf(\"%s\\n\", strftime(\"%f\", nsecs)) }");
  ASSERT_TRUE(c.result) << c.errors();
  const auto* m = c.result->manifest.find_map("@t");
  ASSERT_NE(m, nullptr);
  ASSERT_EQ(m->key.size(), 1u);
  EXPECT_EQ(m->key[0].kind, manifest::FieldKind::Timestamp);
  EXPECT_EQ(m->key[0].format, "%Y");
  EXPECT_EQ(m->key[0].size, 8u);
  EXPECT_EQ(m->value.kind, manifest::FieldKind::Timestamp);
  EXPECT_EQ(m->value.format, "%H:%M");
  ASSERT_EQ(c.result->manifest.events.size(), 1u);
  ASSERT_EQ(c.result->manifest.events[0].args.size(), 1u);
  EXPECT_EQ(c.result->manifest.events[0].args[0].kind, manifest::FieldKind::Timestamp);
  EXPECT_EQ(c.result->manifest.events[0].args[0].format, "%f");
  EXPECT_NE(manifest::to_text(c.result->manifest).find("timestamp(%H:%M)8@0"), std::string::npos)
      << manifest::to_text(c.result->manifest);
}

}  // namespace
}  // namespace ms::test
