// The manifest: what the compiled BPF object contains and how to read it.
//
// codegen produces it next to the ELF object; the runtime reads it to attach
// probes, decode ring-buffer events and print maps. It is the single
// description of every layout that both sides touch, so neither side hard-codes
// the other's choices. No LLVM and no libbpf here.
//
// Layouts (all little-endian, naturally aligned, sizes in bytes):
//  - Integer fields are 8 bytes. String fields are `size` bytes, NUL-padded.
//  - Map keys: the script's key expressions laid out one after the other, each
//    field 8-byte aligned. A scalar map (`@x` without keys) has an 8-byte key
//    that is always 0.
//  - Map values per aggregation, per CPU for percpu maps (see AggKind).
//  - Ring-buffer events start with an 8-byte event id (EventDesc::id); the
//    arguments follow at the offsets their Fields give (offsets count from the
//    start of the event, so the first argument is at offset 8).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ms::manifest {

enum class FieldKind : uint8_t {
  Integer,
  String,
  UserStack,    // u64 stack id into Manifest::stacks_elf_name (0: not recorded)
  KernelStack,  // likewise, a kernel stack
  UserSymbol,   // u64 address, u64 pid (whose mappings resolve it): 16 bytes
  KernelSymbol, // u64 kernel address
  Buffer,  // buf(): an 8-byte length, then `size - 8` bytes of data
  Tuple,   // `elements`, at offsets relative to the tuple's own offset; `size` bytes
  Timestamp,  // strftime(): u64 nanoseconds since boot (CLOCK_MONOTONIC, as nsecs),
              // printed as local time with the strftime `format` (plus %f: microseconds)
};

struct Field {
  FieldKind kind = FieldKind::Integer;
  uint32_t offset = 0;
  uint32_t size = 8;
  bool is_signed = true;
  uint32_t stack_limit = 0;  // stacks: frames to print
  bool stack_perf = false;   // stacks: perf mode ("\taddr sym+off (module)")
  std::vector<Field> elements;  // Tuple only: one field per element, offsets from the tuple's start
  std::string format;        // Timestamp: the strftime format
};

// The stack store (present when the script captures a stack). A stack is kept
// by value in a hash map keyed by a 64-bit hash of its contents; the script's
// maps hold that hash (the stack id). Each record is StackRecord below. A
// different stack with an equal hash is detected (the BPF side compares the
// stored record) and counted, never merged.
//
// Record layout, kStackRecordWords u64 words:
//   [0] pid for user stacks, with bit 63 set for kernel stacks (so a user and
//       a kernel stack never share an id)
//   [1] the entry-probe caller: at a uprobe on a function's first instruction
//       the frame-pointer walk skips the caller (its return address is at [sp]
//       and rbp is still the caller's); when the kernel did not add it itself,
//       the probe stores *(u64*)sp here and the runtime inserts it as frame 2.
//       0 otherwise.
//   [2..129) frames, innermost first, 0-terminated (zero-padded).
//   [129..145) when [1] is set: the 16 words above the return address
//       (sp+8..), read at the same time. If the caller is a function without
//       a frame pointer (libstdc++'s operator new calling malloc), its own
//       return address is among them and the frame-pointer walk skipped it
//       too; the runtime finds it with the caller's unwind table (.eh_frame).
//       Not part of the id: local data there varies from call to call.
inline constexpr uint32_t kStackHeaderWords = 2;
inline constexpr uint32_t kStackMaxFrames = 127;
inline constexpr uint32_t kStackScanWords = 16;
inline constexpr uint32_t kStackScanWord = kStackHeaderWords + kStackMaxFrames;  // first scan word
inline constexpr uint32_t kStackRecordWords = kStackScanWord + kStackScanWords;
inline constexpr uint64_t kKernelStackFlag = 1ull << 63;

// Why a stack could not be recorded: the index of a u64 counter in the
// per-CPU array Manifest::stack_errors_elf_name.
enum class StackError : uint32_t {
  Fault = 0,      // bpf_get_stack failed (e.g. no user stack: a kernel thread)
  MapFull = 1,    // the stack store is full (--stack-map-size)
  Collision = 2,  // a different stack with the same 64-bit id is already stored
  SnapshotDropped = 3,  // ustack(dwarf): the ring buffer had no room for the snapshot
  Count = 4,
};

