// The fast activations (core/kernels/simd_math.h) against double precision, the fused cell
// kernels and the loss rows against their scalar twins, the reference-mode switch, and
// thread-count independence of the threaded elementwise and cell kernels.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include <xsimd/xsimd.hpp>

#include "kernels/kernels.h"
#include "kernels/simd_math.h"
#include "kernels/threads.h"
#include "nn/loss.h"
#include "test_util.h"

using namespace rnn;
namespace k = rnn::kernels;

namespace {

// Stated maximum errors (simd_math.h). Exhaustive sweeps over every float measured
// exp 9.0e-8 relative, sigmoid 8.9e-8 absolute / 1.5e-7 relative, tanh 1.5e-7 absolute /
// 1.9e-7 relative. Each test prints what its grid measured.
constexpr double kExpRel = 1.0e-7, kSigmoidAbs = 1.0e-7, kSigmoidRel = 2.0e-7, kTanhAbs = 1.6e-7, kTanhRel = 2.0e-7;

// Inputs: every 1e-4 step over [−20, 20], a coarser grid over exp's whole normal range, and
// random bit patterns in [−90, 90] (so all exponents and mantissas are hit).
std::vector<float> sweep_inputs() {
  std::vector<float> x;
  for (int i = -200000; i <= 200000; ++i) x.push_back(static_cast<float>(i * 1e-4));
  for (int i = -87300; i <= 88370; ++i) x.push_back(static_cast<float>(i * 1e-3));
  Rng rng(11);
  while (x.size() < 1200000) {
    uint32_t bits = rng.next_u32();
    float v;
    std::memcpy(&v, &bits, 4);
    if (std::fabs(v) <= 90.0f) x.push_back(v);
  }
  return x;
}

// simd_math's approximations over an array: whole registers, then the tail in a zero-padded one
// (the library applies them the same way inside its fused kernels).
using Vec = xsimd::batch<float>;
template <class Fn>
void map_lanes(size_t n, const float* x, float* y, Fn f) {
  constexpr size_t kLanes = Vec::size;
  size_t i = 0;
  for (; i + kLanes <= n; i += kLanes) f(Vec::load_unaligned(x + i)).store_unaligned(y + i);
  if (i == n) return;
  alignas(64) float tail[kLanes] = {};
  std::copy(x + i, x + n, tail);
  f(Vec::load_aligned(tail)).store_aligned(tail);
  std::copy(tail, tail + (n - i), y + i);
}
void fast_exp(size_t n, const float* x, float* y) { map_lanes(n, x, y, [](Vec v) { return simd_math::exp(v); }); }
void fast_sigmoid(size_t n, const float* x, float* y) {
  map_lanes(n, x, y, [](Vec v) { return simd_math::sigmoid(v); });
}
void fast_tanh(size_t n, const float* x, float* y) { map_lanes(n, x, y, [](Vec v) { return simd_math::tanh(v); }); }

struct Errors {
  double abs = 0, rel = 0;
  float at_abs = 0, at_rel = 0;
  size_t denormal_out = 0;  // denormal results from normal inputs (slow in later arithmetic)
};

Errors measure(void (*f)(size_t, const float*, float*), double (*exact)(double), const std::vector<float>& x,
               float lo, float hi, double rel_floor) {
  std::vector<float> y(x.size());
  f(x.size(), x.data(), y.data());
  Errors e;
  for (size_t i = 0; i < x.size(); ++i) {
    if (!(x[i] >= lo && x[i] <= hi)) continue;
    const double r = exact(x[i]), d = std::fabs(y[i] - r);
    if (d > e.abs) e.abs = d, e.at_abs = x[i];
    if (std::fabs(r) >= rel_floor && d / std::fabs(r) > e.rel) e.rel = d / std::fabs(r), e.at_rel = x[i];
    if (std::fpclassify(x[i]) != FP_SUBNORMAL && std::fpclassify(y[i]) == FP_SUBNORMAL) ++e.denormal_out;
  }
  return e;
}
void report(const char* name, const Errors& e) {
  std::printf("    %s: max abs error %.3g (x=%.9g), max rel error %.3g (x=%.9g)\n", name, e.abs, e.at_abs, e.rel, e.at_rel);
}

double exact_sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }
double exact_exp(double x) { return std::exp(x); }
double exact_tanh(double x) { return std::tanh(x); }

