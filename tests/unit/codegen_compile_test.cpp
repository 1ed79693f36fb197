// Compile scripts, open the ELF with libbpf (no kernel), check the object and
// the manifest against each other.
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <linux/bpf.h>
#include <unistd.h>

#include <sstream>

#include "codegen_test_support.h"

namespace ms::test {
namespace {

using manifest::AggKind;
using manifest::EventKind;
using manifest::FieldKind;
using manifest::ProbeType;

// Every manifest map and probe must exist in the object as described.
void expect_object_matches_manifest(const CompileResult& r) {
  BpfObject obj = open_elf(r.elf);
  ASSERT_TRUE(obj) << "bpf_object__open_mem failed: errno " << errno;
  for (const auto& m : r.manifest.maps) {
    bpf_map* map = bpf_object__find_map_by_name(obj.get(), m.elf_name.c_str());
    ASSERT_NE(map, nullptr) << m.elf_name;
    if (m.lru)
      EXPECT_EQ(bpf_map__type(map), m.percpu ? BPF_MAP_TYPE_LRU_PERCPU_HASH : BPF_MAP_TYPE_LRU_HASH) << m.name;
    else
      EXPECT_EQ(bpf_map__type(map), m.percpu ? BPF_MAP_TYPE_PERCPU_HASH : BPF_MAP_TYPE_HASH) << m.name;
    // LRU maps cannot skip preallocation; hash maps always do.
    EXPECT_EQ(bpf_map__map_flags(map), m.lru ? 0u : static_cast<uint32_t>(BPF_F_NO_PREALLOC)) << m.name;
    EXPECT_EQ(bpf_map__key_size(map), m.key_size) << m.name;
    EXPECT_EQ(bpf_map__value_size(map), m.value_size) << m.name;
    EXPECT_EQ(bpf_map__max_entries(map), m.max_entries) << m.name;
  }
  bpf_map* rb = bpf_object__find_map_by_name(obj.get(), r.manifest.ringbuf_elf_name.c_str());
  ASSERT_NE(rb, nullptr);
  EXPECT_EQ(bpf_map__type(rb), BPF_MAP_TYPE_RINGBUF);
  EXPECT_EQ(bpf_map__max_entries(rb), r.manifest.ringbuf_size);

  for (const auto& p : r.manifest.probes) {
    EXPECT_LE(p.prog_name.size(), 15u) << p.prog_name;
    bpf_program* prog = bpf_object__find_program_by_name(obj.get(), p.prog_name.c_str());
    ASSERT_NE(prog, nullptr) << p.prog_name;
    std::string section = bpf_program__section_name(prog);
    switch (p.type) {
      case ProbeType::Begin:
      case ProbeType::End:
      case ProbeType::Uprobe:
        EXPECT_EQ(section, "uprobe");
        EXPECT_EQ(bpf_program__type(prog), BPF_PROG_TYPE_KPROBE);
        break;
      case ProbeType::Uretprobe:
        EXPECT_EQ(section, "uretprobe");
        EXPECT_EQ(bpf_program__type(prog), BPF_PROG_TYPE_KPROBE);
        break;
      case ProbeType::Tracepoint:
        EXPECT_EQ(section, "tracepoint/" + p.target + "/" + p.func);
        EXPECT_EQ(bpf_program__type(prog), BPF_PROG_TYPE_TRACEPOINT);
        break;
      case ProbeType::Interval:
      case ProbeType::Profile:
      case ProbeType::Software:
        EXPECT_EQ(section, "perf_event");
        EXPECT_EQ(bpf_program__type(prog), BPF_PROG_TYPE_PERF_EVENT);
        break;
      case ProbeType::RawTracepoint:
        EXPECT_EQ(section, "raw_tracepoint/" + p.func);
        EXPECT_EQ(bpf_program__type(prog), BPF_PROG_TYPE_RAW_TRACEPOINT);
        break;
    }
  }
  for (size_t i = 0; i < r.manifest.events.size(); ++i) EXPECT_EQ(r.manifest.events[i].id, i);

  auto license = elf_section(r.elf, "license");
  ASSERT_TRUE(license);
  EXPECT_EQ(std::string(license->c_str()), "GPL");
}

const CompileResult& ok(const Compiled& c) {
  if (!c.result) ADD_FAILURE() << "compile failed:\n" << c.errors();
  static const CompileResult empty;
  return c.result ? *c.result : empty;
}

TEST(CodegenCompile, CountAndPrintfOnUprobe) {
  auto c = compile_script(
      "uprobe:/lib/x86_64-linux-gnu/libc.so.6:malloc /arg0 > 100/ {\n"
      "  @calls[comm] = count();\n"
      "  printf(\"%s asked %d\\n\", comm, arg0);\n"
      "}\n");
  const auto& r = ok(c);
  ASSERT_TRUE(c.result);
  ASSERT_EQ(r.manifest.probes.size(), 1u);
  const auto& p = r.manifest.probes[0];
  EXPECT_EQ(p.type, ProbeType::Uprobe);
  EXPECT_EQ(p.prog_name, "p0_malloc");
  EXPECT_EQ(p.target, "/lib/x86_64-linux-gnu/libc.so.6");
  EXPECT_EQ(p.func, "malloc");
  EXPECT_EQ(p.line, 1);

  const auto* m = r.manifest.find_map("@calls");
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->elf_name, "m_calls");
  EXPECT_TRUE(m->percpu);
  EXPECT_EQ(m->agg, AggKind::Count);
  ASSERT_EQ(m->key.size(), 1u);
  EXPECT_EQ(m->key[0].kind, FieldKind::String);
  EXPECT_EQ(m->key[0].size, 16u);
  EXPECT_EQ(m->key_size, 16u);
  EXPECT_EQ(m->value_size, 8u);
  EXPECT_EQ(m->max_entries, 4096u);

