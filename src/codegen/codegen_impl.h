// Private to src/codegen: the state of one compilation and the LLVM pieces it
// uses. Only codegen .cpp files include this header (it pulls in LLVM).
#pragma once

#include <llvm/IR/DIBuilder.h>
#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>
#include <llvm/Target/TargetMachine.h>

#include <functional>
#include <map>
#include <set>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "codegen/codegen.h"

namespace ms::codegen_detail {

// BPF helper numbers (enum bpf_func_id in linux/bpf.h).
enum HelperId : int {
  kMapLookupElem = 1,
  kMapUpdateElem = 2,
  kMapDeleteElem = 3,
  kKtimeGetNs = 5,
  kGetSmpProcessorId = 8,
  kGetCurrentPidTgid = 14,
  kGetCurrentUidGid = 15,
  kGetPrandomU32 = 7,
  kGetCurrentComm = 16,
  kGetStack = 67,
  kGetCurrentTask = 35,
  kGetCurrentCgroupId = 80,
  kSendSignal = 109,
  kTaskStorageGet = 156,
  kGetCurrentTaskBtf = 158,
  kProbeReadUser = 112,
  kProbeReadKernel = 113,
  kProbeReadUserStr = 114,
  kProbeReadKernelStr = 115,
  kRingbufOutput = 130,
  kGetAttachCookie = 174,
  kLoop = 181,
};

inline constexpr uint64_t kBpfAny = 0;
inline constexpr uint64_t kBpfNoExist = 1;
inline constexpr uint32_t kBpfStackLimit = 512;

inline uint32_t align8(uint32_t n) { return (n + 7u) & ~7u; }

// Bytes a value of type `t` takes in a map key, map value or event.
inline uint32_t field_size(const Type& t) {
  if (t.kind == TypeKind::String || t.kind == TypeKind::USym || t.kind == TypeKind::Buffer || t.kind == TypeKind::Tuple)
    return t.size;
  return 8;
}
// Values passed around as a pointer to a stack buffer rather than as an i64.
inline bool is_bytes(const Type& t) {
  return t.kind == TypeKind::String || t.kind == TypeKind::Buffer || t.kind == TypeKind::Tuple;
}
// The manifest field for a value of type `t` at `offset`, and back (maps.cpp).
manifest::Field field_of(const Type& t, uint32_t offset);
Type type_of_field(const manifest::Field& f);

// One map of the script: what the manifest says and the ELF global behind it.
struct MapDef {
  const MapInfo* info = nullptr;
  int index = -1;  // into Manifest::maps
  llvm::GlobalVariable* global = nullptr;
};

// A generated value. Integers are i64 SSA values; strings and tuples are
// pointers to a stack buffer of `type.size` bytes (8-byte aligned, NUL-padded). Stacks are
// their i64 stack id; symbols their i64 address (a usym field adds the pid
// when stored, see store_field).
struct Value {
  llvm::Value* v = nullptr;
  Type type;
};

// LLVM's default O2 module pipeline for `tm` (the BPF module, and the
// in-process native copy).
void optimize_o2(llvm::TargetMachine& tm, llvm::Module& m);

class Codegen {
 public:
  Codegen(const ast::Program& program, const SemanticInfo& info, Diagnostics& diags, const CompileOptions& options);
  ~Codegen();

  std::optional<CompileResult> run();

  // --- module level (codegen.cpp)
  bool init_target();
  void init_module();
  void error(const Location& loc, std::string message, std::string hint = {});
  void internal_error(const Location& loc, const std::string& what);
  const Type* type_of(const ast::Expr& e);

  // --- probes (probes.cpp)
  bool describe_attach_point(const ast::AttachPoint& ap, size_t prog_index, manifest::ProbeDesc& desc,
                             std::string& section);
  void gen_probe_function(const ast::Probe& probe, const ast::AttachPoint& ap, size_t prog_index);
  // A uprobe and the uretprobe of the same function as one uprobe-session
  // program: it runs at entry and, unless the entry returned 1
  // (skip_return()), again at return.
  void gen_session_function(const ast::Probe& entry, const ast::AttachPoint& entry_ap, const ast::Probe& ret,
                            const ast::AttachPoint& ret_ap, size_t prog_index);
  // Pairs (entry attach point -> return attach point) fused into sessions.
  void find_session_pairs();
  llvm::BasicBlock* begin_program_function(const manifest::ProbeDesc& desc, const std::string& section,
                                           const ast::AttachPoint& ap);
  void gen_probe_part(const ast::Probe& probe, const ast::AttachPoint& ap, const manifest::ProbeDesc& desc);
  void end_program_function(const ast::AttachPoint& ap, llvm::BasicBlock* body);
  // What a probe returns when it ends: 0, or in a session's entry part the skip_return() flag.
  llvm::Value* probe_return_value();
  llvm::Function* session_is_return_function();

