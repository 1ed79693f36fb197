// Benchmark (not a test): symbolise 10,000 distinct user stacks of 20 frames
// each, as a report of a leaky program would, and print the time taken.
// Addresses are drawn at random from the executable mappings of this process
// (libc, libstdc++, the binary itself), symbolised through the same path as a
// report: the mappings read once, symbol tables loaded on first use, cached.
//
//   build/bench/ms_symbolize_bench [stacks] [frames]
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>

#include "runtime/stack_renderer.h"
#include "runtime/symbolizer.h"

int main(int argc, char** argv) {
  using namespace ms::runtime;
  const int stacks = argc > 1 ? std::atoi(argv[1]) : 10000;
  const int frames = argc > 2 ? std::atoi(argv[2]) : 20;

  std::ifstream f("/proc/self/maps");
  std::stringstream ss;
  ss << f.rdbuf();
  // Executable file mappings only: where return addresses live.
  std::vector<Mapping> text;
  {
    std::istringstream in(ss.str());
    std::string line;
    while (std::getline(in, line)) {
      if (line.find(" r-xp ") == std::string::npos) continue;
      auto one = parse_proc_maps(line + "\n");
      if (!one.empty()) text.push_back(one[0]);
    }
  }
  if (text.empty()) {
    std::fprintf(stderr, "no executable mappings found\n");
    return 1;
  }

  std::mt19937_64 rng(42);
  auto t0 = std::chrono::steady_clock::now();
  Symbolizer symbolizer;
  symbolizer.remember_process(getpid());
  StackRenderer renderer(symbolizer);
  for (int i = 0; i < stacks; ++i) {
    StackRecord r;
    r.owner = static_cast<uint64_t>(getpid());
    for (int j = 0; j < frames; ++j) {
      const Mapping& m = text[rng() % text.size()];
      r.frames.push_back(m.start + rng() % (m.end - m.start));
    }
    renderer.add(static_cast<uint64_t>(i + 1), std::move(r));
  }
  size_t bytes = 0, unknown = 0;
  for (int i = 0; i < stacks; ++i) {
    std::string s = renderer.render_stack(static_cast<uint64_t>(i + 1), false, 127, false, true);
    bytes += s.size();
    for (size_t p = s.find("0x"); p != std::string::npos; p = s.find("0x", p + 2)) ++unknown;
  }
  auto t1 = std::chrono::steady_clock::now();
  double ms = std::chrono::duration<double, std::milli>(t1 - t0).count();
  std::printf("symbolised %d stacks x %d frames (%zu modules) in %.1f ms (%.2f us/frame); %zu bytes, %zu unresolved frames\n",
              stacks, frames, text.size(), ms, ms * 1000.0 / (static_cast<double>(stacks) * frames), bytes, unknown);
  return 0;
}