void expect_close(const std::vector<float>& a, const std::vector<float>& b, double tol, const std::string& what) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i)
    ASSERT_NEAR(a[i], b[i], tol * (1.0 + std::fabs(b[i]))) << what << " at " << i;
}
std::string shape(int B, int H) { return " B=" + std::to_string(B) + " H=" + std::to_string(H); }

const int kBatches[] = {1, 3, 32};
const int kHidden[] = {1, 3, 17, 64, 130};

// Restores the thread count and reference mode a test changes.
struct Restore {
  int threads = threads::count();
  bool ref = k::reference_mode();
  ~Restore() {
    threads::set_count(threads);
    k::set_reference_mode(ref);
  }
};

}  // namespace

TEST(FastMath, ExpErrorBound) {
  const Errors e = measure(fast_exp, exact_exp, sweep_inputs(), -87.3f, 88.37f, 0.0);
  report("exp", e);
  EXPECT_EQ(e.denormal_out, 0u);
  EXPECT_LE(e.rel, kExpRel) << "at x=" << e.at_rel;
}

TEST(FastMath, SigmoidErrorBound) {
  const Errors e = measure(fast_sigmoid, exact_sigmoid, sweep_inputs(), -90.0f, 90.0f, 1e-30);
  report("sigmoid", e);
  EXPECT_EQ(e.denormal_out, 0u);
  EXPECT_LE(e.abs, kSigmoidAbs) << "at x=" << e.at_abs;
  EXPECT_LE(e.rel, kSigmoidRel) << "at x=" << e.at_rel;  // relative too, where σ(x) ≥ 1e-30
}

TEST(FastMath, TanhErrorBound) {
  const Errors e = measure(fast_tanh, exact_tanh, sweep_inputs(), -90.0f, 90.0f, 0.0);
  report("tanh", e);
  EXPECT_EQ(e.denormal_out, 0u);
  EXPECT_LE(e.abs, kTanhAbs) << "at x=" << e.at_abs;
  EXPECT_LE(e.rel, kTanhRel) << "at x=" << e.at_rel;
}

TEST(FastMath, SpecialValues) {
  const float inf = std::numeric_limits<float>::infinity(), nan = std::numeric_limits<float>::quiet_NaN();
  // 17 values: a full register and a tail on every target.
  const std::vector<float> x = {0.0f, -0.0f, inf, -inf, nan, 88.0f, -88.0f, 1e30f, -1e30f,
                                89.0f, -89.0f, 88.37f, -87.6f, 1e-40f, -1e-40f, 20.0f, -20.0f};
  std::vector<float> e(x.size()), s(x.size()), t(x.size());
  fast_exp(x.size(), x.data(), e.data());
  fast_sigmoid(x.size(), x.data(), s.data());
  fast_tanh(x.size(), x.data(), t.data());
  for (size_t i = 0; i < x.size(); ++i) {
    const std::string at = "x=" + std::to_string(x[i]);
    if (std::isnan(x[i])) {
      EXPECT_TRUE(std::isnan(e[i]) && std::isnan(s[i]) && std::isnan(t[i])) << "NaN must propagate";
      continue;
    }
    EXPECT_TRUE(std::isfinite(e[i]) && e[i] >= 0) << at << " exp " << e[i];
    EXPECT_TRUE(std::isfinite(s[i]) && s[i] >= 0 && s[i] <= 1) << at << " sigmoid " << s[i];
    EXPECT_TRUE(t[i] >= -1 && t[i] <= 1) << at << " tanh " << t[i];
    EXPECT_NEAR(s[i], exact_sigmoid(x[i]), kSigmoidAbs) << at;
    EXPECT_NEAR(t[i], exact_tanh(x[i]), kTanhAbs) << at;
    EXPECT_EQ(std::signbit(t[i]), std::signbit(x[i])) << at << ": tanh keeps the sign (also of ±0)";
  }
  EXPECT_EQ(e[0], 1.0f);
  EXPECT_EQ(e[3], 0.0f);                       // exp(−inf)
  EXPECT_GT(e[2], 2e38f);                      // exp(+inf) saturates, finite
  EXPECT_NEAR(e[5], std::exp(88.0), 1e-7 * std::exp(88.0));
  EXPECT_EQ(s[2], 1.0f);
  EXPECT_EQ(s[5], 1.0f);
  EXPECT_LT(s[3], 2e-38f);  // σ(−∞): clamped at σ(−87), not denormal
  EXPECT_EQ(t[2], 1.0f);
  EXPECT_EQ(t[3], -1.0f);
  EXPECT_EQ(t[13], 1e-40f);  // denormals: tanh(x) = x
}

