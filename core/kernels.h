// Hot loops: matrix products, activations, softmax, bias. Every kernel has an xsimd version
// (the default) and a plain scalar reference in kernels::ref with the same signature, which
// the tests compare against. All matrices are row-major float32, contiguous.
#pragma once
#include <cstddef>

namespace rnn::kernels {

// C[M×N] (+)= A[M×K] · B[K×N]
void matmul_nn(int M, int N, int K, const float* A, const float* B, float* C, bool accumulate);
// C[M×N] (+)= A[K×M]ᵀ · B[K×N]         (weight gradients: dW += dYᵀ·X)
void matmul_tn(int M, int N, int K, const float* A, const float* B, float* C, bool accumulate);
// C[M×N] (+)= A[M×K] · B[N×K]ᵀ         (forward with PyTorch-layout weights: Y = X·Wᵀ)
void matmul_nt(int M, int N, int K, const float* A, const float* B, float* C, bool accumulate);

// dst[cols×rows] = src[rows×cols]ᵀ
void transpose(int rows, int cols, const float* src, float* dst);
// X[r, :] += bias for each of `rows` rows of length `cols`.
void add_bias(int rows, int cols, const float* bias, float* X);
// db += column sums of dY[rows×cols] (the bias gradient).
void sum_rows(int rows, int cols, const float* dY, float* db);

void sigmoid(size_t n, const float* x, float* y);
void tanh(size_t n, const float* x, float* y);
// Derivatives written in terms of the forward output y: dx (+)= dy · σ'(·)
void sigmoid_backward(size_t n, const float* y, const float* dy, float* dx);  // dx = dy·y·(1−y)
void tanh_backward(size_t n, const float* y, const float* dy, float* dx);     // dx = dy·(1−y²)
// Row-wise numerically stable softmax of X[rows×cols] into Y (may alias X).
void softmax(int rows, int cols, const float* X, float* Y);

// y += a·x and dot(x, y): small helpers used by layers and the optimizer.
void axpy(size_t n, float a, const float* x, float* y);
float dot(size_t n, const float* x, const float* y);

namespace ref {
void matmul_nn(int M, int N, int K, const float* A, const float* B, float* C, bool accumulate);
void matmul_tn(int M, int N, int K, const float* A, const float* B, float* C, bool accumulate);
void matmul_nt(int M, int N, int K, const float* A, const float* B, float* C, bool accumulate);
void transpose(int rows, int cols, const float* src, float* dst);
void add_bias(int rows, int cols, const float* bias, float* X);
void sum_rows(int rows, int cols, const float* dY, float* db);
void sigmoid(size_t n, const float* x, float* y);
void tanh(size_t n, const float* x, float* y);
void sigmoid_backward(size_t n, const float* y, const float* dy, float* dx);
void tanh_backward(size_t n, const float* y, const float* dy, float* dx);
void softmax(int rows, int cols, const float* X, float* Y);
void axpy(size_t n, float a, const float* x, float* y);
float dot(size_t n, const float* x, const float* y);
}  // namespace ref

// Routes every kernel to its scalar twin in kernels::ref: the unoptimised path that tests
// compare whole training runs against. Global; switch it only between steps.
void set_reference_mode(bool on);
bool reference_mode();

// Name of the SIMD instruction set xsimd compiled for ("avx2", "sse2" = wasm simd128, ...).
const char* simd_arch();
// Floats per SIMD register.
int simd_width();

}  // namespace rnn::kernels
