// Native numbers beyond the reference workload: GEMM on other shapes (a word-level output layer),
// activations, the word tokenizer, GRU and RNN training steps. Prints medians; tests/bench/run.sh
// runs it (section kernels-native, printed but not in the summary table).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <vector>

#include <cmath>
#include <xsimd/xsimd.hpp>
// GCC 12's AVX-512 intrinsics start from _mm512_undefined_ps and warn about it wherever they are
// inlined (GCC bug 105593, fixed in 13).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif

#include "io/safetensors.h"
#include "kernels/kernels.h"
#include "kernels/simd_math.h"
#include "tasks/session.h"

using Clock = std::chrono::steady_clock;

static double median_ms(const std::function<void()>& f, int reps) {
  f();  // warm-up
  std::vector<double> t;
  for (int i = 0; i < reps; ++i) {
    auto a = Clock::now();
    f();
    t.push_back(std::chrono::duration<double, std::milli>(Clock::now() - a).count());
  }
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

// One of simd_math's approximations over an array of whole registers, on the calling thread.
template <class Fn>
static void map_lanes(size_t n, const float* x, float* y, Fn f) {
  using Vec = xsimd::batch<float>;
  for (size_t i = 0; i + Vec::size <= n; i += Vec::size) f(Vec::load_unaligned(x + i)).store_unaligned(y + i);
}

int main() {
  using namespace rnn::kernels;
  std::printf("simd: %s, %d floats per register\n", simd_arch(), simd_width());
  struct Shape { const char* what; int M, N, K; };
  const Shape shapes[] = {{"square 256", 256, 256, 256},
                          {"LSTM step h·W_hhᵀ (B=32,H=256)", 32, 1024, 256},
                          {"LSTM inputs X·W_ihᵀ (T·B=2048)", 2048, 1024, 256},
                          {"output layer (T·B=512, V=6783, H=128)", 512, 6783, 128},
                          {"generation GEMV (1×1024×256)", 1, 1024, 256}};
  std::printf("%-42s %10s %10s %10s %10s\n", "GEMM GFLOP/s (median)", "A·Bᵀ", "A·B", "Aᵀ·B", "ref A·B");
  for (const Shape& s : shapes) {
    std::vector<float> A((size_t)s.M * s.K, 0.5f), B((size_t)s.K * s.N, 0.25f), C((size_t)s.M * s.N);
    const double flop = 2.0 * s.M * s.N * s.K;
    const int reps = flop > 1e9 ? 5 : 21;
    auto gf = [&](auto fn) { return flop / median_ms([&] { fn(s.M, s.N, s.K, A.data(), B.data(), C.data(), true); }, reps) / 1e6; };
    const double ref = flop < 2e9 ? gf(ref::matmul_nn) : 0.0;
    std::printf("%-42s %10.1f %10.1f %10.1f %10.1f\n", s.what, gf(matmul_nt), gf(matmul_nn), gf(matmul_tn), ref);
  }
  {
    const size_t n = 1 << 20;
    std::vector<float> x(n, 0.3f), y(n);
    using Vec = xsimd::batch<float>;
    const double ms_s = median_ms([&] { map_lanes(n, x.data(), y.data(), [](Vec v) { return rnn::simd_math::sigmoid(v); }); }, 21);
    const double ms_t = median_ms([&] { map_lanes(n, x.data(), y.data(), [](Vec v) { return rnn::simd_math::tanh(v); }); }, 21);
    const double ms_r = median_ms([&] { for (size_t i = 0; i < n; ++i) y[i] = std::tanh(x[i]); }, 21);
    std::printf("activations (1M floats, 1 thread): sigmoid %.2f ms, tanh %.2f ms (std::tanh %.2f ms)\n", ms_s, ms_t, ms_r);
  }
  {
    // Word-level tokenizer on the largest corpus (path from RNN_DATA_DIR or ../shared/data).
    const char* dir = std::getenv("RNN_DATA_DIR");
    const std::string path = std::string(dir ? dir : "../shared/data") + "/seinfeld_scripts.txt";
    try {
      const std::string text = rnn::safetensors::read_file(path);
      rnn::TokenizerOptions wo;
      wo.kind = rnn::TokenizerKind::Word;
      size_t n = 0;
      const double ms = median_ms([&] { n = rnn::Tokenizer::build(text, wo).encode(text).size(); }, 5);
      std::printf("word tokenizer, build + encode %.1f MB (%zu tokens): %.0f ms\n", text.size() / 1e6, n, ms);
    } catch (const rnn::Error& e) {
      std::printf("word tokenizer: skipped (%s)\n", e.what());
    }
  }
  // Whole training steps on a synthetic corpus.
  std::string text;
  rnn::Rng rng(1);
  for (int i = 0; i < 400000; ++i) text += (char)('a' + rng.below(26));
  struct Cfg { const char* what; const char* json; };
  const Cfg cfgs[] = {
      {"char LSTM 2×256, emb 64, B32×T64", R"({"hidden":256,"layers":2,"embedding":64,"batchSize":32,"seqLength":64})"},
      {"char GRU 1×128, B32×T64", R"({"cell":"gru","hidden":128,"layers":1,"batchSize":32,"seqLength":64})"},
      {"char RNN 1×128, B32×T64", R"({"cell":"rnn","hidden":128,"layers":1,"batchSize":32,"seqLength":64})"}};
  for (const Cfg& c : cfgs) {
    rnn::Session s(text, rnn::parse_run_config(nlohmann::json::parse(c.json)));
    const double ms = median_ms([&] { s.step(); }, 9);
    std::printf("train step %-36s %8.1f ms  %9.0f tokens/s\n", c.what, ms, 32 * 64 / ms * 1000);
  }
}