TEST(FusedKernels, LstmForwardMatchesReference) {
  Rng rng(21);
  for (int B : kBatches)
    for (int H : kHidden) {
      const size_t BH = (size_t)B * H;
      auto g1 = test::random_vector(BH * 4, rng, 4.0), g2 = g1;
      auto bias = test::random_vector(4 * H, rng), cp = test::random_vector(BH, rng, 2.0);
      std::vector<float> c1(BH), c2(BH), t1(BH), t2(BH), h1(BH), h2(BH);
      k::lstm_forward_step(B, H, g1.data(), bias.data(), cp.data(), c1.data(), t1.data(), h1.data());
      k::ref::lstm_forward_step(B, H, g2.data(), bias.data(), cp.data(), c2.data(), t2.data(), h2.data());
      expect_close(g1, g2, 1e-6, "gates" + shape(B, H));
      expect_close(c1, c2, 1e-6, "c" + shape(B, H));
      expect_close(t1, t2, 1e-6, "tanh(c)" + shape(B, H));
      expect_close(h1, h2, 1e-6, "h" + shape(B, H));
    }
}

TEST(FusedKernels, LstmBackwardMatchesReference) {
  Rng rng(22);
  for (int B : kBatches)
    for (int H : kHidden)
      for (bool with_dy : {false, true}) {
        const size_t BH = (size_t)B * H;
        std::vector<float> gates(BH * 4);
        for (auto& v : gates) v = static_cast<float>(rng.uniform(0.0, 1.0));  // activations
        for (int b = 0; b < B; ++b)                                              // g ∈ (−1, 1)
          for (int j = 0; j < H; ++j) gates[(size_t)b * 4 * H + 2 * H + j] = static_cast<float>(rng.uniform(-1, 1));
        auto cp = test::random_vector(BH, rng, 2.0), tc = test::random_vector(BH, rng);
        auto dy = test::random_vector(BH, rng), dh = test::random_vector(BH, rng);
        auto dc1 = test::random_vector(BH, rng), dc2 = dc1;
        std::vector<float> d1(BH * 4), d2(BH * 4);
        const float* dyp = with_dy ? dy.data() : nullptr;
        k::lstm_backward_step(B, H, gates.data(), cp.data(), tc.data(), dyp, dh.data(), dc1.data(), d1.data());
        k::ref::lstm_backward_step(B, H, gates.data(), cp.data(), tc.data(), dyp, dh.data(), dc2.data(), d2.data());
        expect_close(d1, d2, 1e-6, "dgates" + shape(B, H));
        expect_close(dc1, dc2, 1e-6, "dc_prev" + shape(B, H));
      }
}

