// Every SIMD kernel against its scalar reference, on odd sizes (scalar tails, partial register
// blocks) and aligned ones.
#include <gtest/gtest.h>

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

TEST(Kernels, Elementwise) {
  Rng rng(3);
  for (int n : kSizes) {
    auto x = test::random_vector(n, rng, 6.0), dy = test::random_vector(n, rng);
    std::vector<float> a(n), b(n);
    k::sigmoid(n, x.data(), a.data());
    k::ref::sigmoid(n, x.data(), b.data());
    expect_close(a, b, 2e-6, "sigmoid n=" + std::to_string(n));
    k::tanh(n, x.data(), a.data());
    k::ref::tanh(n, x.data(), b.data());
    expect_close(a, b, 2e-6, "tanh n=" + std::to_string(n));
    auto y = test::random_vector(n, rng);
    k::sigmoid_backward(n, y.data(), dy.data(), a.data());
    k::ref::sigmoid_backward(n, y.data(), dy.data(), b.data());
    expect_close(a, b, 1e-7, "sigmoid_backward");
    k::tanh_backward(n, y.data(), dy.data(), a.data());
    k::ref::tanh_backward(n, y.data(), dy.data(), b.data());
    expect_close(a, b, 1e-7, "tanh_backward");
    auto y1 = test::random_vector(n, rng), y2 = y1;
    k::axpy(n, 0.7f, x.data(), y1.data());
    k::ref::axpy(n, 0.7f, x.data(), y2.data());
    expect_close(y1, y2, 1e-6, "axpy");
    EXPECT_NEAR(k::dot(n, x.data(), dy.data()), k::ref::dot(n, x.data(), dy.data()), 1e-5 * n) << "dot n=" << n;
  }
}

TEST(Kernels, ActivationsSaturateCleanly) {
  std::vector<float> x = {-100, -20, 0, 20, 100, -100, -20, 0, 20, 100, 0, 0, 0, 0, 0, 0, 1}, y(x.size());
  k::sigmoid(x.size(), x.data(), y.data());
  for (float v : y) EXPECT_TRUE(std::isfinite(v) && v >= 0 && v <= 1);
  k::tanh(x.size(), x.data(), y.data());
  for (float v : y) EXPECT_TRUE(std::isfinite(v) && v >= -1 && v <= 1);
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

TEST(Kernels, Softmax) {
  Rng rng(9);
  for (int rows : {1, 3})
    for (int cols : kSizes) {
      auto X = test::random_vector((size_t)rows * cols, rng, 30.0);
      std::vector<float> a(X.size()), b(X.size());
      k::softmax(rows, cols, X.data(), a.data());
      k::ref::softmax(rows, cols, X.data(), b.data());
      expect_close(a, b, 2e-6, "softmax cols=" + std::to_string(cols));
      for (int r = 0; r < rows; ++r) {
        double s = 0;
        for (int c = 0; c < cols; ++c) s += a[(size_t)r * cols + c];
        EXPECT_NEAR(s, 1.0, 1e-5);
      }
    }
  // In place and with huge logits.
  std::vector<float> z = {1000, 1001, 999};
  k::softmax(1, 3, z.data(), z.data());
  EXPECT_NEAR(z[1], 0.66524096f, 1e-6);
}

TEST(Kernels, ReportsSimdArch) {
  EXPECT_GE(k::simd_width(), 4) << "xsimd fell back to scalar: " << k::simd_arch();
}
