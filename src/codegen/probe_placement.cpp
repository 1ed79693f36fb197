#include "codegen/probe_placement.h"

#include <llvm/MC/MCAsmInfo.h>
#include <llvm/MC/MCContext.h>
#include <llvm/MC/MCDisassembler/MCDisassembler.h>
#include <llvm/MC/MCInst.h>
#include <llvm/MC/MCInstPrinter.h>
#include <llvm/MC/MCInstrAnalysis.h>
#include <llvm/MC/MCInstrInfo.h>
#include <llvm/MC/MCRegisterInfo.h>
#include <llvm/MC/MCSubtargetInfo.h>
#include <llvm/MC/MCTargetOptions.h>
#include <llvm/MC/TargetRegistry.h>
#include <llvm/Support/TargetSelect.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/TargetParser/Triple.h>

#include <memory>
#include <mutex>
#include <vector>

namespace ms {

namespace {

constexpr const char* kTriple = "x86_64-pc-linux-gnu";

// The pieces of LLVM MC needed to decode x86-64, built once.
struct X86Decoder {
  std::unique_ptr<llvm::MCRegisterInfo> mri;
  std::unique_ptr<llvm::MCAsmInfo> mai;
  std::unique_ptr<llvm::MCSubtargetInfo> sti;
  std::unique_ptr<llvm::MCInstrInfo> mii;
  std::unique_ptr<llvm::MCContext> ctx;
  std::unique_ptr<llvm::MCDisassembler> disasm;
  std::unique_ptr<llvm::MCInstrAnalysis> analysis;
  std::unique_ptr<llvm::MCInstPrinter> printer;
  bool ok = false;

  X86Decoder() {
    LLVMInitializeX86TargetInfo();
    LLVMInitializeX86TargetMC();
    LLVMInitializeX86Disassembler();
    std::string err;
    const llvm::Target* target = llvm::TargetRegistry::lookupTarget(kTriple, err);
    if (!target) return;
    llvm::Triple triple(kTriple);
    mri.reset(target->createMCRegInfo(kTriple));
    if (!mri) return;
    mai.reset(target->createMCAsmInfo(*mri, kTriple, llvm::MCTargetOptions()));
    sti.reset(target->createMCSubtargetInfo(kTriple, "", ""));
    mii.reset(target->createMCInstrInfo());
    if (!mai || !sti || !mii) return;
    ctx = std::make_unique<llvm::MCContext>(triple, mai.get(), mri.get(), sti.get());
    disasm.reset(target->createMCDisassembler(*sti, *ctx));
    analysis.reset(target->createMCInstrAnalysis(mii.get()));
    printer.reset(target->createMCInstPrinter(triple, 0 /* AT&T */, *mai, *mii, *mri));
    ok = disasm && analysis && printer;
  }

  // Decodes one instruction at `off`; returns its size, 0 if undecodable.
  uint64_t decode(const uint8_t* code, size_t size, uint64_t off, llvm::MCInst& inst) const {
    uint64_t n = 0;
    auto status = disasm->getInstruction(inst, n, llvm::ArrayRef<uint8_t>(code + off, size - off), off,
                                         llvm::nulls());
    return status == llvm::MCDisassembler::Success ? n : 0;
  }

  std::string text(const llvm::MCInst& inst, uint64_t off) const {
    std::string s;
    llvm::raw_string_ostream os(s);
    printer->printInst(&inst, off, "", *sti, os);
    os.flush();
    size_t b = s.find_first_not_of(" \t");
    s = b == std::string::npos ? "" : s.substr(b);
    for (auto& c : s)
      if (c == '\t') c = ' ';
    return s;
  }

  // True for instructions whose only effect is on the flags: they write no
  // register (explicitly or implicitly, EFLAGS aside), store nothing, do not
  // branch and have no side effects. Stepping over them changes nothing a
  // probe can observe.
  bool only_sets_flags(const llvm::MCInst& inst) const {
    const llvm::MCInstrDesc& d = mii->get(inst.getOpcode());
    if (d.getNumDefs() != 0 || d.mayStore() || d.isBranch() || d.isCall() || d.isReturn() || d.isTerminator() ||
        d.hasUnmodeledSideEffects() || d.isBarrier())
      return false;
    for (llvm::MCPhysReg r : d.implicit_defs())
      if (llvm::StringRef(mri->getName(r)) != "EFLAGS") return false;
    return true;
  }
};

const X86Decoder& decoder() {
  static X86Decoder* d = new X86Decoder();  // lives for the process: LLVM targets are global anyway
  return *d;
}

// The instructions the x86 uprobe code emulates instead of single-stepping
// (arch/x86/kernel/uprobes.c: branch_setup_xol_ops, push_setup_xol_ops):
// push reg, jmp/jcc rel8/rel32, call rel32, nop. Judged on the bytes, as the
// kernel does; any prefix other than REX.B on push disqualifies.
bool kernel_emulates(const uint8_t* p, size_t n) {
  if (n == 0) return false;
  uint8_t b = p[0];
  if (b >= 0x50 && b <= 0x57) return true;                                  // push reg
  if (b == 0x41 && n > 1 && p[1] >= 0x50 && p[1] <= 0x57) return true;      // push r8..r15
  if (b >= 0x70 && b <= 0x7f) return true;                                  // jcc rel8
  if (b == 0x0f && n > 1 && p[1] >= 0x80 && p[1] <= 0x8f) return true;      // jcc rel32
  if (b == 0xeb || b == 0xe9 || b == 0xe8 || b == 0x90) return true;        // jmp, call, nop
  return false;
}

}  // namespace

EntryProbePlacement place_entry_probe(const uint8_t* code, size_t size) {
  EntryProbePlacement out;
  if (!code || size == 0) {
    out.reason = "no code bytes";
    return out;
  }
  if (kernel_emulates(code, size)) {
    out.reason = "the first instruction is emulated";
    return out;
  }
  const X86Decoder& d = decoder();
  if (!d.ok) {
    out.reason = "x86 disassembler unavailable";
    return out;
  }
  // Step over up to a few flag-only instructions.
  uint64_t off = 0;
  std::string skipped;
  for (int i = 0; i < 4 && off < size; ++i) {
    llvm::MCInst inst;
    uint64_t n = d.decode(code, size, off, inst);
    if (n == 0) {
      out.reason = "undecodable instruction at +" + std::to_string(off);
      return out;
    }
    if (!d.only_sets_flags(inst)) break;
    if (!skipped.empty()) skipped += "; ";
    skipped += d.text(inst, off);
    off += n;
    if (off < size && kernel_emulates(code + off, size - off)) {
      // A direct branch inside the function to the new offset would make the
      // probe fire twice for one call: then stay at the entry.
      for (uint64_t at = 0; at < size;) {
        llvm::MCInst b;
        uint64_t bn = d.decode(code, size, at, b);
        if (bn == 0) break;  // data or padding: stop scanning, nothing decodable follows reliably
        uint64_t target = 0;
        if (d.analysis->evaluateBranch(b, at, bn, target) && target == off) {
          out.reason = "a branch at +" + std::to_string(at) + " targets +" + std::to_string(off);
          return out;
        }
        at += bn;
      }
      out.offset = off;
      out.skipped = skipped;
      out.reason = "stepped over flag-only instructions to an emulated one";
      return out;
    }
  }
  out.reason = "no emulated instruction after flag-only instructions";
  return out;
}

}  // namespace ms