TEST(FusedKernels, GruForwardMatchesReference) {
  Rng rng(23);
  for (int B : kBatches)
    for (int H : kHidden) {
      const size_t BH = (size_t)B * H;
      auto g1 = test::random_vector(BH * 3, rng, 3.0), g2 = g1;
      auto p1 = test::random_vector(BH * 3, rng, 2.0), p2 = p1;
      auto bias = test::random_vector(3 * H, rng), hp = test::random_vector(BH, rng);
      std::vector<float> h1(BH), h2(BH);
      k::gru_forward_step(B, H, g1.data(), p1.data(), bias.data(), hp.data(), h1.data());
      k::ref::gru_forward_step(B, H, g2.data(), p2.data(), bias.data(), hp.data(), h2.data());
      expect_close(g1, g2, 1e-6, "gates" + shape(B, H));
      expect_close(p1, p2, 1e-7, "hidden projections + b_hh" + shape(B, H));
      expect_close(h1, h2, 1e-6, "h" + shape(B, H));
    }
}

TEST(FusedKernels, GruBackwardMatchesReference) {
  Rng rng(24);
  for (int B : kBatches)
    for (int H : kHidden)
      for (bool with_dy : {false, true}) {
        const size_t BH = (size_t)B * H;
        std::vector<float> gates(BH * 3);
        for (auto& v : gates) v = static_cast<float>(rng.uniform(0.0, 1.0));
        auto hproj = test::random_vector(BH * 3, rng, 2.0), hprev = test::random_vector(BH, rng);
        auto dy = test::random_vector(BH, rng), dh1 = test::random_vector(BH, rng), dh2 = dh1;
        std::vector<float> di1(BH * 3), di2(BH * 3), dp1(BH * 3), dp2(BH * 3);
        const float* dyp = with_dy ? dy.data() : nullptr;
        k::gru_backward_step(B, H, gates.data(), hproj.data(), hprev.data(), dyp, dh1.data(), di1.data(), dp1.data());
        k::ref::gru_backward_step(B, H, gates.data(), hproj.data(), hprev.data(), dyp, dh2.data(), di2.data(),
                                  dp2.data());
        expect_close(di1, di2, 1e-6, "dgates" + shape(B, H));
        expect_close(dp1, dp2, 1e-6, "dhproj" + shape(B, H));
        expect_close(dh1, dh2, 1e-6, "direct dh" + shape(B, H));
      }
}

TEST(FusedKernels, RnnStepsMatchReference) {
  Rng rng(25);
  for (int B : kBatches)
    for (int H : kHidden) {
      const size_t BH = (size_t)B * H;
      auto p1 = test::random_vector(BH, rng, 4.0), p2 = p1, bias = test::random_vector(H, rng);
      std::vector<float> h1(BH), h2(BH);
      k::rnn_forward_step(B, H, p1.data(), bias.data(), h1.data());
      k::ref::rnn_forward_step(B, H, p2.data(), bias.data(), h2.data());
      expect_close(p1, p2, 1e-7, "pre" + shape(B, H));
      expect_close(h1, h2, 1e-6, "h" + shape(B, H));
      auto dy = test::random_vector(BH, rng), dh = test::random_vector(BH, rng);
      for (const float* dyp : {(const float*)nullptr, (const float*)dy.data()}) {
        std::vector<float> d1(BH), d2(BH);
        k::rnn_backward_step(B, H, h2.data(), dyp, dh.data(), d1.data());
        k::ref::rnn_backward_step(B, H, h2.data(), dyp, dh.data(), d2.data());
        expect_close(d1, d2, 1e-6, "delta" + shape(B, H));
      }
    }
}

