// Every SIMD kernel against its scalar reference, on odd sizes (scalar tails, partial register
// blocks) and aligned ones.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>

#include "kernels/kernels.h"
#include "test_util.h"

using namespace rnn;
namespace k = rnn::kernels;

namespace {
const int kSizes[] = {1, 3, 17, 130, 16, 64, 256};

void expect_close(const std::vector<float>& a, const std::vector<float>& b, double rel, const std::string& what) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i)
    ASSERT_NEAR(a[i], b[i], rel * (1.0 + std::fabs(b[i]))) << what << " at " << i;
}

using Matmul = void (*)(int, int, int, const float*, const float*, float*, bool);
void check_matmul(Matmul fast, Matmul ref, const char* name) {
  Rng rng(7);
  for (int M : {1, 3, 17, 130, 64})
    for (int N : {1, 3, 17, 130, 32})
      for (int K : {1, 3, 17, 130, 16}) {
        auto A = test::random_vector((size_t)M * K, rng), B = test::random_vector((size_t)K * N, rng);
        for (bool acc : {false, true}) {
          auto C1 = test::random_vector((size_t)M * N, rng), C2 = C1;
          fast(M, N, K, A.data(), B.data(), C1.data(), acc);
          ref(M, N, K, A.data(), B.data(), C2.data(), acc);
          // Summation order differs (register blocks, FMA): allow a K-proportional float error.
          expect_close(C1, C2, 1e-6 * (K + 4), std::string(name) + " M=" + std::to_string(M) + " N=" +
                                                    std::to_string(N) + " K=" + std::to_string(K));
        }
      }
}
}  // namespace

TEST(Kernels, MatmulNN) { check_matmul(k::matmul_nn, k::ref::matmul_nn, "nn"); }
TEST(Kernels, MatmulTN) { check_matmul(k::matmul_tn, k::ref::matmul_tn, "tn"); }
TEST(Kernels, MatmulNT) { check_matmul(k::matmul_nt, k::ref::matmul_nt, "nt"); }

// Operands too big to pack whole (over 2²⁰ floats, or depth over 4096) are packed in blocks: the
// result matches the reference, and is bitwise what the same product gives when the caller splits
// it by hand into pieces small enough to pack whole (same depth slices, same sums) — for the
// output layer of a large vocabulary, both ways round.
TEST(Kernels, LargeOperandsPackInBlocksWithTheSameSums) {
  Rng rng(11);
  {  // deep: dtop = dlogits · W_out with K = vocabulary
    const int M = 19, N = 40, K = 9000, split = 4096;
    auto A = test::random_vector((size_t)M * K, rng), B = test::random_vector((size_t)K * N, rng);
    std::vector<float> C(M * N), R(M * N), P(M * N);
    k::matmul_nn(M, N, K, A.data(), B.data(), C.data(), false);
    k::ref::matmul_nn(M, N, K, A.data(), B.data(), R.data(), false);
    expect_close(C, R, 1e-6 * (K + 4), "deep nn");
    // by hand: columns [0, split) of A with rows [0, split) of B, then the rest, accumulated
    std::vector<float> A1((size_t)M * split), A2((size_t)M * (K - split));
    for (int i = 0; i < M; ++i) {
      std::copy_n(A.data() + (size_t)i * K, split, A1.data() + (size_t)i * split);
      std::copy_n(A.data() + (size_t)i * K + split, K - split, A2.data() + (size_t)i * (K - split));
    }
    k::matmul_nn(M, N, split, A1.data(), B.data(), P.data(), false);
    k::matmul_nn(M, N, K - split, A2.data(), B.data() + (size_t)split * N, P.data(), true);
    EXPECT_EQ(C, P);
  }
  {  // wide: logits = top · W_outᵀ with N = vocabulary
    const int M = 21, N = 9000, K = 150;
    auto A = test::random_vector((size_t)M * K, rng), B = test::random_vector((size_t)N * K, rng);
    std::vector<float> C((size_t)M * N), R((size_t)M * N);
    k::matmul_nt(M, N, K, A.data(), B.data(), C.data(), false);
    k::ref::matmul_nt(M, N, K, A.data(), B.data(), R.data(), false);
    expect_close(C, R, 1e-6 * (K + 4), "wide nt");
    // by hand: each block of 1000 rows of B (columns of C) alone
    for (int j0 = 0; j0 < N; j0 += 1000) {
      std::vector<float> part((size_t)M * 1000);
      k::matmul_nt(M, 1000, K, A.data(), B.data() + (size_t)j0 * K, part.data(), false);
      for (int i = 0; i < M; ++i)
        for (int j = 0; j < 1000; ++j) ASSERT_EQ(C[(size_t)i * N + j0 + j], part[(size_t)i * 1000 + j]) << i << "," << j0 + j;
    }
  }
}

