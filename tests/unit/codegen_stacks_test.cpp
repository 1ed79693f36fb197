// The stack store in the manifest and the ELF: maps, sizes, field kinds.
#include <bpf/bpf.h>
#include <linux/bpf.h>

#include "codegen_test_support.h"

namespace ms::test {
namespace {

TEST(CodegenStacks, StackStoreMapsMatchTheManifest) {
  CompileOptions opts;
  opts.stack_map_entries = 777;
  auto c = compile_script(
      "uprobe:/lib/x86_64-linux-gnu/libc.so.6:malloc { @[ustack(perf, 3), kstack] = count(); @s = usym(arg0); }", opts);
  ASSERT_TRUE(c.result) << c.errors();
  const auto& m = c.result->manifest;
  EXPECT_EQ(m.stacks_elf_name, "stacks");
  EXPECT_EQ(m.stack_map_entries, 777u);
  BpfObject obj = open_elf(c.result->elf);
  ASSERT_TRUE(obj);
  bpf_map* store = bpf_object__find_map_by_name(obj.get(), m.stacks_elf_name.c_str());
  ASSERT_TRUE(store);
  EXPECT_EQ(bpf_map__type(store), BPF_MAP_TYPE_HASH);
  EXPECT_EQ(bpf_map__key_size(store), 8u);
  EXPECT_EQ(bpf_map__value_size(store), manifest::kStackRecordWords * 8);
  EXPECT_EQ(bpf_map__max_entries(store), 777u);
  EXPECT_EQ(bpf_map__map_flags(store) & BPF_F_NO_PREALLOC, static_cast<unsigned>(BPF_F_NO_PREALLOC));
  bpf_map* errors = bpf_object__find_map_by_name(obj.get(), m.stack_errors_elf_name.c_str());
  ASSERT_TRUE(errors);
  EXPECT_EQ(bpf_map__type(errors), BPF_MAP_TYPE_PERCPU_ARRAY);
  EXPECT_EQ(bpf_map__max_entries(errors), static_cast<uint32_t>(manifest::StackError::Count));
  bpf_map* scratch = bpf_object__find_map_by_name(obj.get(), m.stack_scratch_elf_name.c_str());
  ASSERT_TRUE(scratch);
  EXPECT_EQ(bpf_map__type(scratch), BPF_MAP_TYPE_PERCPU_ARRAY);
  // The record and the BPF-side walk's frame count.
  EXPECT_EQ(bpf_map__value_size(scratch), manifest::kStackRecordWords * 8 + 8);

  const manifest::MapDesc* at = m.find_map("@");
  ASSERT_TRUE(at);
  ASSERT_EQ(at->key.size(), 2u);
  EXPECT_EQ(at->key[0].kind, manifest::FieldKind::UserStack);
  EXPECT_EQ(at->key[0].stack_limit, 3u);
  EXPECT_TRUE(at->key[0].stack_perf);
  EXPECT_EQ(at->key[1].kind, manifest::FieldKind::KernelStack);
  EXPECT_EQ(at->key[1].stack_limit, 127u);
  EXPECT_EQ(at->key[1].offset, 8u);
  const manifest::MapDesc* s = m.find_map("@s");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->value.kind, manifest::FieldKind::UserSymbol);
  EXPECT_EQ(s->value_size, 16u);  // address and pid
}

// ustack in a uprobe or uretprobe walks the frame pointers in BPF (bpf_loop
// with one step function per frame limit); kstack, ustack at a tracepoint
// (no user registers in ctx) and MEMSCRIPT_STACK_WALK=kernel use bpf_get_stack.
TEST(CodegenStacks, UserStacksInUprobesAreWalkedInBpf) {
  const std::string bpf_loop = "inttoptr (i64 181 to ptr)";
  const std::string get_stack = "inttoptr (i64 67 to ptr)";
  CompileOptions opts;
  opts.want_ir = true;
  auto c = compile_script(
      "uprobe:/lib/x86_64-linux-gnu/libc.so.6:malloc { @a[ustack] = count(); }"
      "uretprobe:/lib/x86_64-linux-gnu/libc.so.6:malloc { @b[ustack(5)] = count(); }",
      opts);
  ASSERT_TRUE(c.result) << c.errors();
  const std::string& ir = c.result->ir;
  EXPECT_NE(ir.find(bpf_loop), std::string::npos);
  EXPECT_NE(ir.find(" @ms_fp_step_127(i64 %index, ptr"), std::string::npos);
  EXPECT_NE(ir.find(" @ms_fp_step_5(i64 %index, ptr"), std::string::npos);
  EXPECT_NE(ir.find("@ms_stack_u127_entry_fp("), std::string::npos);
  // Kept only for a stack that meets a pending uretprobe's trampoline.
  EXPECT_NE(ir.find(get_stack), std::string::npos);
  BpfObject obj = open_elf(c.result->elf);
  EXPECT_TRUE(obj);

  auto k = compile_script("tracepoint:syscalls:sys_enter_brk { @[ustack, kstack] = count(); }", opts);
  ASSERT_TRUE(k.result) << k.errors();
  EXPECT_EQ(k.result->ir.find(bpf_loop), std::string::npos);
  EXPECT_NE(k.result->ir.find(get_stack), std::string::npos);

  opts.bpf_stack_walk = false;
  auto off = compile_script("uprobe:/lib/x86_64-linux-gnu/libc.so.6:malloc { @a[ustack] = count(); }", opts);
  ASSERT_TRUE(off.result) << off.errors();
  EXPECT_EQ(off.result->ir.find(bpf_loop), std::string::npos);
  EXPECT_EQ(off.result->ir.find("ms_fp_step"), std::string::npos);
}

TEST(CodegenStacks, NoStackNoStore) {
  auto c = compile_script("uprobe:/lib/x86_64-linux-gnu/libc.so.6:malloc { @ = count(); }");
  ASSERT_TRUE(c.result) << c.errors();
  EXPECT_EQ(c.result->manifest.stacks_elf_name, "");
}

}  // namespace
}  // namespace ms::test