  ASSERT_EQ(r.manifest.events.size(), 1u);
  const auto& e = r.manifest.events[0];
  EXPECT_EQ(e.kind, EventKind::Printf);
  EXPECT_EQ(e.format, "%s asked %d\n");
  EXPECT_EQ(e.line, 3);
  ASSERT_EQ(e.args.size(), 2u);
  EXPECT_EQ(e.args[0].kind, FieldKind::String);
  EXPECT_EQ(e.args[0].offset, 8u);
  EXPECT_EQ(e.args[0].size, 16u);
  EXPECT_EQ(e.args[1].kind, FieldKind::Integer);
  EXPECT_EQ(e.args[1].offset, 24u);
  EXPECT_EQ(e.args[1].size, 8u);
  EXPECT_FALSE(e.args[1].is_signed);  // arg0 is unsigned
  EXPECT_EQ(e.size, 32u);
  expect_object_matches_manifest(r);
}

TEST(CodegenCompile, AggregationAndValueLayouts) {
  auto c = compile_script(
      "BEGIN { @n = count(); @s = sum(5); @mn = min(9); @mx = max(-2); @a = avg(10);\n"
      "        @k[1, \"x\"] = 3; @v[pid] = \"hello\"; @ = count(); exit(); }\n");
  const auto& r = ok(c);
  ASSERT_TRUE(c.result);
  struct Want {
    const char* name;
    const char* elf;
    AggKind agg;
    uint32_t value_size;
  };
  for (const Want& w : {Want{"@n", "m_n", AggKind::Count, 8}, Want{"@s", "m_s", AggKind::Sum, 8},
                        Want{"@mn", "m_mn", AggKind::Min, 16}, Want{"@mx", "m_mx", AggKind::Max, 16},
                        Want{"@a", "m_a", AggKind::Avg, 16}, Want{"@", "m_", AggKind::Count, 8}}) {
    const auto* m = r.manifest.find_map(w.name);
    ASSERT_NE(m, nullptr) << w.name;
    EXPECT_EQ(m->elf_name, w.elf);
    EXPECT_EQ(m->agg, w.agg) << w.name;
    EXPECT_TRUE(m->percpu) << w.name;
    EXPECT_EQ(m->value_size, w.value_size) << w.name;
    EXPECT_TRUE(m->key.empty()) << w.name;
    EXPECT_EQ(m->key_size, 8u) << w.name;
  }
  const auto* k = r.manifest.find_map("@k");
  ASSERT_NE(k, nullptr);
  EXPECT_FALSE(k->percpu);
  EXPECT_EQ(k->agg, AggKind::None);
  ASSERT_EQ(k->key.size(), 2u);
  EXPECT_EQ(k->key[0].kind, FieldKind::Integer);
  EXPECT_EQ(k->key[0].offset, 0u);
  EXPECT_EQ(k->key[1].kind, FieldKind::String);
  EXPECT_EQ(k->key[1].offset, 8u);
  EXPECT_EQ(k->key_size % 8, 0u);
  EXPECT_GE(k->key_size, 8u + k->key[1].size);
  EXPECT_EQ(k->value.kind, FieldKind::Integer);

  const auto* v = r.manifest.find_map("@v");
  ASSERT_NE(v, nullptr);
  EXPECT_EQ(v->value.kind, FieldKind::String);
  EXPECT_EQ(v->value_size, v->value.size);
  EXPECT_GE(v->value.size, 6u);

  ASSERT_EQ(r.manifest.probes.size(), 1u);
  EXPECT_EQ(r.manifest.probes[0].type, ProbeType::Begin);
  EXPECT_EQ(r.manifest.probes[0].prog_name, "p0_BEGIN");
  ASSERT_EQ(r.manifest.events.size(), 1u);
  EXPECT_EQ(r.manifest.events[0].kind, EventKind::Exit);
  EXPECT_EQ(r.manifest.events[0].size, 8u);
  expect_object_matches_manifest(r);
}

TEST(CodegenCompile, PerfEventAndRawTracepointProbes) {
  auto c = compile_script(
      "profile:hz:99 { @p = count(); }\n"
      "profile:ms:10 { @q = count(); }\n"
      "software:page-faults:100 { @f = count(); }\n"
      "software:faults { @g = count(); }\n"
      "rawtracepoint:sched_switch { @s = count(); }\n");
  const auto& r = ok(c);
  ASSERT_TRUE(c.result);
  ASSERT_EQ(r.manifest.probes.size(), 5u);
  const auto& ps = r.manifest.probes;
  EXPECT_EQ(ps[0].type, ProbeType::Profile);
  EXPECT_TRUE(ps[0].frequency);
  EXPECT_EQ(ps[0].period, 99u);
  EXPECT_EQ(ps[1].type, ProbeType::Profile);
  EXPECT_FALSE(ps[1].frequency);
  EXPECT_EQ(ps[1].period, 10'000'000u);
  EXPECT_EQ(ps[2].type, ProbeType::Software);
  EXPECT_EQ(ps[2].func, "page-faults");
  EXPECT_EQ(ps[2].period, 100u);
  EXPECT_EQ(ps[3].func, "faults");
  EXPECT_EQ(ps[3].period, 100u);  // bpftrace's default count for page faults
  EXPECT_EQ(ps[4].type, ProbeType::RawTracepoint);
  EXPECT_EQ(ps[4].func, "sched_switch");
  expect_object_matches_manifest(r);
}

TEST(CodegenCompile, EveryAttachPointGetsAProgramAndEventsAreShared) {
  auto c = compile_script(
      "uprobe:/bin/true:main, uretprobe:/bin/true:main { @x = count(); printf(\"hi\\n\"); }\n"
      "tracepoint:syscalls:sys_enter_getppid { @t[tid] = sum(1); }\n"
      "interval:ms:100 { print(@x); clear(@t); }\n"
      "interval:hz:4 { @h = count(); }\n"
      "END { print(@t); }\n");
  const auto& r = ok(c);
  ASSERT_TRUE(c.result);
  ASSERT_EQ(r.manifest.probes.size(), 6u);
  const auto& ps = r.manifest.probes;
  EXPECT_EQ(ps[0].prog_name, "p0_main");
  EXPECT_EQ(ps[0].type, ProbeType::Uprobe);
  EXPECT_EQ(ps[1].prog_name, "p1_main");
  EXPECT_EQ(ps[1].type, ProbeType::Uretprobe);
  EXPECT_EQ(ps[1].display, "uretprobe:/bin/true:main");
  EXPECT_EQ(ps[2].type, ProbeType::Tracepoint);
  EXPECT_EQ(ps[2].target, "syscalls");
  EXPECT_EQ(ps[2].func, "sys_enter_getppid");
  EXPECT_EQ(ps[2].line, 2);
  EXPECT_EQ(ps[3].type, ProbeType::Interval);
  EXPECT_EQ(ps[3].interval_ns, 100'000'000u);
  EXPECT_EQ(ps[4].interval_ns, 250'000'000u);
  EXPECT_EQ(ps[5].type, ProbeType::End);

  // printf in a probe with two attach points is still one event.
  ASSERT_EQ(r.manifest.events.size(), 4u);
  EXPECT_EQ(r.manifest.events[0].kind, EventKind::Printf);
  const auto& maps = r.manifest.maps;
  auto index_of = [&](const std::string& name) {
    for (size_t i = 0; i < maps.size(); ++i)
      if (maps[i].name == name) return static_cast<int>(i);
    return -1;
  };
  EXPECT_EQ(r.manifest.events[1].kind, EventKind::Print);
  EXPECT_EQ(r.manifest.events[1].map_index, index_of("@x"));
  EXPECT_EQ(r.manifest.events[1].line, 3);
  EXPECT_EQ(r.manifest.events[2].kind, EventKind::Clear);
  EXPECT_EQ(r.manifest.events[2].map_index, index_of("@t"));
  EXPECT_EQ(r.manifest.events[3].kind, EventKind::Print);
  EXPECT_EQ(r.manifest.events[3].map_index, index_of("@t"));
  EXPECT_EQ(r.manifest.events[3].line, 5);
  expect_object_matches_manifest(r);
}

TEST(CodegenCompile, OperatorsVariablesAndControlFlow) {
  auto c = compile_script(
        "uprobe:/bin/true:main {\n"
        "  $a = 0 - 7; $b = -2; $u = arg1;\n"
        "  $name = comm;\n"
        "  @ops[1] = $a + $b * 3 - $a / $b + $a % $b + ($a << 2) + ($a >> 1) + ($u >> 1) + ($u / 7) + ($u % 5);\n"
        "  @ops[2] = ($a & 3) | ($a ^ 5) | ~$a;\n"
        "  @ops[3] = ($a < $b) + ($a <= $b) + ($a > $b) + ($a >= $b) + ($a == $b) + ($a != $b) + ($u < 10);\n"
        "  @ops[4] = ($a > 1 && $b < 0) || !$a;\n"
        "  @ops[5] = $a > 0 ? $a : -$a;\n"
        "  $s = $a > 0 ? \"pos\" : \"neg\";\n"
        "  if ($u == 7) { @names[$name, $s] = 1; } else if ($a) { delete(@names[$name, $s]); } else { @x = 1; }\n"
        "  if (pid != 1) { exit(); printf(\"unreachable\\n\"); }\n"
        "  @r = @ops[1] + @x;\n"
        "}\n",
        CompileOptions{.want_ir = true, .want_asm = true});
  const auto& r = ok(c);
  ASSERT_TRUE(c.result);
  EXPECT_NE(r.manifest.find_map("@ops"), nullptr);
  EXPECT_NE(r.manifest.find_map("@names"), nullptr);
  expect_object_matches_manifest(r);
}

TEST(CodegenCompile, DebugTextAndLineInfo) {
  const std::string script =
      "BEGIN {\n"
      "  @calls[pid] = count();\n"
      "  printf(\"%d\\n\", @calls[pid] > 0);\n"
      "}\n";
  auto plain = compile_script("BEGIN { @calls[pid] = count(); }\n");
  ASSERT_TRUE(plain.result) << plain.errors();
  EXPECT_TRUE(plain.result->ir.empty());
  EXPECT_TRUE(plain.result->asm_text.empty());

  auto c = compile_script("uprobe:/bin/true:main {\n  @calls[pid] = count();\n  $x = pid;\n  printf(\"%d\\n\", $x);\n}\n",
                          CompileOptions{.want_ir = true, .want_asm = true});
  ASSERT_TRUE(c.result) << c.errors();
  const auto& r = *c.result;
  EXPECT_NE(r.ir.find("define"), std::string::npos);
  EXPECT_NE(r.ir.find("section \"uprobe\""), std::string::npos);
  EXPECT_NE(r.asm_text.find("p0_main"), std::string::npos);
  EXPECT_NE(r.asm_text.find("call"), std::string::npos);

  // The BTF carries the script lines; the kernel quotes them in verifier logs.
  auto btf = elf_section(r.elf, ".BTF");
  ASSERT_TRUE(btf);
  EXPECT_NE(btf->find("  @calls[pid] = count();"), std::string::npos);
  EXPECT_NE(btf->find("p0_main"), std::string::npos);
  EXPECT_NE(btf->find("ctx"), std::string::npos);
  auto ext = elf_section(r.elf, ".BTF.ext");
  ASSERT_TRUE(ext);
  EXPECT_FALSE(ext->empty());
  expect_object_matches_manifest(r);
}

TEST(CodegenCompile, MaxEntriesOption) {
  CompileOptions opts;
  opts.max_entries = 123;
  auto c = compile_script("BEGIN { @x[pid] = 1; }", opts);
  ASSERT_TRUE(c.result) << c.errors();
  EXPECT_EQ(c.result->manifest.maps.at(0).max_entries, 123u);
  expect_object_matches_manifest(*c.result);
}

TEST(CodegenCompile, MapDeclarationsSizeTheirMapsWhateverTheDefault) {
  CompileOptions opts;
  opts.max_entries = 123;
  auto c = compile_script("let @pending = hash(16); let @seen = lruhash(8); let @unused = hash(2);\n"
                          "BEGIN { @pending[tid] = 1; @seen[pid] = count(); @other[1] = 2; }",
                          opts);
  ASSERT_TRUE(c.result) << c.errors();
  const auto& maps = c.result->manifest.maps;
  ASSERT_EQ(maps.size(), 3u);  // @unused is not created
  auto find = [&](const std::string& n) {
    for (const auto& m : maps)
      if (m.name == n) return m;
    ADD_FAILURE() << n;
    return manifest::MapDesc{};
  };
  EXPECT_EQ(find("@pending").max_entries, 16u);
  EXPECT_TRUE(find("@pending").declared);
  EXPECT_FALSE(find("@pending").lru);
  EXPECT_EQ(find("@seen").max_entries, 8u);
  EXPECT_TRUE(find("@seen").lru);
  EXPECT_TRUE(find("@seen").percpu);
  EXPECT_EQ(find("@other").max_entries, 123u);
  EXPECT_FALSE(find("@other").declared);
  expect_object_matches_manifest(*c.result);
}

TEST(CodegenCompile, TaskStorageMaps) {
  auto c = compile_script("let @pending = taskstorage;\n"
                          "uprobe:libc:malloc { @pending[tid] = arg0 + 1; }\n"
                          "uretprobe:libc:malloc { $s = @pending[tid]; delete(@pending[tid]); @pending[tid] += 2; "
                          "@a[retval] = $s; }",
                          {});
  ASSERT_TRUE(c.result) << c.errors();
  const manifest::MapDesc* pending = nullptr;
  for (const auto& m : c.result->manifest.maps)
    if (m.name == "@pending") pending = &m;
  ASSERT_NE(pending, nullptr);
  EXPECT_TRUE(pending->task_storage);
  BpfObject obj = open_elf(c.result->elf);
  ASSERT_TRUE(obj);
  bpf_map* map = bpf_object__find_map_by_name(obj.get(), pending->elf_name.c_str());
  ASSERT_NE(map, nullptr);
  EXPECT_EQ(bpf_map__type(map), BPF_MAP_TYPE_TASK_STORAGE);
  EXPECT_EQ(bpf_map__map_flags(map), static_cast<uint32_t>(BPF_F_NO_PREALLOC));
  EXPECT_EQ(bpf_map__key_size(map), 4u);  // from the BTF key type: the kernel wants an int
  EXPECT_EQ(bpf_map__value_size(map), pending->value_size);
  EXPECT_NE(bpf_map__btf_key_type_id(map), 0u);
  EXPECT_NE(bpf_map__btf_value_type_id(map), 0u);
}

// The script does not compile, with exactly this message.
void expect_compile_error(const std::string& script, const std::string& text) {
  auto c = compile_script(script, {});
  EXPECT_FALSE(c.result);
  EXPECT_EQ(c.errors(), text);
}

TEST(CodegenCompile, TaskStorageMisuseIsALocatedError) {
  expect_compile_error(
      "let @p = taskstorage; BEGIN { @p[pid] = 1; }",
      "test.ms:1:34: error: taskstorage map @p is keyed by tid only: it holds the current thread's value\n"
      "let @p = taskstorage; BEGIN { @p[pid] = 1; }\n"
      "                                 ^~~\n"
      "hint: write @p[tid]\n");
  expect_compile_error(
      "let @p = taskstorage; BEGIN { @p[tid] = 1; clear(@p); }",
      "test.ms:1:44: error: clear() cannot list taskstorage map @p: only the current thread's value is reachable\n"
      "let @p = taskstorage; BEGIN { @p[tid] = 1; clear(@p); }\n"
      "                                           ^~~~~~~~~\n"
      "hint: declare it hash(ENTRIES) to list it\n");
  auto a = compile_script("let @p = taskstorage; BEGIN { @p[tid] = count(); }", {});
  EXPECT_FALSE(a.result);
  EXPECT_NE(a.errors().find("taskstorage map @p cannot hold an aggregation"), std::string::npos) << a.errors();
}

TEST(CodegenCompile, SkipReturnFusesTheFunctionsProbesIntoOneSession) {
  const std::string script =
      "uprobe:libc:malloc { if (arg0 > 64) { @size[tid] = arg0; } else { skip_return(); } }\n"
      "uretprobe:libc:malloc { @n = count(); @s[retval] = @size[tid]; }\n"
      "uprobe:libc:free { @f = count(); }\n"
      "uretprobe:libc:free { @fr = count(); }\n";
  CompileOptions opts;
  opts.uprobe_sessions = true;
  opts.want_ir = true;
  auto c = compile_script(script, opts);
  ASSERT_TRUE(c.result) << c.errors();
  const auto& probes = c.result->manifest.probes;
  // malloc's pair is one session program; free (no skip_return()) keeps two.
  ASSERT_EQ(probes.size(), 3u);
  EXPECT_TRUE(probes[0].session);
  EXPECT_EQ(probes[0].type, manifest::ProbeType::Uprobe);
  EXPECT_EQ(probes[0].display, "uprobe:libc:malloc");
  EXPECT_EQ(probes[0].session_display, "uretprobe:libc:malloc");
  EXPECT_FALSE(probes[1].session);
  EXPECT_FALSE(probes[2].session);
  EXPECT_NE(c.result->ir.find("call i8 @bpf_session_is_return()"), std::string::npos);
  // The kfunc is an extern the ELF's BTF declares in .ksyms, for libbpf to
  // resolve against the kernel's BTF at load (libbpf's open rewrites it, so
  // read the ELF's own BTF).
  char path[] = "/tmp/ms-session-XXXXXX";
  const int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(write(fd, c.result->elf.data(), c.result->elf.size()), static_cast<ssize_t>(c.result->elf.size()));
  close(fd);
  btf* b = btf__parse_elf(path, nullptr);
  unlink(path);
  ASSERT_NE(b, nullptr);
  const int id = btf__find_by_name_kind(b, "bpf_session_is_return", BTF_KIND_FUNC);
  ASSERT_GT(id, 0);
  EXPECT_EQ(btf_vlen(btf__type_by_id(b, id)), BTF_FUNC_EXTERN);  // a FUNC keeps its linkage in vlen
  EXPECT_GT(btf__find_by_name_kind(b, ".ksyms", BTF_KIND_DATASEC), 0);
  btf__free(b);
  ASSERT_TRUE(open_elf(c.result->elf));

  // Without kernel support: two programs, skip_return() compiles to nothing.
  auto plain = compile_script(script, {});
  ASSERT_TRUE(plain.result) << plain.errors();
  EXPECT_EQ(plain.result->manifest.probes.size(), 4u);
  for (const auto& p : plain.result->manifest.probes) EXPECT_FALSE(p.session);

  // Two entry probes on one function: no session (one program per function).
  auto two = compile_script(script + "uprobe:libc:malloc { @again = count(); }\n", opts);
  ASSERT_TRUE(two.result) << two.errors();
  for (const auto& p : two.result->manifest.probes) EXPECT_FALSE(p.session);
}

TEST(CodegenCompile, SkipReturnOutsideAUprobeIsALocatedError) {
  expect_compile_error(
      "uretprobe:libc:malloc { skip_return(); }",
      "test.ms:1:25: error: skip_return() is only valid in a uprobe (the entry of a function), not in uretprobe\n"
      "uretprobe:libc:malloc { skip_return(); }\n"
      "                        ^~~~~~~~~~~~~\n"
      "hint: call it in the uprobe of the function whose uretprobe may be skipped\n");
  auto args = compile_script("uprobe:libc:malloc { skip_return(1); }", {});
  EXPECT_FALSE(args.result);
  EXPECT_NE(args.errors().find("skip_return()"), std::string::npos) << args.errors();
}

TEST(CodegenCompile, StackCapturesShareOneSubprogramPerKind) {
  // Twelve ustack sites compile to one capture subprogram (per kind), called
  // from each program: the IR has one definition, not twelve inlined copies.
  std::string script;
  for (int i = 0; i < 6; ++i)
    script += "uretprobe:libc:f" + std::to_string(i) + " { @a[retval] = ustack; @b[retval] = ustack(5); }\n";
  script += "uprobe:libc:g { @c[arg0] = ustack; }\n";
  CompileOptions opts;
  opts.want_ir = true;
  auto c = compile_script(script, opts);
  ASSERT_TRUE(c.result) << c.errors();
  const std::string& ir = c.result->ir;
  // Lines of the optimised IR that define (or call) a function named `fn`.
  auto count = [&](const std::string& kind, const std::string& fn) {
    size_t n = 0;
    std::istringstream lines(ir);
    for (std::string line; std::getline(lines, line);) {
      bool is_define = line.rfind("define ", 0) == 0;
      if (line.find("@" + fn + "(") != std::string::npos &&
          (kind == "define" ? is_define : !is_define && line.find(" call ") != std::string::npos))
        ++n;
    }
    return n;
  };
  // _fp: walked in BPF (stacks.cpp), with one step function per frame limit.
  EXPECT_EQ(count("define", "ms_stack_u127_fp"), 1u);
  EXPECT_EQ(count("define", "ms_stack_u5_fp"), 1u);
  EXPECT_EQ(count("define", "ms_stack_u127_entry_fp"), 1u);  // the uprobe adds its caller
  EXPECT_EQ(count("call", "ms_stack_u127_fp"), 6u);
  EXPECT_EQ(count("call", "ms_stack_u5_fp"), 6u);
  EXPECT_EQ(count("define", "ms_fp_step_127"), 1u);
  EXPECT_EQ(count("define", "ms_fp_step_5"), 1u);
  expect_object_matches_manifest(*c.result);
}

TEST(CodegenCompile, OversizedPrintfIsALocatedError) {
  std::string args;
  for (int i = 0; i < 20; ++i) args += ", comm";
  std::string fmt;
  for (int i = 0; i < 20; ++i) fmt += "%s";
  auto c = compile_script("BEGIN {\n  printf(\"" + fmt + "\"" + args + ");\n}\n");
  ASSERT_TRUE(c.program) << c.errors();
  EXPECT_FALSE(c.result);
  ASSERT_TRUE(c.diags->has_errors());
  const auto& d = c.diags->all().back();
  EXPECT_EQ(d.loc.line, 2);
  EXPECT_NE(d.message.find("bytes"), std::string::npos) << d.message;
}

TEST(CodegenCompile, StackOverflowFromTheBackendIsOneLocatedError) {
  std::string body;
  for (int i = 0; i < 40; ++i) body += " $s" + std::to_string(i) + " = comm;";
  for (int i = 0; i < 40; ++i) body += " @m[$s" + std::to_string(i) + "] = " + std::to_string(i) + ";";
  auto c = compile_script("BEGIN { @x = 1; }\n  uprobe:/bin/true:main {" + body + " }\n");
  ASSERT_TRUE(c.program) << c.errors();
  EXPECT_FALSE(c.result);
  ASSERT_EQ(c.diags->all().size(), 1u) << c.errors();
  const auto& d = c.diags->all()[0];
  EXPECT_EQ(d.loc.line, 2);
  EXPECT_EQ(d.loc.column, 3);
  EXPECT_NE(d.message.find("512 bytes of BPF stack"), std::string::npos) << d.message;
}

}  // namespace
}  // namespace ms::test