TEST(FusedKernels, SoftmaxXentMatchesReference) {
  Rng rng(26);
  for (int rows : {1, 3, 32})
    for (int V : {1, 3, 17, 65, 130, 1000}) {
      auto Z = test::random_vector((size_t)rows * V, rng, 10.0);
      std::vector<int32_t> y(rows);
      std::vector<float> scale(rows);
      for (int r = 0; r < rows; ++r) y[r] = static_cast<int32_t>(rng.below(V)), scale[r] = 0.5f + r;
      std::vector<double> n1(rows), n2(rows), n3(rows);
      std::vector<float> d1(Z.size()), d2(Z.size()), d3 = Z;
      k::softmax_xent(rows, V, Z.data(), y.data(), scale.data(), n1.data(), d1.data());
      k::ref::softmax_xent(rows, V, Z.data(), y.data(), scale.data(), n2.data(), d2.data());
      k::softmax_xent(rows, V, d3.data(), y.data(), scale.data(), n3.data(), d3.data());  // in place
      const std::string what = "rows=" + std::to_string(rows) + " V=" + std::to_string(V);
      for (int r = 0; r < rows; ++r) {
        EXPECT_NEAR(n1[r], n2[r], 1e-6 * (1 + n2[r])) << what;
        EXPECT_EQ(n1[r], n3[r]) << what;
      }
      expect_close(d1, d2, 2e-6 * rows, what);  // gradients scale up to rows − 0.5
      EXPECT_EQ(d1, d3) << what << ": in place";
      std::vector<double> n4(rows);
      k::softmax_xent(rows, V, Z.data(), y.data(), nullptr, n4.data(), nullptr);  // loss only
      EXPECT_EQ(n1, n4) << what;
    }
  // A target whose probability underflows: the loss stays finite and exact (log-sum-exp).
  std::vector<float> z = {0.0f, 200.0f, -50.0f};
  int32_t y = 0;
  double nll;
  k::softmax_xent(1, 3, z.data(), &y, nullptr, &nll, nullptr);
  EXPECT_NEAR(nll, 200.0, 1e-9);
}

// The log-sum-exp of a 33 K-word row sums its exponentials in float blocks: it stays within
// ~1e-7 of the double sum (a plain float sum would not), -inf entries count as 0, and a row of
// nothing but -inf gives -inf. exp_scaled matches std::exp within simd_math's bound.
TEST(FusedKernels, LogSumExpAndScaledExpMatchReference) {
  Rng rng(28);
  for (int n : {1, 3, 17, 1000, 1025, 33000}) {
    auto z = test::random_vector((size_t)n, rng, 8.0);
    if (n > 3) z[1] = -INFINITY;
    EXPECT_EQ(k::max_of(n, z.data()), k::ref::max_of(n, z.data())) << n;
    const double want = k::ref::log_sum_exp(n, z.data()), got = k::log_sum_exp(n, z.data());
    // The error of log Σ is the sum's relative error: 1e-7 of the exponentials' plus the sums'.
    EXPECT_NEAR(got, want, 3e-7 + 1e-12 * std::abs(want)) << n;
    std::vector<float> w(n), w_ref(n);
    const double sum = k::exp_scaled(n, z.data(), 2.0f, 1.25f, w.data());
    const double sum_ref = k::ref::exp_scaled(n, z.data(), 2.0f, 1.25f, w_ref.data());
    EXPECT_NEAR(sum, sum_ref, 3e-7 * sum_ref) << n;
    for (int i = 0; i < n; ++i) {
      if (w_ref[i] < 1e-37f) EXPECT_LE(w[i], 1e-37f) << n << " " << i;
      else EXPECT_NEAR(w[i], w_ref[i], 2e-7f * w_ref[i]) << n << " " << i;
    }
  }
  const std::vector<float> none(5, -INFINITY);
  EXPECT_EQ(k::log_sum_exp(5, none.data()), -INFINITY);
  EXPECT_EQ(k::ref::log_sum_exp(5, none.data()), -INFINITY);
  // Entries far apart: the small ones underflow to nothing, the result is the max's.
  const std::vector<float> far = {0.0f, 500.0f, -500.0f};
  EXPECT_NEAR(k::log_sum_exp(3, far.data()), 500.0, 1e-9);
}

