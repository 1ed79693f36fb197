// --in-process: the native x86-64 module codegen builds next to the BPF
// object (no kernel, no privilege): it verifies, is emitted as an x86-64
// relocatable object with the agent's interface, and scripts that cannot run
// in-process get located errors.
#include <elf.h>

#include <cstring>
#include <set>

#include "codegen_test_support.h"

namespace ms::test {
namespace {

CompileOptions in_process() {
  CompileOptions o;
  o.in_process = true;
  return o;
}

// The names in the object's symbol table, split into defined and undefined.
void symbols(const std::vector<uint8_t>& obj, std::set<std::string>& defined, std::set<std::string>& undefined) {
  Elf64_Ehdr eh;
  ASSERT_GE(obj.size(), sizeof eh);
  std::memcpy(&eh, obj.data(), sizeof eh);
  auto shdr = [&](size_t i) {
    Elf64_Shdr sh;
    std::memcpy(&sh, obj.data() + eh.e_shoff + i * sizeof(Elf64_Shdr), sizeof sh);
    return sh;
  };
  for (size_t i = 0; i < eh.e_shnum; ++i) {
    Elf64_Shdr sh = shdr(i);
    if (sh.sh_type != SHT_SYMTAB) continue;
    Elf64_Shdr strtab = shdr(sh.sh_link);
    for (size_t off = 0; off + sizeof(Elf64_Sym) <= sh.sh_size; off += sizeof(Elf64_Sym)) {
      Elf64_Sym sym;
      std::memcpy(&sym, obj.data() + sh.sh_offset + off, sizeof sym);
      std::string name(reinterpret_cast<const char*>(obj.data() + strtab.sh_offset + sym.st_name));
      if (name.empty()) continue;
      (sym.st_shndx == SHN_UNDEF ? undefined : defined).insert(name);
    }
  }
}

TEST(CodegenNative, UprobesBecomeAnX8664ObjectWithTheAgentInterface) {
  auto c = compile_script(
      "uprobe:libc:malloc { @sizes[arg0] = count(); @last[tid] = arg0; }\n"
      "uretprobe:libc:malloc { @ret[retval] = (nsecs, ustack); printf(\"%d\\n\", pid); }\n"
      "interval:s:1 { print(@sizes); }\n",
      in_process());
  ASSERT_TRUE(c.result) << c.errors();
  const CompileResult& r = *c.result;
  ASSERT_FALSE(r.native_object.empty());
  Elf64_Ehdr eh;
  std::memcpy(&eh, r.native_object.data(), sizeof eh);
  EXPECT_EQ(eh.e_machine, EM_X86_64);
  EXPECT_EQ(eh.e_type, ET_REL);
  std::set<std::string> defined, undefined;
  symbols(r.native_object, defined, undefined);
  EXPECT_TRUE(defined.count("ms_inproc_probes"));
  EXPECT_TRUE(defined.count("ms_inproc_probe_count"));
  // BPF helpers became calls into the agent; no BPF-only section survives.
  EXPECT_TRUE(undefined.count("ms_rt_helper_map_lookup_elem"));
  EXPECT_TRUE(undefined.count("ms_rt_helper_get_stack"));
  EXPECT_TRUE(undefined.count("ms_rt_helper_ringbuf_output") || undefined.count("ms_rt_helper_ringbuf_reserve"));
  EXPECT_FALSE(elf_section(r.native_object, ".maps"));
  EXPECT_FALSE(elf_section(r.native_object, ".BTF"));
  EXPECT_FALSE(elf_section(r.native_object, "license"));

  // Which probes run where, and which maps moved to the shared memory.
  int in_proc = 0;
  for (const auto& p : r.manifest.probes) {
    if (p.type == manifest::ProbeType::Interval) EXPECT_FALSE(p.in_process);
    else EXPECT_TRUE(p.in_process) << p.display;
    in_proc += p.in_process;
  }
  EXPECT_EQ(in_proc, 2);
  std::set<std::string> shared;
  for (const auto& m : r.manifest.in_process_maps) shared.insert(m.elf_name);
  for (const auto& m : r.manifest.maps) {
    EXPECT_TRUE(m.in_process) << m.name;
    EXPECT_TRUE(shared.count(m.elf_name)) << m.name;
  }
  EXPECT_TRUE(shared.count(r.manifest.stacks_elf_name));
  EXPECT_TRUE(shared.count(r.manifest.ringbuf_elf_name));
  // The BPF object is unchanged for the kernel: it still opens.
  EXPECT_TRUE(open_elf(r.elf));
}

TEST(CodegenNative, SharedPerCpuSlotsAreUpdatedAtomically) {
  // Threads share one slot of a per-CPU value in the command: count() and
  // sum() must not lose updates, so their read-modify-write is one atomic add.
  CompileOptions o = in_process();
  o.want_ir = true;
  auto c = compile_script("uprobe:libc:malloc { @c = count(); @s[tid] = sum(arg0); @a = avg(arg0); }\n", o);
  ASSERT_TRUE(c.result) << c.errors();
  const std::string& ir = c.result->native_ir;
  size_t atomics = 0;
  for (size_t at = ir.find("atomicrmw add"); at != std::string::npos; at = ir.find("atomicrmw add", at + 1)) ++atomics;
  EXPECT_GE(atomics, 4u) << ir;  // count, sum, avg's sum and count
  EXPECT_EQ(c.result->ir.find("atomicrmw"), std::string::npos);  // the BPF programs keep plain per-CPU adds
}

TEST(CodegenNative, WithoutInProcessNothingNative) {
  auto c = compile_script("uprobe:libc:malloc { @n = count(); }\n");
  ASSERT_TRUE(c.result) << c.errors();
  EXPECT_TRUE(c.result->native_object.empty());
  EXPECT_FALSE(c.result->manifest.probes[0].in_process);
}

TEST(CodegenNative, AMapSharedWithAKernelProbeIsRefusedAtTheKernelProbe) {
  auto c = compile_script(
      "uprobe:libc:malloc { @n = count(); }\n"
      "tracepoint:syscalls:sys_enter_brk { @n = count(); }\n",
      in_process());
  EXPECT_FALSE(c.result);
  EXPECT_NE(c.errors().find("test.ms:2:1: error: map @n is used both by in-process probes and by the kernel probe "
                            "tracepoint:syscalls:sys_enter_brk: not supported in-process"),
            std::string::npos)
      << c.errors();
}

TEST(CodegenNative, FunctionsTheAgentDoesNotInterposeAreRefused) {
  auto c = compile_script("uprobe:libc:strlen { @n = count(); }\n", in_process());
  EXPECT_FALSE(c.result);
  EXPECT_NE(c.errors().find("test.ms:1:1: error: probe uprobe:libc:strlen cannot run in-process"), std::string::npos)
      << c.errors();
  EXPECT_NE(c.errors().find("run without --in-process"), std::string::npos) << c.errors();
  auto w = compile_script("uprobe:libc:*alloc { @n = count(); }\n", in_process());
  EXPECT_FALSE(w.result);
  EXPECT_NE(w.errors().find("wildcards and addresses need kernel uprobes"), std::string::npos) << w.errors();
}

TEST(CodegenNative, KernelOnlyHelpersAreRefusedAtTheProbe) {
  auto c = compile_script("uprobe:libc:malloc { @[kstack] = count(); }\n", in_process());
  EXPECT_FALSE(c.result);
  EXPECT_NE(c.errors().find("test.ms:1:1: error: probe uprobe:libc:malloc uses"), std::string::npos) << c.errors();
}

}  // namespace
}  // namespace ms::test
