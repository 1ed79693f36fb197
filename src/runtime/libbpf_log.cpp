#include "runtime/libbpf_log.h"

#include <bpf/libbpf.h>

#include <cstdarg>
#include <cstdio>

namespace ms::runtime {

namespace {

std::string g_messages;
std::string g_last_warning;
bool g_echo = false;

int print_callback(enum libbpf_print_level level, const char* format, va_list args) {
  if (level == LIBBPF_DEBUG && !g_echo) return 0;
  va_list copy;
  va_copy(copy, args);
  char buf[1024];
  int n = std::vsnprintf(buf, sizeof buf, format, copy);
  va_end(copy);
  if (n < 0) return 0;
  std::string line(buf, std::min<size_t>(static_cast<size_t>(n), sizeof buf - 1));
  g_messages += line;
  if (level == LIBBPF_WARN) {
    std::string trimmed = line;
    while (!trimmed.empty() && (trimmed.back() == '\n' || trimmed.back() == ' ')) trimmed.pop_back();
    if (trimmed.rfind("libbpf: ", 0) == 0) trimmed.erase(0, 8);
    if (!trimmed.empty()) g_last_warning = trimmed;
  }
  if (g_echo) std::fputs(line.c_str(), stderr);
  return 0;
}

}  // namespace

void capture_libbpf_messages(bool echo) {
  g_echo = echo;
  libbpf_set_print(print_callback);
}

std::string take_libbpf_messages() {
  std::string out;
  out.swap(g_messages);
  g_last_warning.clear();
  return out;
}

std::string last_libbpf_warning() { return g_last_warning; }

}  // namespace ms::runtime