// add_scalar is exact float addition; value_buckets gives round(clamp((top − v)·scale, 0, cap)),
// the reference's integers, for every row length (tails through a padded register), with −inf at cap.
TEST(FusedKernels, AddScalarValueBucketsNextEqualMatchReference) {
  Rng rng(29);
  for (int n : {1, 3, 17, 64, 1001}) {
    auto v = test::random_vector((size_t)n, rng, 6.0);
    if (n > 2) v[2] = -INFINITY;
    std::vector<float> a(n), a_ref(n);
    k::add_scalar(n, v.data(), -3.25f, a.data());
    k::ref::add_scalar(n, v.data(), -3.25f, a_ref.data());
    EXPECT_EQ(a, a_ref) << n;
    std::vector<int32_t> b(n), b_ref(n);
    k::value_buckets(n, v.data(), 6.5f, 20.0f, 255.0f, b.data());
    k::ref::value_buckets(n, v.data(), 6.5f, 20.0f, 255.0f, b_ref.data());
    EXPECT_EQ(b, b_ref) << n;
    for (int i = 0; i < n; ++i) {
      EXPECT_GE(b[i], 0);
      EXPECT_LE(b[i], 255);
      for (int j = 0; j < n; ++j) {
        if (v[i] > v[j]) {
          ASSERT_LE(b[i], b[j]) << "bucket grows with the value at " << i << ", " << j;
        }
      }
    }
    if (n > 2) {
      EXPECT_EQ(b[2], 255);
    }
    // next_equal walks every occurrence of a bucket, from anywhere, as the plain loop does.
    for (int32_t want : {b[0], b[n / 2], 255, -7})
      for (int from = 0; from <= n; ++from)
        ASSERT_EQ(k::next_equal(n, b.data(), want, from), k::ref::next_equal(n, b.data(), want, from))
            << n << " " << want << " " << from;
  }
}

TEST(FusedKernels, ReferenceModeRoutesToScalarTwins) {
  Restore restore;
  k::set_reference_mode(true);
  Rng rng(27);
  const int B = 3, H = 17;
  const size_t BH = (size_t)B * H;
  auto x = test::random_vector(1000, rng, 5.0), y1 = test::random_vector(1000, rng), y2 = y1;
  k::axpy(x.size(), 0.3f, x.data(), y1.data());
  k::ref::axpy(x.size(), 0.3f, x.data(), y2.data());
  EXPECT_EQ(y1, y2);
  auto X1 = test::random_vector(BH, rng), X2 = X1, s1 = test::random_vector(H, rng), s2 = s1;
  k::add_bias(B, H, s1.data(), X1.data());
  k::ref::add_bias(B, H, s1.data(), X2.data());
  EXPECT_EQ(X1, X2);
  k::sum_rows(B, H, X1.data(), s1.data());
  k::ref::sum_rows(B, H, X1.data(), s2.data());
  EXPECT_EQ(s1, s2);
  auto A = test::random_vector(BH, rng), W = test::random_vector((size_t)H * 5, rng);
  std::vector<float> m1(B * 5), m2(B * 5);
  k::matmul_nt(B, 5, H, A.data(), W.data(), m1.data(), false);
  k::ref::matmul_nt(B, 5, H, A.data(), W.data(), m2.data(), false);
  EXPECT_EQ(m1, m2);
  auto g1 = test::random_vector(BH * 4, rng, 4.0), g2 = g1, bias = test::random_vector(4 * H, rng);
  auto cp = test::random_vector(BH, rng);
  std::vector<float> c1(BH), c2(BH), t1(BH), t2(BH), h1(BH), h2(BH);
  k::lstm_forward_step(B, H, g1.data(), bias.data(), cp.data(), c1.data(), t1.data(), h1.data());
  k::ref::lstm_forward_step(B, H, g2.data(), bias.data(), cp.data(), c2.data(), t2.data(), h2.data());
  EXPECT_EQ(g1, g2);
  EXPECT_EQ(h1, h2);
  auto p1 = test::random_vector(BH * 3, rng), p2 = p1, gg1 = test::random_vector(BH * 3, rng), gg2 = gg1;
  k::gru_forward_step(B, H, gg1.data(), p1.data(), bias.data(), cp.data(), h1.data());
  k::ref::gru_forward_step(B, H, gg2.data(), p2.data(), bias.data(), cp.data(), h2.data());
  EXPECT_EQ(h1, h2);
  auto Z = test::random_vector(5 * 65, rng, 8.0);
  std::vector<int32_t> y = {0, 5, 64, 7, 3};
  std::vector<float> scale(5, 0.2f), dz1(Z.size()), dz2(Z.size());
  std::vector<double> n1(5), n2(5);
  k::softmax_xent(5, 65, Z.data(), y.data(), scale.data(), n1.data(), dz1.data());
  k::ref::softmax_xent(5, 65, Z.data(), y.data(), scale.data(), n2.data(), dz2.data());
  EXPECT_EQ(n1, n2);
  EXPECT_EQ(dz1, dz2);
}

