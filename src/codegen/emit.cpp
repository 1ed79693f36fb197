// Verification, the O2 pipeline and emission through the BPF TargetMachine.
#include <llvm/ADT/SmallVector.h>
#include <llvm/Analysis/CGSCCPassManager.h>
#include <llvm/Analysis/LoopAnalysisManager.h>
#include <llvm/IR/LegacyPassManager.h>
#include <llvm/IR/PassManager.h>
#include <llvm/IR/Verifier.h>
#include <llvm/Passes/PassBuilder.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/Transforms/Utils/Cloning.h>

#include <set>

#include "codegen/codegen_impl.h"

namespace ms::codegen_detail {

namespace {

bool emit_file(llvm::TargetMachine& tm, llvm::Module& m, llvm::CodeGenFileType type, llvm::SmallVectorImpl<char>& out) {
  llvm::raw_svector_ostream os(out);
  llvm::legacy::PassManager pm;
  if (tm.addPassesToEmitFile(pm, os, nullptr, type)) return false;
  pm.run(m);
  return true;
}

}  // namespace

bool Codegen::optimize_and_emit(CompileResult& out) {
  std::string why;
  llvm::raw_string_ostream why_os(why);
  if (llvm::verifyModule(*module_, &why_os)) {
    internal_error({}, "the generated LLVM module is invalid: " + why_os.str());
    return false;
  }

  {
    // The verifier copes far better with optimised code: fewer stack spills,
    // constant offsets folded into loads and stores.
    llvm::LoopAnalysisManager lam;
    llvm::FunctionAnalysisManager fam;
    llvm::CGSCCAnalysisManager cgam;
    llvm::ModuleAnalysisManager mam;
    llvm::PassBuilder pb(tm_.get());
    pb.registerModuleAnalyses(mam);
    pb.registerCGSCCAnalyses(cgam);
    pb.registerFunctionAnalyses(fam);
    pb.registerLoopAnalyses(lam);
    pb.crossRegisterProxies(lam, fam, cgam, mam);
    llvm::ModulePassManager mpm = pb.buildPerModuleDefaultPipeline(llvm::OptimizationLevel::O2);
    mpm.run(*module_, mam);
  }
  if (llvm::verifyModule(*module_, &why_os)) {
    internal_error({}, "the optimised LLVM module is invalid: " + why_os.str());
    return false;
  }

  if (options_.want_ir) {
    llvm::raw_string_ostream os(out.ir);
    module_->print(os, nullptr);
  }
  if (options_.want_asm) {
    // Code generation mutates the module: print assembly from a copy.
    std::unique_ptr<llvm::Module> copy = llvm::CloneModule(*module_);
    llvm::SmallVector<char, 0> text;
    if (!emit_file(*tm_, *copy, llvm::CodeGenFileType::AssemblyFile, text)) {
      internal_error({}, "the BPF target cannot print assembly");
      return false;
    }
    out.asm_text.assign(text.begin(), text.end());
  }
  // The copy above reported the same backend errors the real run will.
  backend_function_errors_.clear();
  backend_errors_.clear();
  llvm::SmallVector<char, 0> obj;
  if (!emit_file(*tm_, *module_, llvm::CodeGenFileType::ObjectFile, obj)) {
    internal_error({}, "the BPF target cannot emit an object file");
    return false;
  }

  // Errors the backend reported while generating code (e.g. stack overflow).
  std::set<const llvm::Function*> reported;  // the backend may repeat itself per stack slot
  for (const auto& [fn, text] : backend_function_errors_) {
    if (!reported.insert(fn).second) continue;
    auto it = function_locs_.find(fn);
    Location loc = it != function_locs_.end() ? it->second : Location{};
    if (text.find("stack limit") != std::string::npos)
      error(loc, "this probe needs more than " + std::to_string(kBpfStackLimit) + " bytes of BPF stack",
            "use fewer or shorter string variables, keys and printf arguments");
    else
      error(loc, "the BPF backend rejected this probe: " + text);
  }
  for (const auto& text : backend_errors_) internal_error({}, "BPF backend: " + text);
  if (failed_) return false;
  out.elf.assign(obj.begin(), obj.end());
  return true;
}

}  // namespace ms::codegen_detail