  // --- maps (maps.cpp)
  void define_maps();
  llvm::GlobalVariable* define_map_global(const std::string& elf_name, int line,
                                          const std::vector<std::pair<const char*, uint64_t>>& fields,
                                          uint32_t typed_value_size = 0);
  MapDef* find_map(const std::string& name, const Location& loc);
  llvm::Value* build_key(const ast::Map& m, MapDef& def);
  llvm::Value* build_key(const std::string& name, const std::vector<const ast::Expr*>& keys, const Location& loc,
                         MapDef& def);
  Value gen_map_read(const ast::Map& m);
  // taskstorage maps (maps.cpp): the current thread's value, or null;
  // `create` makes it (zeroed) when missing.
  llvm::Value* task_storage_value(const MapDef& def, bool create);
  bool refuse_task_storage(const MapDef& def, const Location& loc, const std::string& what);
  bool check_task_storage_key(const ast::Map& m);
  // Runs `write` where the thread's value `p` exists (null: the kernel did not
  // create it); counts a missing one against map `count_missing_map` if >= 0.
  void with_task_value(llvm::Value* p, int count_missing_map, const std::function<void()>& write);
  void gen_map_assign(const ast::AssignMap& s);
  void gen_aggregation(const ast::AssignMap& s, const ast::Call& call, MapDef& def);
  void gen_compound_map_assign(const ast::AssignMap& s, MapDef& def);
  // Counts a failed update (rc < 0: the map is full) of map `map_index` in
  // the per-CPU array Manifest::map_errors_elf_name.
  void count_map_error(llvm::Value* rc, int map_index);
  // Counts an event the ring buffer refused (`failed` true) in the per-CPU
  // array Manifest::lost_events_elf_name (stmt.cpp).
  void count_lost_event(llvm::Value* failed, uint32_t event_id);
  llvm::Value* gen_hist_bucket(llvm::Value* v);
  llvm::Value* gen_lhist_bucket(llvm::Value* v, const manifest::MapDesc& d);
  void gen_map_zero_event(const ast::Call& c);
  void gen_map_delete(const ast::Call& call);
  llvm::Value* gen_elapsed();
  llvm::Value* gen_command_pid();
  // --- map queries (map_queries.cpp)
  Value gen_aggregation_read(const ast::Map& m, MapDef& def);
  Value gen_map_len(const ast::Call& c);
  Value gen_has_key(const ast::Call& c);
  llvm::Function* count_elem_callback();
  Value gen_func_name(const Location& loc);

  // --- stacks (stacks.cpp)
  void define_stack_maps();
  Value gen_stack(const Type& t, const Location& loc);
  // One BPF subprogram per kind of stack capture (stacks.cpp).
  struct StackCaptureKind {
    bool kernel = false;
    uint32_t limit = 0;
    bool entry_caller = false;  // a uprobe at entry: add the caller the frame-pointer walk misses
    bool fp_walk = false;       // user registers in ctx: walk the frame pointers here (stacks.cpp)
  };
  llvm::Function* stack_capture_function(const StackCaptureKind& kind);
  llvm::Value* emit_stack_capture(const StackCaptureKind& kind, const Location& loc);
  llvm::Value* emit_frame_pointer_walk(llvm::Value* rec, uint32_t limit, const Location& loc);
  llvm::Function* frame_walk_step(uint32_t limit);
  llvm::Function* define_subprogram(const std::string& name, llvm::ArrayRef<llvm::Type*> params,
                                    llvm::ArrayRef<std::pair<const char*, llvm::DIType*>> di_params,
                                    const std::function<llvm::Value*(llvm::Function*)>& body);
  // ustack(dwarf): a register and stack snapshot (stack_snapshots.cpp).
  Value gen_stack_snapshot(const Type& t, const Location& loc);
  // ustack(auto): either, by the flag the runtime sets (stack_snapshots.cpp).
  Value gen_stack_auto(const Type& t, const Location& loc);
  void count_stack_error(manifest::StackError why);