// Dwarf-mode user stacks: ustack(dwarf[, N]). The probe does not walk the
// stack: it sends the user registers and a copy of the user stack from sp up
// (at most Manifest::stack_snapshot_bytes, read in kSnapshotChunk pieces and
// stopped at the first that faults) as a StackSnapshot ring-buffer event, and
// the expression's value is the snapshot's id: kStackSnapshotTag | a sequence
// number. The runtime unwinds each snapshot as it arrives with the modules'
// call-frame information (libdwfl) and keeps the frame list under that id;
// every printer resolves ids through it. Frame-pointer stack ids never carry
// the tag (the BPF side clears that bit of the hash), so one u64 tells which
// table to read. Event layout (offsets in bytes):
//   [0]   event id   [8] snapshot id   [16] pid (tgid)
//   [24]  kSnapshotRegs u64 registers in DWARF x86-64 order (rax rdx rcx rbx
//         rsi rdi rbp rsp r8..r15 rip)
//   [kSnapshotLengthOffset] u64 bytes of stack captured
//   [kSnapshotStackOffset] the stack bytes, from the captured sp up
inline constexpr uint64_t kStackSnapshotTag = 1ull << 62;
inline constexpr uint32_t kSnapshotRegs = 17;
inline constexpr uint32_t kSnapshotIdOffset = 8;
inline constexpr uint32_t kSnapshotPidOffset = 16;
inline constexpr uint32_t kSnapshotRegsOffset = 24;
inline constexpr uint32_t kSnapshotLengthOffset = kSnapshotRegsOffset + kSnapshotRegs * 8;
inline constexpr uint32_t kSnapshotStackOffset = kSnapshotLengthOffset + 8;
inline constexpr uint32_t kSnapshotChunk = 512;
inline constexpr uint32_t kDefaultSnapshotBytes = 8192;
inline constexpr uint32_t kMaxSnapshotBytes = 65536;

// How a map value is stored and combined across CPUs.
enum class AggKind : uint8_t {
  None,   // plain value (`@x = expr`): `value` describes it; hash map, not percpu
  Count,  // u64 per CPU, summed
  Sum,    // s64/u64 per CPU, summed
  Min,    // struct { s64 value; u64 is_set; } per CPU; min over CPUs where is_set
  Max,    // struct { s64 value; u64 is_set; } per CPU; max over CPUs where is_set
  Avg,    // struct { s64 sum; u64 count; } per CPU; sum(sum) / sum(count)
  Stats,  // as Avg; printed as count, average and total
  Hist,   // u64 count per CPU; the key ends with an extra 8-byte bucket index
          // (0: negative, 1: zero, 2 + floor(log2(v)) for v >= 1)
  Lhist,  // as Hist; bucket 0: v < min, 1 + (v - min) / step, last: v >= max
};

const char* to_string(AggKind k);

struct MapDesc {
  std::string name;      // as in the script, "@x"
  std::string elf_name;  // the symbol of its definition in the ELF `.maps` section
  bool percpu = false;   // BPF_MAP_TYPE_PERCPU_HASH (aggregations) or BPF_MAP_TYPE_HASH
  uint32_t max_entries = 0;
  bool declared = false;  // sized by `let @x = hash(N)`, not by --map-size
  bool lru = false;       // lruhash: a full map evicts its least recently used entry
  // taskstorage: BPF_MAP_TYPE_TASK_STORAGE, one value per thread (key: tid,
  // always the current thread's). User space cannot list it: never printed.
  bool task_storage = false;
  std::vector<Field> key;  // empty: scalar map (8-byte zero key)
  uint32_t key_size = 8;
  AggKind agg = AggKind::None;
  Field value;              // the value field for AggKind::None; Integer for aggregations
  uint32_t value_size = 8;  // per CPU for percpu maps
  // Hist/Lhist: `key` lists the script's key fields only; key_size includes
  // the trailing 8-byte bucket index at offset key_size - 8.
  int64_t lhist_min = 0, lhist_max = 0, lhist_step = 0;  // Lhist only
  // --in-process: the map lives in the shared memory (Manifest::in_process_maps),
  // not in the kernel; the runtime reads it there.
  bool in_process = false;
};

enum class ProbeType : uint8_t {
  Begin,
  End,
  Uprobe,
  Uretprobe,
  Tracepoint,
  Interval,
  Profile,        // profile:hz:N / profile:ms:N ...: a CPU clock sample on every CPU
  Software,       // software:EVENT:COUNT: a software perf event on every CPU
  RawTracepoint,  // rawtracepoint:NAME
  Usdt,           // usdt:PATH:PROVIDER:NAME: a uprobe at one location of a USDT probe
};

const char* to_string(ProbeType t);

