// Attach points -> program functions: ELF section and name, the ProbeDesc for
// the runtime, the function's debug info, predicate and body.
#include <llvm/BinaryFormat/Dwarf.h>
#include <llvm/IR/DebugInfoMetadata.h>

#include <cctype>

#include "codegen/codegen_impl.h"
#include "parser/parse.h"

namespace ms::codegen_detail {

namespace {

// The kernel keeps 15 characters of a program name; keep the whole name within
// that so libbpf's and the kernel's names agree.
constexpr size_t kMaxProgName = 15;

std::string program_name(size_t index, const std::string& hint) {
  std::string name = "p" + std::to_string(index) + "_";
  for (char c : hint) {
    if (name.size() >= kMaxProgName) break;
    name += (std::isalnum(static_cast<unsigned char>(c)) || c == '_') ? c : '_';
  }
  return name;
}

// "1s", "100ms", "5us", "10ns" or a unit and a count in separate parts.
std::optional<uint64_t> interval_ns(const std::vector<std::string>& parts) {
  std::string unit, count;
  if (parts.size() == 2) {
    unit = parts[0];
    count = parts[1];
  } else if (parts.size() == 1) {
    size_t i = 0;
    while (i < parts[0].size() && std::isdigit(static_cast<unsigned char>(parts[0][i]))) ++i;
    count = parts[0].substr(0, i);
    unit = parts[0].substr(i);
  } else {
    return std::nullopt;
  }
  if (count.empty() || count.size() > 12) return std::nullopt;
  for (char c : count)
    if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
  uint64_t n = std::stoull(count);
  if (n == 0) return std::nullopt;
  if (unit == "s") return n * 1000000000ull;
  if (unit == "ms") return n * 1000000ull;
  if (unit == "us") return n * 1000ull;
  if (unit == "ns") return n;
  if (unit == "hz") return 1000000000ull / n ? 1000000000ull / n : 1;
  return std::nullopt;
}

}  // namespace

bool Codegen::describe_attach_point(const ast::AttachPoint& ap, size_t prog_index, manifest::ProbeDesc& desc,
                                    std::string& section) {
  using manifest::ProbeType;
  desc.display = ap.raw;
  desc.line = ap.loc.line;
  desc.column = ap.loc.column;
  if (ap.loc.end_line == ap.loc.line) desc.end_column = ap.loc.end_column;
  const std::string& p = ap.provider;
  std::string hint;
  if (p == "BEGIN" || p == "END") {
    // Uprobes on memscript's own trigger functions, attached by the runtime.
    desc.type = p == "BEGIN" ? ProbeType::Begin : ProbeType::End;
    section = "uprobe";
    hint = p;
  } else if (p == "uprobe" || p == "u" || p == "uretprobe" || p == "ur") {
    if (ap.parts.size() != 2) {
      error(ap.loc, "'" + ap.raw + "': a uprobe needs a binary and a function", "e.g. uprobe:/bin/bash:readline");
      return false;
    }
    bool ret = p == "uretprobe" || p == "ur";
    desc.type = ret ? ProbeType::Uretprobe : ProbeType::Uprobe;
    desc.target = ap.parts[0];
    desc.func = ap.parts[1];
    section = ret ? "uretprobe" : "uprobe";
    hint = desc.func;
  } else if (p == "tracepoint" || p == "t") {
    if (ap.parts.size() != 2) {
      error(ap.loc, "'" + ap.raw + "': a tracepoint needs a category and a name", "e.g. tracepoint:syscalls:sys_enter_brk");
      return false;
    }
    desc.type = ProbeType::Tracepoint;
    desc.target = ap.parts[0];
    desc.func = ap.parts[1];
    section = "tracepoint/" + desc.target + "/" + desc.func;
    hint = desc.func;
  } else if (p == "interval" || p == "i") {
    auto ns = interval_ns(ap.parts);
    if (!ns) {
      error(ap.loc, "'" + ap.raw + "': cannot read the interval", "e.g. interval:s:1 or interval:ms:100");
      return false;
    }
    desc.type = ProbeType::Interval;
    desc.interval_ns = *ns;
    section = "perf_event";
    hint = "interval";
  } else if (p == "profile") {
    // hz samples by frequency (the kernel spreads them); other units by a CPU-clock period.
    bool hz = (ap.parts.size() == 2 && ap.parts[0] == "hz") ||
              (ap.parts.size() == 1 && ap.parts[0].size() > 2 && ap.parts[0].substr(ap.parts[0].size() - 2) == "hz");
    auto ns = interval_ns(ap.parts);
    if (!ns) {
      error(ap.loc, "'" + ap.raw + "': cannot read the rate", "e.g. profile:hz:99 or profile:ms:10");
      return false;
    }
    desc.type = ProbeType::Profile;
    desc.frequency = hz;
    desc.period = hz ? std::stoull(ap.parts.size() == 2 ? ap.parts[1] : ap.parts[0]) : *ns;
    section = "perf_event";
    hint = "profile";
  } else if (p == "software") {
    desc.type = ProbeType::Software;
    desc.func = ap.parts[0];
    desc.period = ap.parts.size() == 2 ? std::stoull(ap.parts[1]) : software_event_default(ap.parts[0]);
    section = "perf_event";
    hint = desc.func;
  } else if (p == "usdt") {
    if (ap.parts.size() != 3 || !usdt_probe_ || !usdt_location_) {
      internal_error(ap.loc, "usdt attach point '" + ap.raw + "' was not expanded");
      return false;
    }
    desc.type = ProbeType::Usdt;
    desc.target = ap.parts[0];
    desc.usdt_provider = ap.parts[1];
    desc.func = ap.parts[2];
    desc.usdt_location = usdt_location_index_;
    desc.file_offset = usdt_location_->file_offset;
    desc.ref_ctr_offset = usdt_probe_->semaphore_offset;
    section = "uprobe";
    hint = desc.func;
  } else if (p == "rawtracepoint") {
    desc.type = ProbeType::RawTracepoint;
    desc.func = ap.parts[0];
    section = "raw_tracepoint/" + desc.func;
    hint = desc.func;
  } else {
    error(ap.loc, "probe type '" + p + "' is not supported by the code generator");
    return false;
  }
  desc.prog_name = program_name(prog_index, hint);
  return true;
}

void Codegen::gen_probe_function(const ast::Probe& probe, const ast::AttachPoint& ap, size_t prog_index) {
  manifest::ProbeDesc desc;
  std::string section;
  if (!describe_attach_point(ap, prog_index, desc, section)) return;
  if (options_.in_process && (desc.type == manifest::ProbeType::Uprobe || desc.type == manifest::ProbeType::Uretprobe)) {
    if (!check_in_process_probe(desc, ap.loc)) return;
    desc.in_process = true;
  }
  manifest_.probes.push_back(desc);
  // manifest_.probes only grows while functions are generated; index, not pointer.
  const size_t desc_index = manifest_.probes.size() - 1;
  llvm::BasicBlock* body = begin_program_function(desc, section, ap);
  gen_probe_part(probe, ap, manifest_.probes[desc_index]);
  end_program_function(ap, body);
}

// The kernel runs a uprobe-session program at the function's entry and, if it
// returned 0 there, again when the function returns; bpf_session_is_return()
// tells which. The entry part returns the skip_return() flag.
void Codegen::gen_session_function(const ast::Probe& entry, const ast::AttachPoint& entry_ap, const ast::Probe& ret,
                                   const ast::AttachPoint& ret_ap, size_t prog_index) {
  manifest::ProbeDesc desc;
  std::string section, ret_section;
  if (!describe_attach_point(entry_ap, prog_index, desc, section)) return;
  if (!describe_attach_point(ret_ap, prog_index, session_return_desc_, ret_section)) return;
  desc.session = true;
  desc.session_display = session_return_desc_.display;
  manifest_.probes.push_back(desc);
  const size_t desc_index = manifest_.probes.size() - 1;
  llvm::BasicBlock* body = begin_program_function(desc, section, entry_ap);

  auto* is_return = b_->CreateCall(session_is_return_function(), {}, "is_return");
  auto* entry_bb = llvm::BasicBlock::Create(*llvm_, "session_entry", fn_);
  auto* return_bb = llvm::BasicBlock::Create(*llvm_, "session_return", fn_);
  b_->CreateCondBr(b_->CreateICmpNE(is_return, b_->getInt8(0)), return_bb, entry_bb);

  b_->SetInsertPoint(entry_bb);
  {
    llvm::IRBuilder<> eb(entry_);
    session_skip_ = eb.CreateAlloca(b_->getInt64Ty(), nullptr, "skip_return");
    eb.CreateStore(eb.getInt64(0), session_skip_);
  }
  gen_probe_part(entry, entry_ap, manifest_.probes[desc_index]);
  session_skip_ = nullptr;

  b_->SetInsertPoint(return_bb);
  gen_probe_part(ret, ret_ap, session_return_desc_);
  end_program_function(entry_ap, body);
}

llvm::Function* Codegen::session_is_return_function() {
  // A kfunc: an extern in section .ksyms with BTF, which libbpf resolves
  // against the kernel's BTF (kernel >= 6.12 for uprobe sessions).
  const char* name = "bpf_session_is_return";
  if (auto* f = module_->getFunction(name)) return f;
  auto* fty = llvm::FunctionType::get(b_->getInt8Ty(), {}, false);
  auto* f = llvm::Function::Create(fty, llvm::GlobalValue::ExternalLinkage, name, *module_);
  f->setSection(".ksyms");
  auto* bool_ty = di_->createBasicType("_Bool", 8, llvm::dwarf::DW_ATE_boolean);
  auto* sub_ty = di_->createSubroutineType(di_->getOrCreateTypeArray({bool_ty}));
  auto* sp = di_->createFunction(file_, name, name, file_, 0, sub_ty, 0, llvm::DINode::FlagPrototyped,
                                 llvm::DISubprogram::SPFlagOptimized);
  f->setSubprogram(sp);
  return f;
}

llvm::Value* Codegen::probe_return_value() {
  if (!session_skip_) return b_->getInt64(0);
  return b_->CreateLoad(b_->getInt64Ty(), session_skip_, "skip");
}

llvm::BasicBlock* Codegen::begin_program_function(const manifest::ProbeDesc& desc, const std::string& section,
                                                  const ast::AttachPoint& ap) {
  auto* i64 = b_->getInt64Ty();
  auto* fty = llvm::FunctionType::get(i64, {b_->getPtrTy()}, false);
  fn_ = llvm::Function::Create(fty, llvm::GlobalValue::ExternalLinkage, desc.prog_name, *module_);
  fn_->setSection(section);
  fn_->addFnAttr(llvm::Attribute::NoUnwind);
  ctx_arg_ = fn_->getArg(0);
  ctx_arg_->setName("ctx");
  function_locs_[fn_] = ap.loc;

  // BTF needs a subprogram per function and the parameter's name.
  auto* long_ty = di_->createBasicType("long", 64, llvm::dwarf::DW_ATE_signed);
  auto* ctx_ty = di_->createPointerType(nullptr, 64);
  auto* sub_ty = di_->createSubroutineType(di_->getOrCreateTypeArray({long_ty, ctx_ty}));
  const unsigned line = static_cast<unsigned>(std::max(ap.loc.line, 0));
  sp_ = di_->createFunction(file_, desc.prog_name, desc.prog_name, file_, line, sub_ty, line,
                            llvm::DINode::FlagPrototyped,
                            llvm::DISubprogram::SPFlagDefinition | llvm::DISubprogram::SPFlagOptimized);
  fn_->setSubprogram(sp_);
  di_->createParameterVariable(sp_, "ctx", 1, file_, line, ctx_ty, /*AlwaysPreserve=*/true);
  map_err_key_ = nullptr;
  stack_bytes_ = 0;

  entry_ = llvm::BasicBlock::Create(*llvm_, "entry", fn_);
  auto* body = llvm::BasicBlock::Create(*llvm_, "body", fn_);
  b_->SetInsertPoint(body);
  b_->SetCurrentDebugLocation(llvm::DILocation::get(*llvm_, line, 0, sp_));
  return body;
}

// A probe's predicate and body, from the builder's block to the function's
// return. In a session both parts share the function (and its stack budget).
void Codegen::gen_probe_part(const ast::Probe& probe, const ast::AttachPoint& ap, const manifest::ProbeDesc& desc) {
  probe_ = &probe;
  attach_ = &desc;
  // Like bpftrace, `probe` names the provider in full: u:/bin/sh:main reads "uprobe:/bin/sh:main".
  probe_name_ = desc.display;
  if (size_t colon = probe_name_.find(':'); colon != std::string::npos && probe_name_.substr(0, colon) != ap.provider)
    probe_name_ = ap.provider + probe_name_.substr(colon);
  vars_.clear();
  set_loc(probe.loc.line ? probe.loc : ap.loc);

  if (probe.predicate) {
    set_loc(probe.predicate->loc);
    llvm::Value* cond = gen_cond(*probe.predicate);
    auto* pass = llvm::BasicBlock::Create(*llvm_, "pred_true", fn_);
    auto* skip = llvm::BasicBlock::Create(*llvm_, "pred_false", fn_);
    b_->CreateCondBr(cond, pass, skip);
    b_->SetInsertPoint(skip);
    b_->CreateRet(b_->getInt64(0));
    b_->SetInsertPoint(pass);
  }
  gen_block(probe.body);
  b_->CreateRet(probe_return_value());
}

void Codegen::end_program_function(const ast::AttachPoint& ap, llvm::BasicBlock* body) {
  // Close the entry block now that every alloca is known.
  const unsigned line = static_cast<unsigned>(std::max(ap.loc.line, 0));
  llvm::IRBuilder<> eb(entry_);
  eb.SetCurrentDebugLocation(llvm::DILocation::get(*llvm_, line, 0, sp_));
  eb.CreateBr(body);

  fn_ = nullptr;
  sp_ = nullptr;
  probe_ = nullptr;
  attach_ = nullptr;
  b_->ClearInsertionPoint();
  b_->SetCurrentDebugLocation(llvm::DebugLoc());
}

// A uprobe whose body calls skip_return() and the one uretprobe naming the
// same binary and function the same way become one session, when the kernel
// has uprobe sessions (options_.uprobe_sessions) and no other entry or
// return probe shares that function (a session is one program per function).
void Codegen::find_session_pairs() {
  if (!options_.uprobe_sessions) return;
  std::map<std::string, std::vector<std::pair<const ast::Probe*, const ast::AttachPoint*>>> entries, returns;
  for (const auto& probe : program_.probes)
    for (const auto& ap : probe->attach_points) {
      if (ap.parts.size() != 2) continue;
      const std::string key = ap.parts[0] + "\n" + ap.parts[1];
      if (ap.provider == "uprobe" || ap.provider == "u") entries[key].push_back({probe.get(), &ap});
      if (ap.provider == "uretprobe" || ap.provider == "ur") returns[key].push_back({probe.get(), &ap});
    }
  for (const auto& [key, e] : entries) {
    auto r = returns.find(key);
    if (e.size() != 1 || r == returns.end() || r->second.size() != 1) continue;
    if (!info_.skip_return_probes.count(e[0].first)) continue;
    session_pairs_[e[0].second] = r->second[0];
    fused_returns_.insert(r->second[0].second);
  }
}

}  // namespace ms::codegen_detail