  // --- helpers and stack (helpers.cpp)
  llvm::Value* call_helper(int id, llvm::Type* ret, llvm::ArrayRef<llvm::Value*> args, const llvm::Twine& name = "");
  llvm::AllocaInst* stack_buffer(uint32_t size, const Location& loc, const llvm::Twine& name);
  void zero_fill(llvm::Value* ptr, uint32_t size);
  void copy_bytes(llvm::Value* dst, llvm::Value* src, uint32_t size);
  llvm::Value* byte_ptr(llvm::Value* base, uint32_t offset);
  llvm::Value* load_ctx_u64(uint32_t offset);
  llvm::Value* map_lookup(llvm::GlobalVariable* map, llvm::Value* key);
  // *(u64*)p, or 0 when p (a lookup's result) is null.
  llvm::Value* load_u64_or_zero(llvm::Value* p, const llvm::Twine& name);
  // Adds 1 to the u64 at `key` (a u32 slot) of a per-CPU array, if it exists.
  void increment_counter(llvm::GlobalVariable* percpu_array, llvm::Value* key);
  void set_loc(const Location& loc);
  // Stores `val` into a field of `size` bytes at `dst`: integers as 8 bytes,
  // strings copied (truncated or NUL-padded to `size`; `dst` must be zeroed).
  void store_field(llvm::Value* dst, const Value& val, uint32_t size);
  // Stores `val` as a value of type `dst_type` (its layout): like store_field,
  // but a tuple is converted element by element when the layouts differ
  // (a wider string element moves the ones after it). `dst` must be zeroed.
  void store_value(llvm::Value* dst, const Value& val, const Type& dst_type);

  // --- tuples (tuples.cpp)
  Value gen_tuple(const ast::Tuple& t, const Type& type);
  Value tuple_field(const Value& tuple, size_t i);
  Value gen_tuple_element(const ast::FieldAccess& f, const Type& t);

  // --- expressions (expr.cpp)
  Value gen_expr(const ast::Expr& e);
  llvm::Value* gen_int(const ast::Expr& e);   // an Integer-typed expression as i64
  llvm::Value* gen_cond(const ast::Expr& e);  // any integer as i1 (!= 0)
  Value gen_builtin(const ast::Builtin& b, const Type& t);
  Value gen_binop(const ast::Binop& b, const Type& t);
  Value gen_unop(const ast::Unop& u, const Type& t);
  Value gen_ternary(const ast::Ternary& t, const Type& type);
  Value gen_call_expr(const ast::Call& c, const Type& t);
  // --- USDT arguments (usdt_args.cpp): argN by the location's spec
  Value gen_usdt_arg(uint32_t index, const Location& loc, const Type& t);
  // --- tracepoint records (tracepoint_args.cpp)
  Value gen_tracepoint_field(const ast::FieldAccess& f, const Type& t);
  Value gen_cast(const ast::Cast& c, const Type& t);
  Value gen_deref(const ast::Deref& d, const Type& t);
  Value gen_strncmp(const ast::Call& c, const Type& t);
  llvm::Value* gen_rand_exp(llvm::Value* mean);
  // An arithmetic or bitwise operator on two i64 values, signed or not.
  llvm::Value* gen_arith(ast::BinaryOp op, llvm::Value* l, llvm::Value* r, bool is_signed, const Location& loc);
  Value gen_string_literal(const std::string& s, uint32_t size, const Location& loc);
  llvm::Value* gen_string_eq(const Value& a, const Value& b);
  llvm::Value* gen_signed_divrem(llvm::Value* a, llvm::Value* b, bool rem);
  llvm::AllocaInst* variable_slot(const std::string& name, const Type& t, const Location& loc);

  // --- statements and events (stmt.cpp)
  void gen_block(const ast::Block& block);
  void gen_stmt(const ast::Stmt& s);
  void gen_call_stmt(const ast::Call& c);
  int event_for(const ast::Call& c, manifest::EventDesc desc);
  void gen_printf(const ast::Call& c);
  void gen_exit(const ast::Call& c);
  void gen_map_event(const ast::Call& c, manifest::EventKind kind);
  void emit_event(uint32_t id, const std::vector<std::pair<const Value*, manifest::Field>>& args, uint32_t size,
                  const Location& loc);
  void return_zero_and_continue_dead();
  void gen_print(const ast::Call& c);
  void gen_leak_report(const ast::Call& c);
  void gen_signal(const ast::Call& c);
  void gen_join(const ast::Call& c);  // join.cpp
  void gen_compound_var_assign(const ast::AssignVar& s);

  // --- loops and jumps (control.cpp)
  void gen_while(const ast::While& w);
  void gen_unroll(const ast::Unroll& u);
  void gen_jump(const ast::Jump& j);

