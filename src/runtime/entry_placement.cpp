// Emulation-aware placement of entry uprobes: the runtime half. It finds each
// probed function's code in its file and asks the placer (codegen's x86
// decoder, wired in by main) where the probe should go.
#include <fcntl.h>
#include <unistd.h>

#include <unordered_map>

#include "runtime/elf_symbols.h"
#include "runtime/probe_checks.h"

namespace ms::runtime {

namespace {

// Enough for the decoder to scan a prologue and the branches of a typical
// allocator entry; a longer function is scanned up to here only.
constexpr size_t kMaxScan = 16384;

std::vector<uint8_t> read_code(const std::string& path, uint64_t file_offset, uint64_t size) {
  size_t n = size == 0 ? 64 : std::min<uint64_t>(size, kMaxScan);
  std::vector<uint8_t> code(n);
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return {};
  ssize_t got = pread(fd, code.data(), n, static_cast<off_t>(file_offset));
  close(fd);
  code.resize(got > 0 ? static_cast<size_t>(got) : 0);
  return code;
}

// The functions of one file, by file offset and by name (aliases share an
// offset), read once per file.
class FunctionIndex {
 public:
  const FunctionSymbol* at(const std::string& path, uint64_t file_offset) {
    const File& f = file(path);
    auto it = f.by_offset.find(file_offset);
    return it == f.by_offset.end() ? nullptr : &f.functions[it->second];
  }
  const FunctionSymbol* named(const std::string& path, const std::string& name) {
    const File& f = file(path);
    auto it = f.by_name.find(name);
    return it == f.by_name.end() ? nullptr : &f.functions[it->second];
  }

 private:
  struct File {
    std::vector<FunctionSymbol> functions;
    std::unordered_map<uint64_t, size_t> by_offset;
    std::unordered_map<std::string, size_t> by_name;
  };
  const File& file(const std::string& path) {
    auto [it, inserted] = files_.try_emplace(path);
    if (inserted) {
      std::string error;
      File& f = it->second;
      f.functions = list_functions(path, error);
      for (size_t i = 0; i < f.functions.size(); ++i) {
        if (f.functions[i].indirect) continue;  // an IFUNC resolver is not the code that runs
        f.by_offset.try_emplace(f.functions[i].file_offset, i);
        f.by_name.try_emplace(f.functions[i].name, i);
      }
    }
    return it->second;
  }
  std::unordered_map<std::string, File> files_;
};

}  // namespace

void place_entry_probes(const manifest::Manifest& manifest, const std::vector<std::string>& resolved_paths,
                        std::vector<UprobePlan>& plans, const EntryProbePlacer& placer, std::string* log) {
  if (!placer) return;
  FunctionIndex functions;
  auto place = [&](const std::string& path, const FunctionSymbol& f, const std::string& name,
                   const std::string& display) -> uint64_t {
    std::vector<uint8_t> code = read_code(path, f.file_offset, f.size);
    std::string why;
    uint64_t off = code.empty() ? 0 : placer(code.data(), code.size(), &why);
    if (off > 0 && log) *log += "placing " + display + " at " + name + "+" + std::to_string(off) + " (" + why + ")\n";
    return off;
  };
  for (size_t i = 0; i < manifest.probes.size() && i < plans.size() && i < resolved_paths.size(); ++i) {
    const auto& p = manifest.probes[i];
    const std::string& path = resolved_paths[i];
    if (p.type != manifest::ProbeType::Uprobe || path.empty()) continue;
    // Only a function's entry moves: FUNC+OFFSET and raw addresses are where the user put them.
    auto spec = parse_uprobe_function(p.func);
    if (!spec || spec->is_address || p.func.find('+') != std::string::npos) continue;
    UprobePlan& plan = plans[i];
    if (!plan.func.empty()) {
      if (plan.func_offset != 0) continue;
      if (const FunctionSymbol* f = functions.named(path, plan.func)) plan.func_offset = place(path, *f, plan.func, p.display);
      continue;
    }
    for (auto& site : plan.sites)
      if (const FunctionSymbol* f = functions.at(path, site.file_offset)) site.file_offset += place(path, *f, site.name, p.display);
  }
}

}  // namespace ms::runtime
