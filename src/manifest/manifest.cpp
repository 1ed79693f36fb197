#include "manifest/manifest.h"

#include <sstream>

namespace ms::manifest {

const char* to_string(AggKind k) {
  switch (k) {
    case AggKind::None: return "none";
    case AggKind::Count: return "count";
    case AggKind::Sum: return "sum";
    case AggKind::Min: return "min";
    case AggKind::Max: return "max";
    case AggKind::Avg: return "avg";
    case AggKind::Stats: return "stats";
    case AggKind::Hist: return "hist";
    case AggKind::Lhist: return "lhist";
  }
  return "?";
}

const char* to_string(ProbeType t) {
  switch (t) {
    case ProbeType::Begin: return "BEGIN";
    case ProbeType::End: return "END";
    case ProbeType::Uprobe: return "uprobe";
    case ProbeType::Uretprobe: return "uretprobe";
    case ProbeType::Tracepoint: return "tracepoint";
    case ProbeType::Interval: return "interval";
    case ProbeType::Profile: return "profile";
    case ProbeType::Software: return "software";
    case ProbeType::RawTracepoint: return "rawtracepoint";
    case ProbeType::Usdt: return "usdt";
  }
  return "?";
}

const char* to_string(EventKind k) {
  switch (k) {
    case EventKind::Printf: return "printf";
    case EventKind::Exit: return "exit";
    case EventKind::Print: return "print";
    case EventKind::Clear: return "clear";
    case EventKind::Zero: return "zero";
    case EventKind::Value: return "value";
    case EventKind::Time: return "time";
    case EventKind::LeakReport: return "leak_report";
    case EventKind::Join: return "join";
    case EventKind::StackSnapshot: return "stack_snapshot";
  }
  return "?";
}

const MapDesc* Manifest::find_map(const std::string& name) const {
  for (const auto& m : maps)
    if (m.name == name) return &m;
  return nullptr;
}

static void field_text(std::ostringstream& os, const Field& f) {
  switch (f.kind) {
    case FieldKind::Integer: os << (f.is_signed ? "s" : "u"); break;
    case FieldKind::String: os << "str"; break;
    case FieldKind::Buffer: os << "buf"; break;
    case FieldKind::UserStack: os << "ustack" << (f.stack_perf ? "(perf)" : "") << f.stack_limit << "/"; break;
    case FieldKind::KernelStack: os << "kstack" << (f.stack_perf ? "(perf)" : "") << f.stack_limit << "/"; break;
    case FieldKind::UserSymbol: os << "usym"; break;
    case FieldKind::KernelSymbol: os << "ksym"; break;
    case FieldKind::Tuple:
      os << "(";
      for (size_t i = 0; i < f.elements.size(); ++i) {
        if (i) os << ",";
        field_text(os, f.elements[i]);
      }
      os << ")";
      break;
    case FieldKind::Timestamp: os << "timestamp(" << f.format << ")"; break;
  }
  os << f.size << "@" << f.offset;
}

std::string to_text(const Manifest& m) {
  std::ostringstream os;
  os << "source " << m.source_file << "\n";
  for (const auto& p : m.probes) {
    os << "probe " << p.prog_name << " " << to_string(p.type);
    if (!p.target.empty()) os << " target=" << p.target;
    if (!p.func.empty()) os << " func=" << p.func;
    if (p.interval_ns) os << " interval_ns=" << p.interval_ns;
    if (p.period) os << (p.frequency ? " frequency=" : " period=") << p.period;
    if (p.session) os << " session_with=" << p.session_display;
    if (p.type == ProbeType::Usdt)
      os << " provider=" << p.usdt_provider << " location=" << p.usdt_location << " offset=0x" << std::hex
         << p.file_offset << " ref_ctr_offset=0x" << p.ref_ctr_offset << std::dec;
    os << " line=" << p.line << (p.in_process ? " in_process" : "") << "\n";
  }
  for (const auto& mp : m.maps) {
    os << "map " << mp.name << " elf=" << mp.elf_name << (mp.percpu ? " percpu" : "") << " agg=" << to_string(mp.agg)
       << " max_entries=" << mp.max_entries << (mp.declared ? " declared" : "") << (mp.lru ? " lru" : "") << (mp.task_storage ? " task_storage" : "") << (mp.in_process ? " in_process" : "") << " key_size=" << mp.key_size << " key=[";
    for (size_t i = 0; i < mp.key.size(); ++i) {
      if (i) os << ",";
      field_text(os, mp.key[i]);
    }
    os << "] value=";
    field_text(os, mp.value);
    os << " value_size=" << mp.value_size;
    if (mp.agg == AggKind::Lhist) os << " lhist=" << mp.lhist_min << "," << mp.lhist_max << "," << mp.lhist_step;
    os << "\n";
  }
  for (const auto& e : m.events) {
    os << "event " << e.id << " " << to_string(e.kind) << " size=" << e.size;
    if (e.map_index >= 0) os << " map=" << e.map_index;
    if (e.top) os << " top=" << e.top;
    if (e.div != 1) os << " div=" << e.div;
    if (!e.format.empty()) os << " format=\"" << e.format << "\"";
    if (!e.args.empty()) {
      os << " args=[";
      for (size_t i = 0; i < e.args.size(); ++i) {
        if (i) os << ",";
        field_text(os, e.args[i]);
      }
      os << "]";
    }
    os << " line=" << e.line << "\n";
  }
  os << "ringbuf " << m.ringbuf_elf_name << " size=" << m.ringbuf_size << "\n";
  if (!m.start_time_elf_name.empty()) os << "start_time " << m.start_time_elf_name << "\n";
  if (!m.command_pid_elf_name.empty()) os << "command_pid " << m.command_pid_elf_name << "\n";
  if (!m.stacks_elf_name.empty())
    os << "stacks " << m.stacks_elf_name << " entries " << m.stack_map_entries << " scratch " << m.stack_scratch_elf_name
       << " errors " << m.stack_errors_elf_name << "\n";
  if (m.stack_snapshot_event >= 0)
    os << "stack_snapshots event=" << m.stack_snapshot_event << " bytes=" << m.stack_snapshot_bytes << " seq "
       << m.stack_snapshot_seq_elf_name << "\n";
  if (!m.stack_auto_elf_name.empty()) os << "stack_auto " << m.stack_auto_elf_name << "\n";
  if (!m.func_names_elf_name.empty())
    os << "func_names " << m.func_names_elf_name << " size=" << m.func_name_size << "\n";
  static const char* const kKinds[] = {"hash", "array", "task_storage", "scratch", "ring"};
  for (size_t i = 0; i < m.in_process_maps.size(); ++i) {
    const auto& ip = m.in_process_maps[i];
    os << "in_process_map " << i << " " << ip.elf_name << " " << kKinds[static_cast<int>(ip.kind)]
       << " key_size=" << ip.key_size << " value_size=" << ip.value_size << " max_entries=" << ip.max_entries << "\n";
  }
  return os.str();
}

}  // namespace ms::manifest