// One attach point. A script probe with several attach points becomes several
// ProbeDescs, each with its own program.
struct ProbeDesc {
  ProbeType type = ProbeType::Begin;
  std::string prog_name;  // the BPF program (function) name in the ELF
  std::string target;     // uprobe: binary or library path; tracepoint: category
  std::string func;       // uprobe: function name; tracepoint: event name; software: the event (page-faults ...);
                          // rawtracepoint: the tracepoint
  uint64_t interval_ns = 0;
  // Profile and Software: fire every `period` events (Profile: nanoseconds of
  // CPU clock), or `period` times a second when `frequency` is set.
  uint64_t period = 0;
  bool frequency = false;
  // Usdt: one ProbeDesc (and one program: argument specs differ from site to
  // site) per location of the probe. `target` is the ELF file (resolved),
  // `func` the probe's NAME, and the uprobe goes at `file_offset` in it. With
  // a semaphore (`ref_ctr_offset`, its file offset, non-zero), the kernel
  // increments it while the uprobe is attached, so code guarded by the
  // probe's *_ENABLED() macro runs.
  std::string usdt_provider;
  uint32_t usdt_location = 0;  // index among the probe's locations (for messages)
  uint64_t file_offset = 0;
  uint64_t ref_ctr_offset = 0;
  // Uprobe only: a uprobe session (BPF_TRACE_UPROBE_SESSION) that also runs
  // at the return of each call whose entry did not call skip_return();
  // session_display is the fused uretprobe's attach point.
  bool session = false;
  std::string session_display;
  std::string display;    // the attach point (options substituted), for messages
  int line = 0;           // script line of the attach point
  int column = 0;
  int end_column = 0;     // one past its last column as written (0: column + display size)
  // --in-process: runs in the traced command, compiled to native code and
  // called by the agent's interposer of `func` (docs/in-process.md); the BPF
  // program is loaded but never attached.
  bool in_process = false;
};

inline constexpr uint32_t kLostEventSlots = 256;

enum class EventKind : uint8_t {
  Printf,  // format + args
  Exit,    // stop tracing
  Print,   // print map `map_index` now
  Clear,   // clear map `map_index`
  Zero,    // set every value of map `map_index` to zero
  Value,   // print(value): like Printf with one argument; `format` prints it as text
  Time,    // time(): the local time when the event is read, strftime `format`
  LeakReport,  // print_leaks / print_leak_stacks: an outstanding-allocation report (`leak`)
  Join,    // join(): args[0] the number of strings read, args[1..] the strings; `format` the separator
  StackSnapshot,  // ustack(dwarf): registers and user stack to unwind (layout above the enum StackError)
};

// The settings of one print_leaks() / print_leak_stacks() site.
//  - per address (print_leaks): map `map_index` is address -> (size, nsecs, stack, ...),
//    elements 0, 1 and 2 of its tuple value.
//  - per stack (print_leak_stacks): `map_index` is stack -> bytes, `count_map_index`
//    stack -> allocations (sum or count).
struct LeakReportDesc {
  int count_map_index = -1;  // set: per stack
  uint32_t top = 10;
  uint64_t min_age_ns = 0;
  bool sort_by_count = false;
  bool show_allocs = false;
  uint64_t sample_rate = 1;  // each recorded allocation stands for this many
  int sample_rate_map_index = -1;  // set: the rate is this keyless map's value when the report is made
  bool folded = false;       // flamegraph input instead of the text report
  uint64_t sample_bytes = 0; // byte sampling's mean interval (0: none): weights each allocation
  // growth K (0: off): report only stacks whose bytes grew at each of the
  // last K reports of this map (the runtime keeps the history).
  uint32_t growth_intervals = 0;
  // print_leaks: blocks allocated before this time (bpf_ktime_get_ns) are
  // left out, e.g. those of an image the process exec'd away.
  uint64_t since_ns = 0;
  int since_map_index = -1;  // set: the time is this keyless map's value when the report is made
};

// join(): how many strings of a char* array it reads, and the bytes each keeps
// (bpftrace 0.17's limits).
inline constexpr uint32_t kJoinElements = 16;
inline constexpr uint32_t kJoinElementSize = 1024;

const char* to_string(EventKind k);

// --in-process: how the agent holds a map the native programs use.
enum class InProcessMapKind : uint8_t {
  Hash,         // (per-CPU) hash: one shared slot per key
  Array,        // (per-CPU) array: one shared slot per index
  TaskStorage,  // one value per thread, inside the agent (not readable)
  Scratch,      // per-CPU scratch (the stack record): per thread, inside the agent
  Ring,         // the event ring buffer (max_entries: bytes)
};