namespace ms::test {
namespace {

TEST(CodegenCompile, TupleValuesAndLeakReportsInTheManifest) {
  auto c = compile_script(
      "uretprobe:/bin/true:main { @a[retval] = (retval, nsecs, ustack(perf, 9)); @s = (\"ab\", 7); }\n"
      "END { print_leaks(@a, 3, 250, \"count\", 1, 8, 1); }\n");
  const CompileResult& r = ok(c);
  expect_object_matches_manifest(r);
  const manifest::MapDesc* a = r.manifest.find_map("@a");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->value.kind, FieldKind::Tuple);
  ASSERT_EQ(a->value.elements.size(), 3u);
  EXPECT_EQ(a->value.elements[1].offset, 8u);
  EXPECT_EQ(a->value.elements[2].kind, FieldKind::UserStack);
  EXPECT_EQ(a->value.elements[2].offset, 16u);
  EXPECT_EQ(a->value.elements[2].stack_limit, 9u);
  EXPECT_EQ(a->value_size, 24u);
  const manifest::MapDesc* s = r.manifest.find_map("@s");
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->value.elements[0].kind, FieldKind::String);
  EXPECT_EQ(s->value.elements[1].offset, 8u);
  const manifest::EventDesc* leak = nullptr;
  for (const auto& e : r.manifest.events)
    if (e.kind == EventKind::LeakReport) leak = &e;
  ASSERT_NE(leak, nullptr);
  EXPECT_EQ(r.manifest.maps[static_cast<size_t>(leak->map_index)].name, "@a");
  EXPECT_EQ(leak->leak.count_map_index, -1);
  EXPECT_EQ(leak->leak.top, 3u);
  EXPECT_EQ(leak->leak.min_age_ns, 250u);
  EXPECT_TRUE(leak->leak.sort_by_count);
  EXPECT_TRUE(leak->leak.show_allocs);
  EXPECT_EQ(leak->leak.sample_rate, 8u);
  EXPECT_TRUE(leak->leak.folded);
}

}  // namespace
}  // namespace ms::test