// Big enough to be split across threads; odd sizes so that tasks end mid-register.
TEST(FusedKernels, ThreadedKernelsIndependentOfThreadCount) {
  if (threads::max_threads() < 2) GTEST_SKIP() << "one hardware thread";
  Restore restore;
  k::set_reference_mode(false);
  Rng rng(28);
  struct Out {
    std::vector<float> dz, bias, sums, gates, c, tc, h, gru_gates, gru_hp, gru_h;
    std::vector<double> nll;
    double loss;
  };
  const int rows = 2048, V = 65, R2 = 531, C2 = 1031, B = 67, H = 131;  // a step of ≥ 16K gate floats
  const size_t BH = (size_t)B * H;
  auto Z = test::random_vector((size_t)rows * V, rng, 6.0);
  auto Y = test::random_vector((size_t)R2 * C2, rng), bvec = test::random_vector(C2, rng);
  std::vector<int32_t> y(rows);
  for (auto& t : y) t = static_cast<int32_t>(rng.below(V));
  std::vector<float> scale(rows, 1.0f / rows);
  auto g4 = test::random_vector(BH * 4, rng, 4.0), b4 = test::random_vector(4 * H, rng);
  auto g3 = test::random_vector(BH * 3, rng, 3.0), p3 = test::random_vector(BH * 3, rng, 2.0);
  auto b3 = test::random_vector(3 * H, rng), prev = test::random_vector(BH, rng);
  auto run = [&](int count) {
    threads::set_count(count);
    EXPECT_EQ(threads::count(), count);
    Out o;
    o.dz.resize(Z.size());
    o.nll.resize(rows);
    k::softmax_xent(rows, V, Z.data(), y.data(), scale.data(), o.nll.data(), o.dz.data());
    std::vector<float> dl(Z.size());
    o.loss = softmax_cross_entropy(rows, V, Z.data(), y.data(), nullptr, dl.data());
    o.bias = Y;
    k::add_bias(R2, C2, bvec.data(), o.bias.data());
    o.sums = bvec;
    k::sum_rows(R2, C2, Y.data(), o.sums.data());
    o.gates = g4, o.c.resize(BH), o.tc.resize(BH), o.h.resize(BH);
    k::lstm_forward_step(B, H, o.gates.data(), b4.data(), prev.data(), o.c.data(), o.tc.data(), o.h.data());
    o.gru_gates = g3, o.gru_hp = p3, o.gru_h.resize(BH);
    k::gru_forward_step(B, H, o.gru_gates.data(), o.gru_hp.data(), b3.data(), prev.data(), o.gru_h.data());
    return o;
  };
  const Out a = run(1), b = run(2);
  EXPECT_EQ(a.dz, b.dz);
  EXPECT_EQ(a.nll, b.nll);
  EXPECT_EQ(a.loss, b.loss);
  EXPECT_EQ(a.bias, b.bias);
  EXPECT_EQ(a.sums, b.sums);
  EXPECT_EQ(a.gates, b.gates);
  EXPECT_EQ(a.h, b.h);
  EXPECT_EQ(a.tc, b.tc);
  EXPECT_EQ(a.gru_gates, b.gru_gates);
  EXPECT_EQ(a.gru_h, b.gru_h);
  // sum_rows adds the rows in the reference's order, so it matches it bitwise too.
  std::vector<float> s = bvec;
  k::ref::sum_rows(R2, C2, Y.data(), s.data());
  EXPECT_EQ(a.sums, s);
}
