#include "usdt/usdt_reader.h"

#include <bcc/bcc_usdt.h>
#include <dlfcn.h>

#include <cstdlib>
#include <mutex>

// AddressSanitizer aborts on a dlopen() with RTLD_DEEPBIND, and without it
// libbcc's LLVM 14 binds to memscript's exported LLVM 19 symbols and
// corrupts the heap (seen: "munmap_chunk(): invalid pointer" at exit).
#if defined(__SANITIZE_ADDRESS__)
#define MS_USDT_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define MS_USDT_SANITIZED 1
#endif
#endif
#ifndef MS_USDT_SANITIZED
#define MS_USDT_SANITIZED 0
#endif

namespace ms::usdt {

bool available_in_this_build() { return !MS_USDT_SANITIZED; }

namespace {

// The few libbcc entry points used, resolved once from the dlopen()ed library.
struct BccApi {
  decltype(&::bcc_usdt_new_frompath) new_frompath = nullptr;
  decltype(&::bcc_usdt_foreach) foreach = nullptr;
  decltype(&::bcc_usdt_get_location) get_location = nullptr;
  decltype(&::bcc_usdt_get_argument) get_argument = nullptr;
  decltype(&::bcc_usdt_close) close = nullptr;
  std::string error;
};

const BccApi& bcc_api() {
  static BccApi api;
  static std::once_flag once;
  std::call_once(once, [] {
#if MS_USDT_SANITIZED
    api.error =
        "USDT probes are not available in this sanitizer build: bcc's library must be loaded with RTLD_DEEPBIND "
        "(to keep its LLVM 14 apart from memscript's LLVM 19), which AddressSanitizer refuses";
    return;
#endif
    // DEEPBIND: libbcc's (and its LLVM 14's) references resolve inside its own
    // dependencies before the global scope, where memscript's LLVM 19 is.
    void* h = dlopen("libbcc.so.0", RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND);
    if (!h) {
      const char* e = dlerror();
      api.error = std::string("cannot load bcc's library (install libbpfcc): ") + (e ? e : "dlopen failed");
      return;
    }
    auto sym = [&](const char* name) {
      void* p = dlsym(h, name);
      if (!p && api.error.empty()) api.error = std::string("bcc's library has no ") + name;
      return p;
    };
    api.new_frompath = reinterpret_cast<decltype(api.new_frompath)>(sym("bcc_usdt_new_frompath"));
    api.foreach = reinterpret_cast<decltype(api.foreach)>(sym("bcc_usdt_foreach"));
    api.get_location = reinterpret_cast<decltype(api.get_location)>(sym("bcc_usdt_get_location"));
    api.get_argument = reinterpret_cast<decltype(api.get_argument)>(sym("bcc_usdt_get_argument"));
    api.close = reinterpret_cast<decltype(api.close)>(sym("bcc_usdt_close"));
  });
  return api;
}

// bcc_usdt_foreach's callback takes no user pointer: collect through this.
thread_local std::vector<bcc_usdt>* t_collected = nullptr;

}  // namespace

std::optional<UsdtArgument> argument_from_bcc(int size, int valid, long long constant, int deref_offset,
                                              const char* deref_ident, const char* base_register,
                                              const char* index_register, int scale, std::string& error) {
  UsdtArgument a;
  a.is_signed = size < 0;
  int bytes = size < 0 ? -size : size;
  if (bytes != 1 && bytes != 2 && bytes != 4 && bytes != 8) {
    error = "argument size " + std::to_string(size) + " is not 1, 2, 4 or 8 bytes";
    return std::nullopt;
  }
  a.size = static_cast<uint32_t>(bytes);
  if (valid & BCC_USDT_ARGUMENT_CONSTANT) {
    a.kind = UsdtArgKind::Constant;
    a.constant = constant;
    return a;
  }
  if (!(valid & BCC_USDT_ARGUMENT_BASE_REGISTER_NAME) || !base_register) {
    error = "argument has neither a constant nor a register";
    return std::nullopt;
  }
  a.base_register = base_register;
  if (!pt_regs_offset(a.base_register)) {
    error = "unknown register '" + a.base_register + "'";
    return std::nullopt;
  }
  bool memory = valid & (BCC_USDT_ARGUMENT_DEREF_OFFSET | BCC_USDT_ARGUMENT_DEREF_IDENT |
                         BCC_USDT_ARGUMENT_INDEX_REGISTER_NAME);
  if (!memory) {
    a.kind = UsdtArgKind::Register;
    return a;
  }
  a.kind = UsdtArgKind::Memory;
  if (valid & BCC_USDT_ARGUMENT_DEREF_OFFSET) a.offset = deref_offset;
  if ((valid & BCC_USDT_ARGUMENT_DEREF_IDENT) && deref_ident) a.symbol = deref_ident;
  if ((valid & BCC_USDT_ARGUMENT_INDEX_REGISTER_NAME) && index_register) {
    a.index_register = index_register;
    if (!pt_regs_offset(a.index_register)) {
      error = "unknown register '" + a.index_register + "'";
      return std::nullopt;
    }
    a.scale = (valid & BCC_USDT_ARGUMENT_SCALE) ? scale : 1;
  }
  return a;
}

UsdtLookup read_probes(const std::string& path) {
  UsdtLookup out;
  out.path = path;
  const BccApi& api = bcc_api();
  if (!api.error.empty()) {
    out.error = api.error;
    return out;
  }
  void* ctx = api.new_frompath(path.c_str());
  if (!ctx) {
    // bcc also refuses a file with no USDT notes this way; the caller has
    // checked that the file exists and is ELF, so report "no probes".
    return out;
  }
  std::vector<bcc_usdt> found;
  t_collected = &found;
  api.foreach(ctx, [](bcc_usdt* p) { t_collected->push_back(*p); });
  t_collected = nullptr;
  for (const bcc_usdt& p : found) {
    UsdtProbe probe;
    probe.path = path;
    probe.provider = p.provider ? p.provider : "";
    probe.name = p.name ? p.name : "";
    probe.semaphore_offset = p.semaphore ? p.semaphore_offset : 0;
    for (int l = 0; l < p.num_locations; ++l) {
      bcc_usdt_location loc{};
      if (api.get_location(ctx, p.provider, p.name, l, &loc) != 0) {
        out.error = "cannot read location " + std::to_string(l) + " of " + probe.provider + ":" + probe.name;
        break;
      }
      UsdtLocation location;
      location.address = loc.address;
      for (int i = 0; i < p.num_arguments; ++i) {
        bcc_usdt_argument arg{};
        std::string why;
        std::optional<UsdtArgument> a;
        if (api.get_argument(ctx, p.provider, p.name, l, i, &arg) != 0)
          why = "bcc cannot decode it";
        else
          a = argument_from_bcc(arg.size, arg.valid, arg.constant, arg.deref_offset, arg.deref_ident,
                                arg.base_register_name, arg.index_register_name, arg.scale, why);
        if (!a) {
          out.error = probe.provider + ":" + probe.name + " argument " + std::to_string(i) + ": " + why;
          break;
        }
        location.args.push_back(std::move(*a));
      }
      if (!out.error.empty()) break;
      probe.locations.push_back(std::move(location));
    }
    if (!out.error.empty()) break;
    out.probes.push_back(std::move(probe));
  }
  api.close(ctx);
  return out;
}

}  // namespace ms::usdt
