// Verification, the O2 pipeline and emission through the BPF TargetMachine.
#include <llvm/ADT/SmallVector.h>
#include <llvm/Analysis/CGSCCPassManager.h>
#include <llvm/Analysis/LoopAnalysisManager.h>
#include <llvm/IR/LegacyPassManager.h>
#include <llvm/IR/PassManager.h>
#include <llvm/IR/Verifier.h>
#include <llvm/Passes/PassBuilder.h>
#include <llvm/Support/ErrorHandling.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/Transforms/Utils/Cloning.h>

#include <cstdio>
#include <cstdlib>
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

// What a fatal backend error is blamed on: LLVM reports some limits (a jump
// wider than a BPF branch offset can hold) with report_fatal_error, which
// aborts the process. The handler turns that into a located script error and
// exits with status 1, memscript's script-error status (it must not return).
struct FatalErrorContext {
  Diagnostics* diags;
  Location loc;
};

void on_backend_fatal_error(void* user, const char* reason, bool /*gen_crash_diag*/) {
  auto* ctx = static_cast<FatalErrorContext*>(user);
  std::string why = reason ? reason : "unknown error";
  if (why.find("out of insn range") != std::string::npos)
    ctx->diags->error(ctx->loc,
                      "this probe compiles to more BPF code than a jump can span (32767 instructions, the "
                      "limit of a BPF branch)",
                      "split the probe into several probes or unroll fewer iterations");
  else
    ctx->diags->error(ctx->loc, "the BPF backend cannot compile this probe: " + why);
  std::fputs(ctx->diags->render().c_str(), stderr);
  std::fflush(nullptr);
  std::_Exit(1);
}

// A scoped fatal error handler: LLVM allows one at a time.
class FatalErrorScope {
 public:
  explicit FatalErrorScope(FatalErrorContext& ctx) { llvm::install_fatal_error_handler(on_backend_fatal_error, &ctx); }
  ~FatalErrorScope() { llvm::remove_fatal_error_handler(); }
  FatalErrorScope(const FatalErrorScope&) = delete;
  FatalErrorScope& operator=(const FatalErrorScope&) = delete;
};

}  // namespace

void optimize_o2(llvm::TargetMachine& tm, llvm::Module& m) {
  llvm::LoopAnalysisManager lam;
  llvm::FunctionAnalysisManager fam;
  llvm::CGSCCAnalysisManager cgam;
  llvm::ModuleAnalysisManager mam;
  llvm::PassBuilder pb(&tm);
  pb.registerModuleAnalyses(mam);
  pb.registerCGSCCAnalyses(cgam);
  pb.registerFunctionAnalyses(fam);
  pb.registerLoopAnalyses(lam);
  pb.crossRegisterProxies(lam, fam, cgam, mam);
  llvm::ModulePassManager mpm = pb.buildPerModuleDefaultPipeline(llvm::OptimizationLevel::O2);
  mpm.run(m, mam);
}

bool Codegen::optimize_and_emit(CompileResult& out) {
  std::string why;
  llvm::raw_string_ostream why_os(why);
  if (llvm::verifyModule(*module_, &why_os)) {
    internal_error({}, "the generated LLVM module is invalid: " + why_os.str());
    return false;
  }

  // The native copy is taken before the BPF target's own passes run.
  bool any_in_process = false;
  for (const auto& p : manifest_.probes) any_in_process = any_in_process || p.in_process;
  if (any_in_process && !build_native_module(out)) return false;

  // The verifier copes far better with optimised code: fewer stack spills,
  // constant offsets folded into loads and stores.
  optimize_o2(*tm_, *module_);
  if (llvm::verifyModule(*module_, &why_os)) {
    internal_error({}, "the optimised LLVM module is invalid: " + why_os.str());
    return false;
  }

  if (options_.want_ir) {
    llvm::raw_string_ostream os(out.ir);
    module_->print(os, nullptr);
  }
  // The largest probe function is the one a size limit is blamed on.
  FatalErrorContext fatal{&diags_, {}};
  size_t largest = 0;
  for (const llvm::Function& fn : *module_) {
    if (fn.isDeclaration()) continue;
    size_t n = fn.getInstructionCount();
    auto it = function_locs_.find(&fn);
    if (n > largest && it != function_locs_.end()) {
      largest = n;
      fatal.loc = it->second;
    }
  }
  FatalErrorScope fatal_scope(fatal);
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