  // --- emission (emit.cpp)
  bool optimize_and_emit(CompileResult& out);
  // --- in-process mode (native.cpp)
  bool check_in_process_probe(const manifest::ProbeDesc& desc, const Location& loc);
  bool build_native_module(CompileResult& out);

  // inputs
  const ast::Program& program_;
  const SemanticInfo& info_;
  Diagnostics& diags_;
  CompileOptions options_;
  bool failed_ = false;

  // LLVM state; the context must outlive everything else.
  std::unique_ptr<llvm::LLVMContext> llvm_;
  std::unique_ptr<llvm::TargetMachine> tm_;
  std::unique_ptr<llvm::Module> module_;
  std::unique_ptr<llvm::IRBuilder<>> b_;
  std::unique_ptr<llvm::DIBuilder> di_;
  llvm::DICompileUnit* cu_ = nullptr;
  llvm::DIFile* file_ = nullptr;

  manifest::Manifest manifest_;
  std::map<std::string, MapDef> maps_;
  // Every map global's BTF fields (type, max_entries, ...), for the native module.
  struct MapFields {
    std::vector<std::pair<const char*, uint64_t>> fields;
    uint32_t typed_value_size = 0;
  };
  std::map<std::string, MapFields> map_fields_;
  llvm::GlobalVariable* ringbuf_ = nullptr;
  llvm::GlobalVariable* start_time_ = nullptr;  // defined on first use of `elapsed`
  llvm::GlobalVariable* stacks_ = nullptr;       // the stack store, defined on first stack
  llvm::GlobalVariable* stack_scratch_ = nullptr;
  llvm::GlobalVariable* command_pid_ = nullptr;
  llvm::GlobalVariable* stack_errors_ = nullptr;
  llvm::GlobalVariable* snapshot_seq_ = nullptr;  // ustack(dwarf)'s sequence, on first use
  llvm::GlobalVariable* stack_auto_ = nullptr;    // ustack(auto)'s flag, on first use
  llvm::GlobalVariable* map_errors_ = nullptr;  // defined on the first map update
  llvm::GlobalVariable* lost_events_ = nullptr;  // defined on the first event
  llvm::AllocaInst* map_err_key_ = nullptr;     // per program function
  llvm::GlobalVariable* func_names_ = nullptr;  // defined on first use of `func` in a multi-site probe
  uint32_t combined_cpus_ = 0;                  // CPUs an aggregation read combines, on first use
  llvm::Function* count_elem_cb_ = nullptr;      // len()'s bpf_for_each_map_elem callback, on first use
  std::unordered_map<const ast::Call*, int> event_ids_;
  // Program function -> the attach point it came from, to locate backend errors.
  std::unordered_map<const llvm::Function*, Location> function_locs_;
  std::vector<std::string> backend_errors_;
  std::vector<std::pair<const llvm::Function*, std::string>> backend_function_errors_;

  // Per program function.
  llvm::Function* fn_ = nullptr;
  llvm::Value* ctx_arg_ = nullptr;
  llvm::DISubprogram* sp_ = nullptr;
  llvm::BasicBlock* entry_ = nullptr;  // allocas and variable zeroing only; branches to the body at the end
  const ast::Probe* probe_ = nullptr;
  const manifest::ProbeDesc* attach_ = nullptr;
  // Usdt programs: the probe and the location this program is generated for.
  const UsdtProbe* usdt_probe_ = nullptr;
  const UsdtLocation* usdt_location_ = nullptr;
  uint32_t usdt_location_index_ = 0;
  std::string probe_name_;  // what `probe` reads: the attach point with its provider alias expanded
  std::map<std::string, llvm::AllocaInst*> vars_;
  struct LoopTargets {
    llvm::BasicBlock* break_to;
    llvm::BasicBlock* continue_to;
  };
  std::vector<LoopTargets> loops_;  // innermost last
  uint32_t stack_bytes_ = 0;
  // Uprobe sessions: entry attach point -> the return attach point fused with
  // it, and the return attach points generated that way (not on their own).
  std::map<const ast::AttachPoint*, std::pair<const ast::Probe*, const ast::AttachPoint*>> session_pairs_;
  std::set<const ast::AttachPoint*> fused_returns_;
  manifest::ProbeDesc session_return_desc_;       // what the return part's builtins (retval ...) describe
  llvm::AllocaInst* session_skip_ = nullptr;      // the entry part's skip_return() flag
};

}  // namespace ms::codegen_detail
