// Driver: sets up the LLVM module for the BPF target, generates one program
// per attach point, then hands over to emit.cpp.
#include "codegen/codegen.h"

#include <llvm/BinaryFormat/Dwarf.h>
#include <llvm/IR/DiagnosticInfo.h>
#include <llvm/IR/DiagnosticPrinter.h>
#include <llvm/MC/TargetRegistry.h>
#include <llvm/Support/TargetSelect.h>
#include <llvm/Support/raw_ostream.h>

#include <mutex>

#include "codegen/codegen_impl.h"

extern "C" {
void LLVMInitializeBPFTargetInfo();
void LLVMInitializeBPFTarget();
void LLVMInitializeBPFTargetMC();
void LLVMInitializeBPFAsmPrinter();
}

namespace ms::codegen_detail {

namespace {

void initialize_bpf_target_once() {
  static std::once_flag once;
  std::call_once(once, [] {
    LLVMInitializeBPFTargetInfo();
    LLVMInitializeBPFTarget();
    LLVMInitializeBPFTargetMC();
    LLVMInitializeBPFAsmPrinter();
  });
}

// The default LLVM handler exits the process on an error diagnostic (the BPF
// backend reports e.g. stack overflow this way); collect them instead.
void on_llvm_diagnostic(const llvm::DiagnosticInfo* dip, void* context) {
  const llvm::DiagnosticInfo& di = *dip;
  if (di.getSeverity() != llvm::DS_Error) return;
  auto* cg = static_cast<Codegen*>(context);
  std::string text;
  llvm::raw_string_ostream os(text);
  llvm::DiagnosticPrinterRawOStream printer(os);
  di.print(printer);
  os.flush();
  if (auto* unsupported = llvm::dyn_cast<llvm::DiagnosticInfoUnsupported>(&di))
    cg->backend_function_errors_.emplace_back(&unsupported->getFunction(), text);
  else
    cg->backend_errors_.push_back(text);
}

}  // namespace

Codegen::Codegen(const ast::Program& program, const SemanticInfo& info, Diagnostics& diags,
                 const CompileOptions& options)
    : program_(program), info_(info), diags_(diags), options_(options) {}

Codegen::~Codegen() {
  // Destroy in dependency order: builders and module before the context.
  di_.reset();
  b_.reset();
  module_.reset();
  tm_.reset();
  llvm_.reset();
}

void Codegen::error(const Location& loc, std::string message, std::string hint) {
  failed_ = true;
  diags_.error(loc, std::move(message), std::move(hint));
}

void Codegen::internal_error(const Location& loc, const std::string& what) {
  error(loc, "internal error in code generation: " + what, "please report this as a memscript bug");
}

const Type* Codegen::type_of(const ast::Expr& e) {
  auto it = info_.types.find(&e);
  if (it == info_.types.end()) {
    internal_error(e.loc, "expression has no type");
    return nullptr;
  }
  return &it->second;
}

bool Codegen::init_target() {
  initialize_bpf_target_once();
  std::string err;
  const std::string triple = "bpfel";
  const llvm::Target* target = llvm::TargetRegistry::lookupTarget(triple, err);
  if (!target) {
    internal_error({}, "BPF target unavailable in LLVM: " + err);
    return false;
  }
  llvm::TargetOptions opts;
  tm_.reset(target->createTargetMachine(triple, options_.bpf_cpu, "", opts, llvm::Reloc::PIC_, std::nullopt,
                                        llvm::CodeGenOptLevel::Aggressive));
  if (!tm_) {
    internal_error({}, "cannot create a BPF target machine for cpu '" + options_.bpf_cpu + "'");
    return false;
  }
  return true;
}

void Codegen::init_module() {
  llvm_ = std::make_unique<llvm::LLVMContext>();
  llvm_->setDiagnosticHandlerCallBack(on_llvm_diagnostic, this);
  module_ = std::make_unique<llvm::Module>("memscript", *llvm_);
  // The data layout must be in place before any global exists, or BTF
  // generation sees the wrong sizes.
  module_->setTargetTriple(tm_->getTargetTriple().str());
  module_->setDataLayout(tm_->createDataLayout());
  module_->addModuleFlag(llvm::Module::Warning, "Dwarf Version", 4);
  module_->addModuleFlag(llvm::Module::Warning, "Debug Info Version", llvm::DEBUG_METADATA_VERSION);

  b_ = std::make_unique<llvm::IRBuilder<>>(*llvm_);
  di_ = std::make_unique<llvm::DIBuilder>(*module_);
  // The script text rides along as the file's source so the BTF line info
  // (and so the verifier log) quotes script lines.
  file_ = di_->createFile(diags_.filename().empty() ? "-e" : diags_.filename(), "", std::nullopt,
                          llvm::StringRef(diags_.source()));
  cu_ = di_->createCompileUnit(llvm::dwarf::DW_LANG_C, file_, "memscript", /*isOptimized=*/true, "", 0);

  // libbpf and the kernel want the license string in its own section.
  auto* license_init = llvm::ConstantDataArray::getString(*llvm_, "GPL", /*AddNull=*/true);
  auto* license = new llvm::GlobalVariable(*module_, license_init->getType(), /*isConstant=*/true,
                                           llvm::GlobalValue::ExternalLinkage, license_init, "_license");
  license->setSection("license");
  license->setAlignment(llvm::Align(1));
}

std::optional<CompileResult> Codegen::run() {
  manifest_.source_file = diags_.filename();
  manifest_.ringbuf_size = options_.ringbuf_size;
  if (!init_target()) return std::nullopt;
  init_module();
  define_maps();

  find_session_pairs();
  size_t prog_index = 0;
  for (const auto& probe : program_.probes) {
    for (const auto& ap : probe->attach_points) {
      if (fused_returns_.count(&ap)) continue;  // generated with its entry, as one session
      if (auto pair = session_pairs_.find(&ap); pair != session_pairs_.end()) {
        gen_session_function(*probe, ap, *pair->second.first, *pair->second.second, prog_index++);
        continue;
      }
      if (ap.provider != "usdt") {
        gen_probe_function(*probe, ap, prog_index++);
        continue;
      }
      // One program per location: each has its own argument specs.
      auto it = info_.usdt_probes.find(ap.raw);
      if (it == info_.usdt_probes.end() || it->second.locations.empty()) {
        internal_error(ap.loc, "no USDT locations for " + ap.raw);
        continue;
      }
      usdt_probe_ = &it->second;
      for (size_t l = 0; l < it->second.locations.size(); ++l) {
        usdt_location_ = &it->second.locations[l];
        usdt_location_index_ = static_cast<uint32_t>(l);
        gen_probe_function(*probe, ap, prog_index++);
      }
      usdt_probe_ = nullptr;
      usdt_location_ = nullptr;
    }
  }
  if (failed_) return std::nullopt;

  di_->finalize();
  CompileResult out;
  if (!optimize_and_emit(out)) return std::nullopt;
  if (failed_) return std::nullopt;
  out.manifest = std::move(manifest_);
  return out;
}

}  // namespace ms::codegen_detail

namespace ms {

std::optional<CompileResult> compile(const ast::Program& program, const SemanticInfo& info, Diagnostics& diags,
                                     const CompileOptions& options) {
  codegen_detail::Codegen cg(program, info, diags, options);
  return cg.run();
}

}  // namespace ms
