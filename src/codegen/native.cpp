// --in-process: the script's uprobe/uretprobe programs again, as native
// x86-64 code for the agent library (docs/in-process.md).
//
// The BPF module is cloned before the BPF-specific optimisation runs, and the
// clone is retargeted: the kernel's programs go, each BPF helper call
// (`call inttoptr(ID)`) becomes a call to the agent's ms_rt_helper_<name>
// with the same C ABI, each map global becomes a constant holding its index
// in Manifest::in_process_maps (the agent's map handle), the debug info, BTF
// and license go. The result is optimised and emitted as a PIC object by the
// x86-64 TargetMachine; the runtime links it into a shared object. LLVM never
// enters the traced process.
#include <llvm/IR/DebugInfo.h>
#include <llvm/IR/LegacyPassManager.h>
#include <llvm/IR/Verifier.h>
#include <llvm/MC/TargetRegistry.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/Transforms/Utils/Cloning.h>

#include <mutex>
#include <set>

#include "agent/ms_shm.h"
#include "codegen/codegen_impl.h"

extern "C" {
void LLVMInitializeX86TargetInfo();
void LLVMInitializeX86Target();
void LLVMInitializeX86TargetMC();
void LLVMInitializeX86AsmPrinter();
}

namespace ms::codegen_detail {

namespace {

constexpr uint64_t kMapTypeHash = 1, kMapTypeArray = 2, kMapTypePercpuHash = 5, kMapTypePercpuArray = 6,
                   kMapTypeLruHash = 9, kMapTypeLruPercpuHash = 10, kMapTypeRingbuf = 27, kMapTypeTaskStorage = 29;

// The helpers the agent provides (ms_rt_helper_<name>), by BPF helper number.
const char* helper_name(int id) {
  switch (id) {
    case kMapLookupElem: return "map_lookup_elem";
    case kMapUpdateElem: return "map_update_elem";
    case kMapDeleteElem: return "map_delete_elem";
    case kKtimeGetNs: return "ktime_get_ns";
    case kGetPrandomU32: return "get_prandom_u32";
    case kGetSmpProcessorId: return "get_smp_processor_id";
    case kGetCurrentPidTgid: return "get_current_pid_tgid";
    case kGetCurrentUidGid: return "get_current_uid_gid";
    case kGetCurrentComm: return "get_current_comm";
    case kGetCurrentTask: return "get_current_task";
    case kGetStack: return "get_stack";
    case kSendSignal: return "send_signal";
    case kTaskStorageGet: return "task_storage_get";
    case kGetCurrentTaskBtf: return "get_current_task_btf";
    case kProbeReadUser: return "probe_read_user";
    case kProbeReadUserStr: return "probe_read_user_str";
    case kRingbufOutput: return "ringbuf_output";
    case 131: return "ringbuf_reserve";
    case 132: return "ringbuf_submit";
    case 195: return "map_lookup_percpu_elem";
    default: return nullptr;
  }
}

// What a script writes for a helper the agent lacks.
std::string helper_use(int id) {
  switch (id) {
    case kProbeReadKernel:
    case kProbeReadKernelStr: return "kernel memory reads (kptr, kstack, kernel str())";
    case kGetAttachCookie: return "`func` in a probe attached at several functions";
    case kGetCurrentCgroupId: return "cgroup";
    case kGetStack: return "kstack";
    case 164: return "len() of a map";
    default: return "BPF helper " + std::to_string(id);
  }
}

bool is_program(const llvm::Function& f) { return f.hasSection() && !f.isDeclaration(); }

// Every .maps global `f` reaches, through the internal functions it calls.
void collect_maps(const llvm::Value* v, std::set<const llvm::GlobalVariable*>& maps,
                  std::set<const llvm::Value*>& seen) {
  if (!seen.insert(v).second) return;
  if (auto* g = llvm::dyn_cast<llvm::GlobalVariable>(v)) {
    if (g->getSection() == ".maps") maps.insert(g);
    return;
  }
  if (auto* f = llvm::dyn_cast<llvm::Function>(v)) {
    for (const auto& bb : *f)
      for (const auto& inst : bb)
        for (const auto& op : inst.operands()) collect_maps(op.get(), maps, seen);
    return;
  }
  if (auto* c = llvm::dyn_cast<llvm::ConstantExpr>(v))
    for (const auto& op : c->operands()) collect_maps(op.get(), maps, seen);
}

std::set<const llvm::GlobalVariable*> maps_of(const llvm::Function& f) {
  std::set<const llvm::GlobalVariable*> maps;
  std::set<const llvm::Value*> seen;
  collect_maps(&f, maps, seen);
  return maps;
}

void initialize_x86_target_once() {
  static std::once_flag once;
  std::call_once(once, [] {
    LLVMInitializeX86TargetInfo();
    LLVMInitializeX86Target();
    LLVMInitializeX86TargetMC();
    LLVMInitializeX86AsmPrinter();
  });
}

bool in_process_function(const std::string& func) {
#define MS_NAME_MATCH(name) if (func == #name) return true;
  MS_INPROC_FUNCS(MS_NAME_MATCH)
#undef MS_NAME_MATCH
  return false;
}

}  // namespace

bool Codegen::check_in_process_probe(const manifest::ProbeDesc& desc, const Location& loc) {
  const std::string kernel_hint = "run without --in-process to trace it with kernel uprobes";
  if (desc.func.find_first_of("*?[") != std::string::npos || desc.func.empty()) {
    error(loc, "probe " + desc.display + " cannot run in-process: wildcards and addresses need kernel uprobes",
          kernel_hint);
    return false;
  }
  const std::string base = desc.target.substr(desc.target.rfind('/') + 1);
  if (base != "libc" && base.rfind("libc.so", 0) != 0) {
    error(loc,
          "probe " + desc.display + " cannot run in-process: this version interposes functions of libc only",
          kernel_hint);
    return false;
  }
  if (!in_process_function(desc.func)) {
    error(loc,
          "probe " + desc.display + " cannot run in-process: the agent interposes malloc, free, calloc, realloc, "
          "posix_memalign, aligned_alloc, memalign, valloc, pvalloc, reallocarray, mmap, munmap and mremap only",
          kernel_hint);
    return false;
  }
  return true;
}

bool Codegen::build_native_module(CompileResult& out) {
  initialize_x86_target_once();
  std::string err;
  const std::string triple = "x86_64-pc-linux-gnu";
  const llvm::Target* target = llvm::TargetRegistry::lookupTarget(triple, err);
  if (!target) {
    internal_error({}, "x86-64 target unavailable in LLVM: " + err);
    return false;
  }
  std::unique_ptr<llvm::TargetMachine> tm(target->createTargetMachine(
      triple, "x86-64", "", llvm::TargetOptions(), llvm::Reloc::PIC_, std::nullopt, llvm::CodeGenOptLevel::Aggressive));
  if (!tm) {
    internal_error({}, "cannot create an x86-64 target machine");
    return false;
  }

  // Which program is which, and which maps the kernel's programs reach.
  std::map<std::string, const manifest::ProbeDesc*> in_process;
  for (const auto& p : manifest_.probes)
    if (p.in_process) in_process[p.prog_name] = &p;
  std::map<std::string, std::string> kernel_users;  // map global -> a kernel program that uses it
  for (const llvm::Function& f : *module_) {
    if (!is_program(f) || in_process.count(f.getName().str())) continue;
    for (const auto* g : maps_of(f)) kernel_users.emplace(g->getName().str(), f.getName().str());
  }
  auto probe_of_prog = [&](const std::string& prog) -> const manifest::ProbeDesc* {
    for (const auto& p : manifest_.probes)
      if (p.prog_name == prog) return &p;
    return nullptr;
  };

  std::unique_ptr<llvm::Module> nm = llvm::CloneModule(*module_);
  llvm::StripDebugInfo(*nm);
  if (auto* lic = nm->getGlobalVariable("_license")) lic->eraseFromParent();

  // Kernel programs go; in-process ones lose their section and keep their name.
  std::vector<llvm::Function*> drop;
  for (llvm::Function& f : *nm) {
    if (!is_program(f)) continue;
    if (in_process.count(f.getName().str())) {
      f.setSection("");
      f.setVisibility(llvm::GlobalValue::HiddenVisibility);
    } else {
      drop.push_back(&f);
    }
  }
  for (auto* f : drop) {
    f->replaceAllUsesWith(llvm::PoisonValue::get(f->getType()));
    f->eraseFromParent();
  }
  // Internal functions only the kernel programs called.
  for (bool changed = true; changed;) {
    changed = false;
    for (auto it = nm->begin(); it != nm->end();) {
      llvm::Function& f = *it++;
      if (f.hasLocalLinkage() && f.use_empty()) {
        f.eraseFromParent();
        changed = true;
      }
    }
  }

  // Helper calls -> the agent's functions.
  std::vector<llvm::CallInst*> calls;
  for (llvm::Function& f : *nm)
    for (auto& bb : f)
      for (auto& inst : bb)
        if (auto* call = llvm::dyn_cast<llvm::CallInst>(&inst))
          if (auto* ce = llvm::dyn_cast<llvm::ConstantExpr>(call->getCalledOperand()))
            if (ce->getOpcode() == llvm::Instruction::IntToPtr) calls.push_back(call);
  for (auto* call : calls) {
    auto* ce = llvm::cast<llvm::ConstantExpr>(call->getCalledOperand());
    auto* id_const = llvm::dyn_cast<llvm::ConstantInt>(ce->getOperand(0));
    const int id = id_const ? static_cast<int>(id_const->getSExtValue()) : -1;
    const char* name = helper_name(id);
    if (id == kGetStack) {
      // Kernel stacks (kstack) do not exist in the command: user stacks only.
      auto* flags = llvm::dyn_cast<llvm::ConstantInt>(call->getArgOperand(3));
      if (!flags || !(flags->getZExtValue() & (1ull << 8))) name = nullptr;
    }
    if (!name) {
      // Blame the probe; a helper in a shared subprogram (stack capture) is
      // blamed on the first in-process probe that calls it.
      const manifest::ProbeDesc* p = probe_of_prog(call->getFunction()->getName().str());
      for (const auto& [prog, desc] : in_process) {
        if (p) break;
        std::set<const llvm::Function*> seen;
        std::vector<const llvm::Function*> todo{nm->getFunction(prog)};
        while (!todo.empty() && !p) {
          const llvm::Function* f = todo.back();
          todo.pop_back();
          if (!f || !seen.insert(f).second) continue;
          if (f == call->getFunction()) p = desc;
          for (const auto& bb : *f)
            for (const auto& inst : bb)
              if (auto* c = llvm::dyn_cast<llvm::CallInst>(&inst))
                if (auto* callee = c->getCalledFunction()) todo.push_back(callee);
        }
      }
      Location loc = p ? Location{p->line, p->column, p->line, p->end_column} : Location{};
      error(loc, "probe " + (p ? p->display : std::string("?")) + " uses " + helper_use(id) +
                     ", which cannot run in-process",
            "run without --in-process");
      continue;
    }
    llvm::FunctionCallee callee = nm->getOrInsertFunction(std::string("ms_rt_helper_") + name, call->getFunctionType());
    call->setCalledOperand(callee.getCallee());
  }
  if (failed_) return false;

  // Per-CPU values (aggregations, counters) have one slot shared by every
  // thread here: their read-modify-write `store(add(load p, x), p)` becomes an
  // atomic add, so concurrent threads lose no count. (min/max stay plain:
  // docs/in-process.md.)
  for (llvm::Function& f : *nm)
    for (auto& bb : f) {
      std::vector<llvm::StoreInst*> stores;
      for (auto& inst : bb)
        if (auto* st = llvm::dyn_cast<llvm::StoreInst>(&inst)) stores.push_back(st);
      for (auto* st : stores) {
        auto* add = llvm::dyn_cast<llvm::BinaryOperator>(st->getValueOperand());
        if (!add || add->getOpcode() != llvm::Instruction::Add || st->isVolatile() ||
            !st->getValueOperand()->getType()->isIntegerTy(64))
          continue;
        auto same_place = [&](llvm::Value* a, llvm::Value* b) {
          if (a == b) return true;
          auto* ia = llvm::dyn_cast<llvm::GetElementPtrInst>(a);
          auto* ib = llvm::dyn_cast<llvm::GetElementPtrInst>(b);
          return ia && ib && ia->isIdenticalTo(ib);
        };
        for (unsigned i = 0; i < 2; ++i) {
          auto* ld = llvm::dyn_cast<llvm::LoadInst>(add->getOperand(i));
          if (!ld || ld->isVolatile() || ld->getParent() != &bb || !same_place(ld->getPointerOperand(), st->getPointerOperand()))
            continue;
          llvm::IRBuilder<> ib(st);
          ib.CreateAtomicRMW(llvm::AtomicRMWInst::Add, st->getPointerOperand(), add->getOperand(1 - i),
                             llvm::MaybeAlign(8), llvm::AtomicOrdering::Monotonic);
          st->eraseFromParent();
          if (add->use_empty()) add->eraseFromParent();
          if (ld->use_empty()) ld->eraseFromParent();
          break;
        }
      }
    }

  // Map globals -> handles, one i64 each. Their final values (indices into
  // Manifest::in_process_maps) are set after optimisation, once dead code
  // (say, branches on options that are off) no longer names maps it never
  // touches; until then each holds a distinct value, so none are merged.
  std::vector<llvm::GlobalVariable*> map_globals;
  for (llvm::GlobalVariable& g : nm->globals())
    if (g.getSection() == ".maps") map_globals.push_back(&g);
  auto* i64 = llvm::Type::getInt64Ty(nm->getContext());
  std::vector<std::string> handles;  // map globals, by name (optimisation may delete their handles)
  for (auto* g : map_globals) {
    g->removeDeadConstantUsers();
    const std::string elf = g->getName().str();
    if (!g->use_empty()) {
      auto* handle = new llvm::GlobalVariable(*nm, i64, false, llvm::GlobalValue::InternalLinkage,
                                              llvm::ConstantInt::get(i64, handles.size()), "ms_map_" + elf);
      handle->setAlignment(llvm::Align(8));
      g->replaceAllUsesWith(handle);
      handles.push_back(elf);
    }
    g->eraseFromParent();
  }

  // The table the agent reads: { const char* func; i64 is_return; ptr prog }.
  auto& ctx = nm->getContext();
  auto* ptr = llvm::PointerType::get(ctx, 0);
  auto* entry_ty = llvm::StructType::get(ctx, {ptr, i64, ptr});
  std::vector<llvm::Constant*> entries;
  for (const auto& p : manifest_.probes) {
    if (!p.in_process) continue;
    llvm::Function* f = nm->getFunction(p.prog_name);
    if (!f) continue;
    auto* name_init = llvm::ConstantDataArray::getString(ctx, p.func, true);
    auto* name = new llvm::GlobalVariable(*nm, name_init->getType(), true, llvm::GlobalValue::PrivateLinkage,
                                          name_init, "ms_func_name");
    entries.push_back(llvm::ConstantStruct::get(
        entry_ty, {name, llvm::ConstantInt::get(i64, p.type == manifest::ProbeType::Uretprobe ? 1 : 0), f}));
  }
  auto* table_ty = llvm::ArrayType::get(entry_ty, entries.size());
  new llvm::GlobalVariable(*nm, table_ty, true, llvm::GlobalValue::ExternalLinkage,
                           llvm::ConstantArray::get(table_ty, entries), "ms_inproc_probes");
  new llvm::GlobalVariable(*nm, i64, true, llvm::GlobalValue::ExternalLinkage,
                           llvm::ConstantInt::get(i64, entries.size()), "ms_inproc_probe_count");

  nm->setTargetTriple(triple);
  nm->setDataLayout(tm->createDataLayout());
  for (llvm::Function& f : *nm) {
    f.removeFnAttr("target-cpu");
    f.removeFnAttr("target-features");
  }

  std::string why;
  llvm::raw_string_ostream why_os(why);
  if (llvm::verifyModule(*nm, &why_os)) {
    internal_error({}, "the in-process module is invalid: " + why_os.str());
    return false;
  }
  optimize_o2(*tm, *nm);
  if (llvm::verifyModule(*nm, &why_os)) {
    internal_error({}, "the optimised in-process module is invalid: " + why_os.str());
    return false;
  }
  // The maps the optimised native code still names live in the shared memory.
  std::set<std::string> native_maps;
  for (const std::string& elf : handles) {
    llvm::GlobalVariable* handle = nm->getGlobalVariable("ms_map_" + elf, /*AllowInternal=*/true);
    if (!handle) continue;
    handle->removeDeadConstantUsers();
    if (handle->use_empty()) {
      handle->eraseFromParent();
      continue;
    }
    native_maps.insert(elf);
    auto fields = map_fields_.find(elf);
    if (fields == map_fields_.end()) {
      internal_error({}, "no layout recorded for map " + elf);
      return false;
    }
    manifest::InProcessMap m;
    m.elf_name = elf;
    auto field = [&](const char* n) -> uint64_t {
      for (const auto& [k, v] : fields->second.fields)
        if (std::string(k) == n) return v;
      return 0;
    };
    const uint64_t type = field("type");
    m.key_size = static_cast<uint32_t>(field("key_size"));
    m.value_size = static_cast<uint32_t>(field("value_size"));
    m.max_entries = static_cast<uint32_t>(field("max_entries"));
    for (size_t i = 0; i < manifest_.maps.size(); ++i)
      if (manifest_.maps[i].elf_name == elf) m.map_index = static_cast<int>(i);
    if (elf == manifest_.stack_scratch_elf_name) {
      m.kind = manifest::InProcessMapKind::Scratch;
    } else if (type == kMapTypeHash || type == kMapTypePercpuHash || type == kMapTypeLruHash ||
               type == kMapTypeLruPercpuHash) {
      m.kind = manifest::InProcessMapKind::Hash;
    } else if (type == kMapTypeArray || type == kMapTypePercpuArray) {
      m.kind = manifest::InProcessMapKind::Array;
    } else if (type == kMapTypeTaskStorage) {
      m.kind = manifest::InProcessMapKind::TaskStorage;
      m.value_size = fields->second.typed_value_size;
      m.key_size = 4;
    } else if (type == kMapTypeRingbuf) {
      m.kind = manifest::InProcessMapKind::Ring;
      m.max_entries = manifest_.ringbuf_size;
    } else {
      internal_error({}, "map " + elf + " has a type the agent cannot hold (" + std::to_string(type) + ")");
      return false;
    }
    handle->setInitializer(llvm::ConstantInt::get(i64, manifest_.in_process_maps.size()));
    manifest_.in_process_maps.push_back(m);
  }

  // A script map both sides touch cannot be in two places at once.
  for (auto& d : manifest_.maps) {
    if (!native_maps.count(d.elf_name)) continue;
    d.in_process = true;
    auto k = kernel_users.find(d.elf_name);
    if (k == kernel_users.end()) continue;
    const manifest::ProbeDesc* kp = probe_of_prog(k->second);
    Location loc{kp ? kp->line : 0, kp ? kp->column : 0, kp ? kp->line : 0, kp ? kp->end_column : 0};
    error(loc,
          "map " + d.name + " is used both by in-process probes and by the kernel probe " +
              (kp ? kp->display : k->second) + ": not supported in-process",
          "run without --in-process (memleak.ms: --auto-sample needs the kernel mode)");
  }
  // Internal maps: counters exist on both sides (the runtime adds them up);
  // the rest must stay on one side.
  auto refuse_internal = [&](const std::string& elf, const std::string& what) {
    if (elf.empty() || !native_maps.count(elf)) return;
    for (const auto& p : manifest_.probes)
      if (p.in_process) {
        error(Location{p.line, p.column, p.line, p.end_column},
              "probe " + p.display + " uses " + what + ", not supported in-process yet", "run without --in-process");
        return;
      }
  };
  refuse_internal(manifest_.start_time_elf_name, "`elapsed`");
  refuse_internal(manifest_.command_pid_elf_name, "`cpid`");
  refuse_internal(manifest_.stack_auto_elf_name, "ustack(auto)");
  refuse_internal(manifest_.stack_snapshot_seq_elf_name, "ustack(dwarf)");
  refuse_internal(manifest_.func_names_elf_name, "`func` across several functions");
  if (!manifest_.stacks_elf_name.empty() && kernel_users.count(manifest_.stacks_elf_name))
    refuse_internal(manifest_.stacks_elf_name, "stacks that kernel probes of the script also capture");
  if (failed_) return false;

  if (options_.want_ir) {
    llvm::raw_string_ostream os(out.native_ir);
    nm->print(os, nullptr);
  }
  llvm::SmallVector<char, 0> obj;
  {
    llvm::raw_svector_ostream os(obj);
    llvm::legacy::PassManager pm;
    if (tm->addPassesToEmitFile(pm, os, nullptr, llvm::CodeGenFileType::ObjectFile)) {
      internal_error({}, "the x86-64 target cannot emit an object file");
      return false;
    }
    pm.run(*nm);
  }
  out.native_object.assign(obj.begin(), obj.end());
  return true;
}

}  // namespace ms::codegen_detail