TEST(Kernels, MatmulOverwriteIgnoresGarbage) {
  // accumulate=false must not read C (NaN there must not leak through).
  std::vector<float> A = {1, 2, 3, 4}, B = {5, 6, 7, 8}, C(4, NAN);
  k::matmul_nn(2, 2, 2, A.data(), B.data(), C.data(), false);
  EXPECT_EQ(C, (std::vector<float>{19, 22, 43, 50}));
  std::fill(C.begin(), C.end(), NAN);
  k::matmul_nt(2, 2, 2, A.data(), B.data(), C.data(), false);
  EXPECT_EQ(C, (std::vector<float>{17, 23, 39, 53}));
  std::fill(C.begin(), C.end(), NAN);
  k::matmul_tn(2, 2, 2, A.data(), B.data(), C.data(), false);
  EXPECT_EQ(C, (std::vector<float>{26, 30, 38, 44}));
}

TEST(Kernels, Axpy) {
  Rng rng(3);
  for (int n : kSizes) {
    auto x = test::random_vector(n, rng, 6.0), y1 = test::random_vector(n, rng), y2 = y1;
    k::axpy(n, 0.7f, x.data(), y1.data());
    k::ref::axpy(n, 0.7f, x.data(), y2.data());
    expect_close(y1, y2, 1e-6, "axpy n=" + std::to_string(n));
  }
}

TEST(Kernels, BiasAndRowSums) {
  Rng rng(5);
  for (int rows : {1, 3, 17})
    for (int cols : kSizes) {
      auto bias = test::random_vector(cols, rng), X1 = test::random_vector((size_t)rows * cols, rng), X2 = X1;
      k::add_bias(rows, cols, bias.data(), X1.data());
      k::ref::add_bias(rows, cols, bias.data(), X2.data());
      expect_close(X1, X2, 1e-7, "add_bias");
      auto d1 = test::random_vector(cols, rng), d2 = d1;
      k::sum_rows(rows, cols, X1.data(), d1.data());
      k::ref::sum_rows(rows, cols, X1.data(), d2.data());
      expect_close(d1, d2, 1e-6 * rows, "sum_rows");
    }
}

// softmax_xent's gradient with scale 1 is softmax(Z) − onehot(y): against a softmax in double.
TEST(Kernels, SoftmaxXentGradientIsSoftmax) {
  Rng rng(9);
  for (int rows : {1, 3})
    for (int cols : kSizes) {
      auto Z = test::random_vector((size_t)rows * cols, rng, 30.0);
      std::vector<int32_t> y(rows);
      for (int r = 0; r < rows; ++r) y[r] = static_cast<int32_t>(rng.below(cols));
      std::vector<float> scale(rows, 1.0f), dZ(Z.size());
      std::vector<double> nll(rows);
      k::softmax_xent(rows, cols, Z.data(), y.data(), scale.data(), nll.data(), dZ.data());
      for (int r = 0; r < rows; ++r) {
        const float* z = Z.data() + (size_t)r * cols;
        const double mx = *std::max_element(z, z + cols);
        double s = 0, sum_p = 0;
        for (int c = 0; c < cols; ++c) s += std::exp(z[c] - mx);
        for (int c = 0; c < cols; ++c) {
          const double p = dZ[(size_t)r * cols + c] + (c == y[r] ? 1.0 : 0.0);
          EXPECT_NEAR(p, std::exp(z[c] - mx) / s, 2e-6) << "cols=" << cols << " c=" << c;
          sum_p += p;
        }
        EXPECT_NEAR(sum_p, 1.0, 1e-5);
      }
    }
  // In place and with huge logits.
  std::vector<float> z = {1000, 1001, 999}, one = {1.0f};
  int32_t target = 0;
  double nll;
  k::softmax_xent(1, 3, z.data(), &target, one.data(), &nll, z.data());
  EXPECT_NEAR(z[1], 0.66524096f, 1e-6);
}

TEST(Kernels, ReportsSimdArch) {
  EXPECT_GE(k::simd_width(), 4) << "xsimd fell back to scalar: " << k::simd_arch();
}
