// Mapping verifier rejections back to script lines, on logs the kernel
// (6.18) printed for real programs.
#include <gtest/gtest.h>

#include "common/diagnostics.h"
#include "runtime/verifier_log.h"

namespace ms::runtime {
namespace {

// A NULL map value dereferenced: clang-compiled C with BTF line info.
const char* kNullDerefLog = R"(arg#0 reference type('UNKNOWN ') size cannot be determined: -22
0: R1=ctx() R10=fp0
; int prog_bad(void *ctx) { @ bad.c:12
0: (b7) r1 = 0                        ; R1=0
; __u64 k = 0; @ bad.c:13
1: (7b) *(u64 *)(r10 -8) = r1         ; R1=0 R10=fp0 fp-8=0
2: (bf) r2 = r10                      ; R2=fp0 R10=fp0
;  @ bad.c:0
3: (07) r2 += -8                      ; R2=fp-8
; __u64 *v = bpf_map_lookup_elem(&m, &k); @ bad.c:14
4: (18) r1 = 0xffff8881090ab400       ; R1=map_ptr(map=m,ks=8,vs=8)
6: (85) call bpf_map_lookup_elem#1    ; R0=map_value_or_null(id=1,map=m,ks=8,vs=8)
; return *v; @ bad.c:15
7: (79) r0 = *(u64 *)(r0 +0)
R0 invalid mem access 'map_value_or_null'
processed 7 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0
)";

// An out-of-bounds map value read: a two-line message.
const char* kOutOfBoundsLog = R"(arg#0 reference type('UNKNOWN ') size cannot be determined: -22
0: R1=ctx() R10=fp0
; int prog_oob(void *ctx) { @ bad2.c:5
0: (b7) r6 = 0                        ; R6=0
; __u64 k = 0; @ bad2.c:6
1: (7b) *(u64 *)(r10 -8) = r6         ; R6=0 R10=fp0 fp-8=0
2: (bf) r2 = r10                      ; R2=fp0 R10=fp0
;  @ bad2.c:0
3: (07) r2 += -8                      ; R2=fp-8
; __u64 *v = bpf_map_lookup_elem(&m, &k); @ bad2.c:7
4: (18) r1 = 0xffff888128581c00       ; R1=map_ptr(map=m,ks=8,vs=8)
6: (85) call bpf_map_lookup_elem#1    ; R0=map_value_or_null(id=1,map=m,ks=8,vs=8)
; if (!v) @ bad2.c:8
7: (15) if r0 == 0x0 goto pc+1        ; R0=map_value(map=m,ks=8,vs=8)
; return v[1]; @ bad2.c:10
8: (79) r6 = *(u64 *)(r0 +8)
invalid access to map value, value_size=8 off=8 size=8
R0 min value is outside of the allowed memory range
processed 8 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0
)";

TEST(RuntimeVerifierLog, FindsTheLastLineInfoBeforeTheError) {
  VerifierDiagnosis d = diagnose_verifier_log(kNullDerefLog);
  EXPECT_EQ(d.line, 15);
  EXPECT_EQ(d.file, "bad.c");
  EXPECT_EQ(d.source_text, "return *v;");
  EXPECT_EQ(d.message, "R0 invalid mem access 'map_value_or_null'");
}

TEST(RuntimeVerifierLog, JoinsATwoLineMessage) {
  VerifierDiagnosis d = diagnose_verifier_log(kOutOfBoundsLog);
  EXPECT_EQ(d.line, 10);
  EXPECT_EQ(d.message,
            "invalid access to map value, value_size=8 off=8 size=8: R0 min value is outside of the allowed memory "
            "range");
}

TEST(RuntimeVerifierLog, ScriptFileNamesWithColonsAndDashes) {
  VerifierDiagnosis d = diagnose_verifier_log(
      "0: R1=ctx() R10=fp0\n; BEGIN { @x = 1; } @ -e:3\n0: (b7) r1 = 0\n; @y[1] = *x; @ /tmp/a:b.ms:7\n"
      "5: (79) r0 = *(u64 *)(r1 +0)\nR1 invalid mem access 'scalar'\nverification time 12 usec\nstack depth 8\n"
      "processed 6 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0\n");
  EXPECT_EQ(d.line, 7);
  EXPECT_EQ(d.file, "/tmp/a:b.ms");
  EXPECT_EQ(d.source_text, "@y[1] = *x;");
  EXPECT_EQ(d.message, "R1 invalid mem access 'scalar'");
}

TEST(RuntimeVerifierLog, ErrorBeforeAnyLineInfo) {
  VerifierDiagnosis d = diagnose_verifier_log("back-edge from insn 3 to 1\nprocessed 0 insns (limit 1000000)\n");
  EXPECT_EQ(d.line, 0);
  EXPECT_EQ(d.message, "back-edge from insn 3 to 1");
}

TEST(RuntimeVerifierLog, EmptyLog) {
  VerifierDiagnosis d = diagnose_verifier_log("");
  EXPECT_EQ(d.line, 0);
  EXPECT_EQ(d.message, "");
}

TEST(RuntimeVerifierLog, RejectionReportNamesTheScriptLine) {
  manifest::ProbeDesc probe;
  probe.display = "uprobe:/bin/true:main";
  probe.line = 1;
  probe.column = 1;
  VerifierDiagnosis d = diagnose_verifier_log(
      "; @x = 1; @ -e:2\n3: (79) r0 = *(u64 *)(r1 +0)\nR1 invalid mem access 'scalar'\nprocessed 4 insns\n");
  EXPECT_EQ(format_verifier_rejection(d, probe, "-e", "uprobe:/bin/true:main {\n  @x = *1;\n}", false),
            "-e:2: error: the BPF verifier rejected probe uprobe:/bin/true:main: R1 invalid mem access 'scalar'\n"
            "  @x = *1;\n"
            "hint: run with -d verifier for the full log");
  // With the full log already shown there is no hint.
  EXPECT_EQ(format_verifier_rejection(d, probe, "-e", "a\n  @x = *1;\n", true),
            "-e:2: error: the BPF verifier rejected probe uprobe:/bin/true:main: R1 invalid mem access 'scalar'\n"
            "  @x = *1;");
}

TEST(RuntimeVerifierLog, RejectionWithoutLineFallsBackToTheProbe) {
  manifest::ProbeDesc probe;
  probe.display = "BEGIN";
  probe.line = 3;
  probe.column = 5;
  VerifierDiagnosis d = diagnose_verifier_log("unreachable insn 7\n");
  EXPECT_EQ(format_verifier_rejection(d, probe, "s.ms", "\n\n    BEGIN { exit(); }\n", false),
            "s.ms:3:5: error: the BPF verifier rejected probe BEGIN: unreachable insn 7\n"
            "    BEGIN { exit(); }\n"
            "hint: run with -d verifier for the full log");
}

TEST(RuntimeVerifierLog, SizeLimitsAreNamed) {
  manifest::ProbeDesc probe;
  probe.display = "BEGIN";
  probe.line = 1;
  probe.column = 1;
  VerifierDiagnosis d = diagnose_verifier_log("The sequence of 8193 jumps is too complex.\n");
  EXPECT_EQ(format_verifier_rejection(d, probe, "-e", "BEGIN { }", true),
            "-e:1:1: error: the BPF verifier rejected probe BEGIN: The sequence of 8193 jumps is too complex.\n"
            "BEGIN { }\n"
            "hint: the kernel verifies at most 1000000 instructions per program and follows at most 8192 jumps in a "
            "row; shorten the loops or split the probe");
  d = diagnose_verifier_log("BPF program is too large. Processed 1000001 insn\n");
  EXPECT_NE(format_verifier_rejection(d, probe, "-e", "BEGIN { }", true).find("at most 1000000 instructions"),
            std::string::npos);
}

TEST(RuntimeVerifierLog, SourceLine) {
  EXPECT_EQ(ms::source_line("a\nb\nc", 2), "b");
  EXPECT_EQ(ms::source_line("a\nb\nc", 3), "c");
  EXPECT_EQ(ms::source_line("a\nb\nc", 4), "");
  EXPECT_EQ(ms::source_line("a\nb\nc", 0), "");
}

}  // namespace
}  // namespace ms::runtime