// One map of the native programs, in the order of their handles (the index
// the native code passes to the agent's helpers).
struct InProcessMap {
  std::string elf_name;
  InProcessMapKind kind = InProcessMapKind::Hash;
  uint32_t key_size = 0, value_size = 0, max_entries = 0;
  int map_index = -1;  // into Manifest::maps; -1 for internal maps (stacks, counters, ring)
};

struct EventDesc {
  uint32_t id = 0;
  EventKind kind = EventKind::Printf;
  std::string format;       // Printf: the format string as written (escapes resolved)
  std::vector<Field> args;  // Printf: one field per argument
  uint32_t size = 8;        // total bytes of the event, header included
  int map_index = -1;       // Print/Clear/Zero: index into Manifest::maps
  uint32_t top = 0;         // Print: only the last `top` entries (0: all)
  uint32_t div = 1;         // Print: divide values by this
  int line = 0;             // script site, for messages
  LeakReportDesc leak;      // LeakReport: `map_index` is the first map
};

struct Manifest {
  std::string source_file;  // "-e" for one-liners, otherwise the path
  std::vector<ProbeDesc> probes;
  std::vector<MapDesc> maps;
  std::vector<EventDesc> events;  // indexed by id: events[i].id == i
  std::string ringbuf_elf_name = "events";  // BPF_MAP_TYPE_RINGBUF
  uint32_t ringbuf_size = 1u << 20;
  // Set when the script uses `elapsed`: a BPF_MAP_TYPE_ARRAY with one entry
  // (u32 key 0, u64 value). The runtime stores the session start time there,
  // in CLOCK_MONOTONIC nanoseconds (what bpf_ktime_get_ns reads), before
  // attaching; if it stays 0, the first probe that reads `elapsed` stores its
  // own time instead. Not a script map: not in `maps`, never printed.
  std::string start_time_elf_name;
  std::string command_pid_elf_name;  // `cpid`: the runtime stores the -c command's pid
  // Set when the script captures a stack (see the stack store above): the
  // store (BPF_MAP_TYPE_HASH, u64 id -> record, no preallocation), its per-CPU
  // scratch record (BPF_MAP_TYPE_PERCPU_ARRAY, one entry), and the per-CPU
  // error counters (BPF_MAP_TYPE_PERCPU_ARRAY, StackError::Count u64 entries).
  // The runtime may change stack_map_entries before loading.
  std::string stacks_elf_name;
  std::string stack_scratch_elf_name;
  std::string stack_errors_elf_name;
  uint32_t stack_map_entries = 0;
  // Set when the script uses ustack(dwarf): the StackSnapshot event's id (-1:
  // none), the stack bytes each snapshot keeps, and the BPF_MAP_TYPE_ARRAY
  // (one u64) whose atomic increments number the snapshots.
  int stack_snapshot_event = -1;
  uint32_t stack_snapshot_bytes = 0;
  std::string stack_snapshot_seq_elf_name;
  // Set when the script uses ustack(auto): a BPF_MAP_TYPE_ARRAY (u32 key 0,
  // u64 value) the runtime sets before attaching: 1 captures ustack(auto)
  // as ustack(dwarf), 0 with frame pointers (docs/stacks.md says when).
  std::string stack_auto_elf_name;
  // Set when a probe attached at several functions (a uprobe wildcard or an
  // address) reads `func`: a BPF_MAP_TYPE_ARRAY from the probe's BPF cookie
  // (u32 key) to the function's NUL-padded name of `func_name_size` bytes.
  // The runtime sizes it (max_entries) to the number of sites before loading
  // and fills it before attaching; each site's cookie is its index here.
  std::string func_names_elf_name;
  // Set when the script updates a map: a BPF_MAP_TYPE_PERCPU_ARRAY of u64
  // counters indexed by Manifest::maps index, counting updates that failed
  // (the map was full: --map-size / map_size). Reported at exit.
  std::string map_errors_elf_name;
  // Set when the script sends events: a BPF_MAP_TYPE_PERCPU_ARRAY of
  // kLostEventSlots u64 counters, slot min(event id, kLostEventSlots - 1),
  // counting events the ring buffer had no room for. The runtime reports them
  // at exit and stops on a lost exit() as if it had arrived.
  std::string lost_events_elf_name;
  uint32_t func_name_size = 64;
  // --in-process: the maps the native programs use, in handle order.
  std::vector<InProcessMap> in_process_maps;

  const MapDesc* find_map(const std::string& name) const;
};

// A stable, human-readable rendering for `-d manifest` and tests.
std::string to_text(const Manifest& m);

}  // namespace ms::manifest
