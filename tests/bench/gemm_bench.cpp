// GEMM GFLOP/s for the exact products one training step of the reference workload makes
// (char LM: Embedding 65→64, LSTM 256, LSTM 256, Dense →65; B = 32, T = 64, so T·B = 2048 rows),
// with the layout each call site uses, on 1 and 2 threads. The same source runs natively (CMake
// target gemm_bench, linked with core) and as WebAssembly (em++ in tests/bench/run.sh, against
// core/kernels/*.cpp only). Each result is checked against a double-precision
// dot product at sampled entries. Prints a table, then one JSON object on its last line.
// usage: gemm_bench [--quick] [--step-only]
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "kernels/kernels.h"
#include "kernels/threads.h"

namespace {

using Clock = std::chrono::steady_clock;
enum Layout { NN, NT, TN };
const char* layout_name(Layout l) { return l == NN ? "A·B" : l == NT ? "A·Bᵀ" : "Aᵀ·B"; }
const char* layout_key(Layout l) { return l == NN ? "nn" : l == NT ? "nt" : "tn"; }

struct Shape {
  const char* name;  // what the product is in the model
  Layout layout;
  int M, N, K;
  bool accumulate;
  int per_step;         // calls per training step (0: not part of training, e.g. generation)
  bool packed = false;  // B packed once outside the timing (pack_nt / pack_nn + matmul_packed)
};

// T·B = 2048, H = 256, 4H = 1024, E = 64, V = 65. W_ih: 4H×I, W_hh: 4H×H (PyTorch layout).
// The recurrent products appear twice: as a plain call (B unpacked, the forward on a per-pass
// transposed copy of W_hh) and with B packed once per pass (kernels::matmul_packed). A training
// step uses one of the two; "per step" counts are on both rows, and the step-time estimate takes
// the faster of each pair (`alt_of` = index of the row it is an alternative to, or -1).
const Shape kShapes[] = {
    {"fwd  L1 input proj  X·W_ihᵀ (I=64)", NT, 2048, 1024, 64, false, 1},
    {"fwd  L2 input proj  X·W_ihᵀ (I=256)", NT, 2048, 1024, 256, false, 1},
    {"fwd  recurrent step h·W_hhᵀ (B=32, ×64 ×2 layers)", NN, 32, 1024, 256, true, 128},
    {"fwd    same, W_hh packed once (matmul_packed)", NT, 32, 1024, 256, true, 128, true},
    {"fwd  output layer   H·W_outᵀ", NT, 2048, 65, 256, false, 1},
    {"bwd  output dH = dY·W_out", NN, 2048, 256, 65, false, 1},
    {"bwd  output dW_out += dYᵀ·H", TN, 65, 256, 2048, true, 1},
    {"bwd  recurrent step dh = dG_t·W_hh (×64 ×2)", NN, 32, 256, 1024, false, 128},
    {"bwd    same, W_hh packed once (matmul_packed)", NN, 32, 256, 1024, false, 128, true},
    {"bwd  L1 dW_ih += dGᵀ·X (I=64)", TN, 1024, 64, 2048, true, 1},
    {"bwd  dW_hh ×2, L2 dW_ih += dGᵀ·X (K=2048)", TN, 1024, 256, 2048, true, 3},
    {"bwd  L2 dx = dG·W_ih (to layer 1)", NN, 2048, 256, 1024, false, 1},
    {"bwd  L1 dx = dG·W_ih (to embedding)", NN, 2048, 64, 1024, false, 1},
    {"gen  one token h·W_hhᵀ (B=1)", NT, 1, 1024, 256, true, 0},
    {"gen    same, W_hh packed once (matmul_packed)", NT, 1, 1024, 256, true, 0, true},
    // The output layer of a word model (LSTM 256, T·B = 32 × 32), full softmax: at 10 K and 33 K
    // words it is most of a step. Not in the reference step (×step 0); the report sets their share
    // of peak beside the recurrent products'.
    {"word 10K  fwd  logits  H·W_outᵀ", NT, 1024, 10000, 256, false, 0},
    {"word 10K  bwd  dH = dY·W_out", NN, 1024, 256, 10000, false, 0},
    {"word 10K  bwd  dW_out += dYᵀ·H", TN, 10000, 256, 1024, true, 0},
    {"word 33K  fwd  logits  H·W_outᵀ", NT, 1024, 33000, 256, false, 0},
    {"word 33K  bwd  dH = dY·W_out", NN, 1024, 256, 33000, false, 0},
    {"word 33K  bwd  dW_out += dYᵀ·H", TN, 33000, 256, 1024, true, 0},
};
constexpr int kShapeCount = sizeof(kShapes) / sizeof(kShapes[0]);
// A packed row is the alternative of the row just above it.
int alt_of(int i) { return kShapes[i].packed ? i - 1 : -1; }

// `s` padded with spaces to `width` characters (code points, not bytes: the names hold ᵀ and ×).
std::string pad(const char* s, size_t width) {
  std::string out = s;
  size_t chars = 0;
  for (const char* p = s; *p; ++p) chars += ((unsigned char)*p & 0xC0) != 0x80;
  if (chars < width) out.append(width - chars, ' ');
  return out;
}

void run(const Shape& s, const float* A, const float* B, float* C, const rnn::kernels::PackedMatrix* P) {
  using namespace rnn::kernels;
  if (s.packed) return matmul_packed(s.M, A, *P, C, s.accumulate);
  switch (s.layout) {
    case NN: matmul_nn(s.M, s.N, s.K, A, B, C, s.accumulate); break;
    case NT: matmul_nt(s.M, s.N, s.K, A, B, C, s.accumulate); break;
    case TN: matmul_tn(s.M, s.N, s.K, A, B, C, s.accumulate); break;
  }
}

// A(i, k) and B(k, j) of the product C = op(A)·op(B), whatever the storage layout.
double a_at(const Shape& s, const float* A, int i, int k) { return s.layout == TN ? A[(size_t)k * s.M + i] : A[(size_t)i * s.K + k]; }
double b_at(const Shape& s, const float* B, int k, int j) { return s.layout == NT ? B[(size_t)j * s.K + k] : B[(size_t)k * s.N + j]; }

// Largest |C − exact| / (Σ|a·b| + tiny) over sampled entries of one fresh product.
double check(const Shape& s, const float* A, const float* B, float* C, const rnn::kernels::PackedMatrix* P) {
  std::fill(C, C + (size_t)s.M * s.N, 0.5f);
  run(s, A, B, C, P);
  double worst = 0;
  uint32_t r = 12345;
  for (int n = 0; n < 256; ++n) {
    r = r * 1664525u + 1013904223u;
    const int i = (int)((r >> 8) % (uint32_t)s.M);
    r = r * 1664525u + 1013904223u;
    const int j = (int)((r >> 8) % (uint32_t)s.N);
    double exact = s.accumulate ? 0.5 : 0.0, mag = 1e-30;
    for (int k = 0; k < s.K; ++k) {
      const double p = a_at(s, A, i, k) * b_at(s, B, k, j);
      exact += p;
      mag += std::fabs(p);
    }
    worst = std::max(worst, std::fabs(C[(size_t)i * s.N + j] - exact) / mag);
  }
  return worst;
}

// Median GFLOP/s over `reps` samples; each sample repeats the call until it lasts >= min_ms.
double measure(const Shape& s, const float* A, const float* B, float* C, const rnn::kernels::PackedMatrix* P,
               int reps, double min_ms) {
  const double flop = 2.0 * s.M * s.N * s.K;
  run(s, A, B, C, P);  // warm-up (pool start, caches)
  int calls = 1;
  for (;;) {
    const auto t0 = Clock::now();
    for (int c = 0; c < calls; ++c) run(s, A, B, C, P);
    const double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
    if (ms >= min_ms || calls >= (1 << 20)) break;
    calls = ms <= 0 ? calls * 16 : std::max(calls + 1, (int)std::ceil(calls * min_ms * 1.2 / ms));
  }
  std::vector<double> g;
  for (int r = 0; r < reps; ++r) {
    const auto t0 = Clock::now();
    for (int c = 0; c < calls; ++c) run(s, A, B, C, P);
    const double sec = std::chrono::duration<double>(Clock::now() - t0).count();
    g.push_back(flop * calls / sec / 1e9);
  }
  std::sort(g.begin(), g.end());
  return g[g.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  bool quick = false, step_only = false;  // --step-only: the reference step's products alone (tile experiments)
  for (int a = 1; a < argc; ++a) {
    quick |= std::strcmp(argv[a], "--quick") == 0;
    step_only |= std::strcmp(argv[a], "--step-only") == 0;
  }
  const int reps = quick ? 5 : 9;
  const double min_ms = quick ? 8 : 20;
  const int max_t = std::min(2, rnn::threads::max_threads());
  std::vector<int> counts = {1};
  if (max_t >= 2) counts.push_back(2);

  std::printf("simd: %s, %d floats per register; threads available: %d\n", rnn::kernels::simd_arch(),
              rnn::kernels::simd_width(), rnn::threads::max_threads());
  std::printf("%s %s %5s %5s %5s %s %9s %9s %9s\n", pad("GEMM (row-major), GFLOP/s median", 52).c_str(),
              pad("op", 5).c_str(), "M", "N", "K", " ×step", "1 thr", "2 thr", "max err");
  std::string json = std::string("{\"simd\":\"") + rnn::kernels::simd_arch() +
                     "\",\"simdWidth\":" + std::to_string(rnn::kernels::simd_width()) + ",\"shapes\":[";
  std::vector<std::vector<double>> gflops(kShapeCount);
  bool bad = false;
  for (int i = 0; i < kShapeCount; ++i) {
    const Shape& s = kShapes[i];
    if (step_only && s.per_step == 0) {
      gflops[i].assign(counts.size(), 0.0);
      continue;
    }
    std::vector<float> A((size_t)s.M * s.K), B((size_t)s.K * s.N), C((size_t)s.M * s.N);
    uint32_t r = 7;
    auto rnd = [&] { r = r * 1664525u + 1013904223u; return (float)((r >> 8) * (1.0 / 16777216.0) * 2 - 1); };
    for (float& v : A) v = rnd();
    for (float& v : B) v = rnd();
    rnn::kernels::PackedMatrix P;  // packed once, outside the timing, as a training pass does
    if (s.packed && s.layout == NT) rnn::kernels::pack_nt(s.N, s.K, B.data(), P);
    if (s.packed && s.layout == NN) rnn::kernels::pack_nn(s.K, s.N, B.data(), P);
    const double flop = 2.0 * s.M * s.N * s.K;
    rnn::threads::set_count(1);
    const double err = check(s, A.data(), B.data(), C.data(), &P);
    if (!(err < 1e-4)) bad = true;
    std::vector<double>& g = gflops[i];
    for (int t : counts) {
      rnn::threads::set_count(t);
      g.push_back(measure(s, A.data(), B.data(), C.data(), &P, reps, min_ms));
    }
    char g2[32] = "-";
    if (g.size() > 1) std::snprintf(g2, sizeof g2, "%.1f", g[1]);
    std::printf("%s %s %5d %5d %5d %6d %9.1f %9s %9.1e%s\n", pad(s.name, 52).c_str(), pad(layout_name(s.layout), 5).c_str(),
                s.M, s.N, s.K, s.per_step, g[0], g2, err, err < 1e-4 ? "" : "  <- WRONG");
    char buf[640];
    std::snprintf(buf, sizeof buf,
                  "%s{\"name\":\"%s\",\"layout\":\"%s\",\"packed\":%s,\"altOf\":%d,\"M\":%d,\"N\":%d,\"K\":%d,"
                  "\"accumulate\":%s,\"perStep\":%d,\"flop\":%.0f,\"gflops1\":%.3f,\"gflops2\":%s,\"maxRelErr\":%.3g}",
                  i ? "," : "", s.name, layout_key(s.layout), s.packed ? "true" : "false", alt_of(i), s.M, s.N, s.K,
                  s.accumulate ? "true" : "false", s.per_step, flop, g[0],
                  g.size() > 1 ? std::to_string(g[1]).c_str() : "null", err);
    json += buf;
  }
  json += "],\"softmax\":[";

  // The fused softmax + cross-entropy + gradient (kernels::softmax_xent: one pass for the maximum,
  // one for exp and the sum, one writing the gradient over the logits) on the word model's 1024 rows:
  // against the three output GEMMs of the same vocabulary, its time is the rest of the output layer.
  std::printf("%s %9s %9s %s\n", pad("softmax + cross-entropy + gradient, in place, ms median", 52).c_str(), "1 thr",
              "2 thr", "  ns per logit (1 / 2 thr)");
  int si = 0;
  for (int V : {10000, 33000}) {
    if (step_only) break;
    const int n = 1024;
    std::vector<float> z((size_t)n * V), z0;
    std::vector<int32_t> y(n);
    std::vector<float> scale(n, 1.0f / n);
    std::vector<double> nll(n);
    uint32_t r = 9;
    for (float& v : z) v = (float)(((r = r * 1664525u + 1013904223u) >> 8) * (8.0 / 16777216.0) - 4);
    for (int i = 0; i < n; ++i) y[i] = (int32_t)((i * 7919u) % (uint32_t)V);
    z0 = z;
    std::vector<double> ms;
    for (int t : counts) {
      rnn::threads::set_count(t);
      std::vector<double> samples;
      for (int rep = 0; rep < reps; ++rep) {
        z = z0;  // the gradient overwrote the logits: start each sample from the same ones
        const auto t0 = Clock::now();
        rnn::kernels::softmax_xent(n, V, z.data(), y.data(), scale.data(), nll.data(), z.data());
        samples.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
      }
      std::sort(samples.begin(), samples.end());
      ms.push_back(samples[samples.size() / 2]);
    }
    char name[64], m2[32] = "-", ns2[32] = "-";
    std::snprintf(name, sizeof name, "word %dK  n = 1024, V = %d", V / 1000, V);
    if (ms.size() > 1) {
      std::snprintf(m2, sizeof m2, "%.2f", ms[1]);
      std::snprintf(ns2, sizeof ns2, "%.2f", ms[1] * 1e6 / ((double)n * V));
    }
    std::printf("%s %9.2f %9s   %.2f / %s\n", pad(name, 52).c_str(), ms[0], m2, ms[0] * 1e6 / ((double)n * V), ns2);
    json += std::string(si++ ? "," : "") + "{\"V\":" + std::to_string(V) + ",\"rows\":" + std::to_string(n) +
            ",\"ms1\":" + std::to_string(ms[0]) + ",\"ms2\":" + (ms.size() > 1 ? std::to_string(ms[1]) : "null") + "}";
  }
  rnn::threads::set_count(1);  // stops the pool's workers before exit

  // GEMM time of one training step: Σ count × time, the faster variant of each alternative pair.
  std::vector<double> step_ms(counts.size(), 0.0);
  double step_flop = 0;
  for (int i = 0; i < kShapeCount; ++i) {
    const Shape& s = kShapes[i];
    const bool has_alt = i + 1 < kShapeCount && alt_of(i + 1) == i;
    if (s.per_step == 0 || alt_of(i) >= 0) continue;  // alternatives are folded into their base row
    const double flop = 2.0 * s.M * s.N * s.K * s.per_step;
    step_flop += flop;
    for (size_t t = 0; t < counts.size(); ++t) {
      const double g = has_alt ? std::max(gflops[i][t], gflops[i + 1][t]) : gflops[i][t];
      step_ms[t] += flop / (g * 1e9) * 1e3;
    }
  }
  std::printf("GEMM time of one training step (Σ count × time, faster variant of each pair): 1 thread %.1f ms",
              step_ms[0]);
  if (step_ms.size() > 1) std::printf(", 2 threads %.1f ms", step_ms[1]);
  std::printf("  (%.2f GFLOP per step)\n", step_flop / 1e9);
  json += "],\"stepFlop\":" + std::to_string(step_flop) + ",\"stepGemmMs1\":" + std::to_string(step_ms[0]) +
          ",\"stepGemmMs2\":" + (step_ms.size() > 1 ? std::to_string(step_ms[1]) : std::string("null")) +
          ",\"threads\":" + std::to_string(max_t) + ",\"ok\":" + (bad ? "false" : "true") + "}";
  std::printf("%s\n", json.c_str());
  return bad ? 1 : 0;
}
