// The kernels' public API: matrix products, bias and its gradient, softmax cross-entropy, axpy
// and the fused cell steps. Every kernel has an xsimd version (the default) and a plain scalar
// reference in kernels::ref with the same signature, which the tests compare against. All
// matrices are row-major float32, contiguous. Arguments: sizes, inputs, outputs (buffers that
// are read and written come where their role puts them, see each kernel), then flags.
//
// Sources, one job each: gemm.cpp (matrix products), elementwise.cpp (bias, sums, loss rows,
// axpy), cell_steps.cpp (fused cell steps), reference.cpp (the scalar twins and the reference
// switch), arch.h/arch.cpp (per-target constants), registers.h and parallel.h (helpers of the
// vector loops), simd_math.h (fast exp/sigmoid/tanh), threads.h (the thread pool).
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace rnn::kernels {

// C[M×N] (+)= A[M×K] · B[K×N]
void matmul_nn(int M, int N, int K, const float* A, const float* B, float* C, bool accumulate);
// C[M×N] (+)= A[K×M]ᵀ · B[K×N]         (weight gradients: dW += dYᵀ·X)
void matmul_tn(int M, int N, int K, const float* A, const float* B, float* C, bool accumulate);
// C[M×N] (+)= A[M×K] · B[N×K]ᵀ         (forward with PyTorch-layout weights: Y = X·Wᵀ)
void matmul_nt(int M, int N, int K, const float* A, const float* B, float* C, bool accumulate);

// The scratch the products above keep on the calling thread, in floats, which only grows: the
// packed right-hand side, and for a weight gradient that gemm computes transposed, Cᵀ as well
// (kernels/gemm.cpp). The memory estimates add it up over a step's products with add(): layout
// 'n' matmul_nn, 'T' matmul_tn, 't' matmul_nt.
struct GemmScratch {
  size_t packed = 0, transposed = 0;
  void add(char layout, int M, int N, int K);
  double bytes() const { return 4.0 * (double)(packed + transposed); }
};

// A right-hand side packed once for many products (the recurrent weight, used at every time
// step). matmul_packed(M, A, pack_nt(W)) == matmul_nt(M, N, K, A, W); pack_nn likewise for
// matmul_nn. The source must stay alive and unchanged while the packed copy is used.
struct PackedMatrix {
  int K = 0, N = 0;
  const float* src = nullptr;
  bool nt = false;
  bool packed = false;  // false: matmul_packed uses src directly
  std::vector<float> data;
};
// `rows`: how many rows the A operands will have; below 4 (generation) nothing is packed
// (kFewRows in arch.h).
void pack_nt(int N, int K, const float* B, PackedMatrix& out, int rows = 4);  // B: N × K
void pack_nn(int K, int N, const float* B, PackedMatrix& out);  // B: K × N
void matmul_packed(int M, const float* A, const PackedMatrix& B, float* C, bool accumulate);

// X[r, :] += bias for each of `rows` rows of length `cols`.
void add_bias(int rows, int cols, const float* bias, float* X);
// db += column sums of dY[rows×cols] (the bias gradient).
void sum_rows(int rows, int cols, const float* dY, float* db);

// Softmax cross-entropy per row of Z[rows×cols] with target y[r]:
//   nll[r] = −log softmax(Z[r])[y[r]]   (double, computed as log Σ exp(z − max) − (z_y − max))
//   dZ[r] = (softmax(Z[r]) − onehot(y[r]))·scale[r]   when dZ is non-null (it may alias Z;
//   scale is read only then). Targets must be in [0, cols) (the caller validates them).
// add_bias, sum_rows and softmax_xent split work of ≥ 64K elements across rnn::threads, with
// results bitwise identical for any thread count.
void softmax_xent(int rows, int cols, const float* Z, const int32_t* y, const float* scale, double* nll, float* dZ);

// y += a·x: a small helper used by layers and the optimizer.
void axpy(size_t n, float a, const float* x, float* y);

// max of x[0, n) (−inf for n = 0; x holds no NaN): the registers' lanes, then across them.
float max_of(int n, const float* x);
// log Σ exp z[i] (the max taken out; −inf when every entry is): the exponentials are
// simd_math::exp's, summed in float registers over blocks of kSumBlock and the blocks in double,
// so the sum's relative error stays near float's 1e-7 for any n (a plain float sum over a
// 33 K-word vocabulary loses ~1e-5). The log-softmax of the adaptive softmax, in training and for
// every generated token, where a double std::exp per entry cost wasm more than the head's product.
double log_sum_exp(int n, const float* z);
// out[i] = exp((z[i] − shift)·scale), simd_math::exp (so 0 below e⁻⁸⁷): the sampling weights
// at temperature 1/scale. Returns Σ out[i], summed as log_sum_exp sums.
double exp_scaled(int n, const float* z, float shift, float scale, float* out);
// out[i] = z[i] + a: a log-softmax row from its logits and one shift (−log Σ exp z, + a cluster's
// log-probability), which the adaptive softmax writes for every word of a row it computes.
void add_scalar(int n, const float* z, float a, float* out);
// out[i] = round(min(cap, max(0, (top − v[i])·scale))) (cap ≤ 2²²): an index that never increases
// with v — −inf gives cap —, the top-p sampler's buckets of value. Rounded by adding 1.5·2²³ (a
// float→int conversion is a scalar sequence per lane in wasm).
void value_buckets(int n, const float* v, float top, float scale, float cap, int32_t* out);
// The first i ≥ from with x[i] == value, or n if there is none: a register of entries compared at once (the sampler
// looks for one bucket's words among tens of thousands).
int next_equal(int n, const int32_t* x, int32_t value, int from);

// ---- fused per-time-step cell kernels: bias, activations and state update in one pass ----
// All buffers are row-major, B rows; gate blocks are stacked per row (LSTM [i f g o], GRU [r z n]).
// dy (the gradient arriving from the layer above at this step) may be null in the backward ones.
// The LSTM and GRU steps split the batch's rows across rnn::threads from 16K gate floats
// (results don't change: rows are independent); the RNN steps run on the calling thread.

// LSTM forward. gates (B×4H) holds W_ih·x + b_ih + W_hh·h on entry, activations on return:
//   [i f g o] = [σ σ tanh σ](gates + b_hh)   c = f⊙c_prev + i⊙g   tc = tanh(c)   h = o⊙tc
void lstm_forward_step(int B, int H, float* gates, const float* b_hh, const float* c_prev, float* c, float* tc,
                       float* h);
// The backward steps may write their gradients over their inputs (dgates == gates, dhp == hp):
// each element's inputs are all read before its gradients are written.
// LSTM backward. gates = activations, dh (read only), dc (in: from step t+1, out: dc_prev):
//   d = dh + dy   dc' = dc + d⊙o⊙(1 − tc²)
//   dgates = [dc'⊙g⊙i(1−i), dc'⊙c_prev⊙f(1−f), dc'⊙i⊙(1−g²), d⊙tc⊙o(1−o)]   dc_prev = dc'⊙f
void lstm_backward_step(int B, int H, const float* gates, const float* c_prev, const float* tc, const float* dy,
                        const float* dh, float* dc, float* dgates);
// GRU forward (PyTorch variant). gates (B×3H) holds W_ih·x + b_ih, hp (B×3H) holds W_hh·h_prev:
//   hp += b_hh   r = σ(g_r + hp_r)   z = σ(g_z + hp_z)   n = tanh(g_n + r⊙hp_n)
//   h = (1 − z)⊙n + z⊙h_prev        gates ← [r z n]
void gru_forward_step(int B, int H, float* gates, float* hp, const float* b_hh, const float* h_prev, float* h);
// GRU backward. gates = [r z n], hp = W_hh·h_prev + b_hh, dh in: gradient at h, out: its direct part d⊙z:
//   d = dh + dy   dn = d⊙(1−z)⊙(1−n²)   dz = d⊙(h_prev − n)⊙z(1−z)   dr = dn⊙hp_n⊙r(1−r)
//   dgates = [dr dz dn]   dhp = [dr dz dn⊙r]   dh ← d⊙z
void gru_backward_step(int B, int H, const float* gates, const float* hp, const float* h_prev, const float* dy,
                       float* dh, float* dgates, float* dhp);
// Vanilla RNN forward: pre (B×H) += b_hh, h = tanh(pre). Backward: delta = (dh + dy)⊙(1 − h²).
void rnn_forward_step(int B, int H, float* pre, const float* b_hh, float* h);
void rnn_backward_step(int B, int H, const float* h, const float* dy, const float* dh, float* delta);

namespace ref {
void matmul_nn(int M, int N, int K, const float* A, const float* B, float* C, bool accumulate);
void matmul_tn(int M, int N, int K, const float* A, const float* B, float* C, bool accumulate);
void matmul_nt(int M, int N, int K, const float* A, const float* B, float* C, bool accumulate);
void add_bias(int rows, int cols, const float* bias, float* X);
void sum_rows(int rows, int cols, const float* dY, float* db);
void softmax_xent(int rows, int cols, const float* Z, const int32_t* y, const float* scale, double* nll, float* dZ);
void axpy(size_t n, float a, const float* x, float* y);
float max_of(int n, const float* x);
double log_sum_exp(int n, const float* z);
double exp_scaled(int n, const float* z, float shift, float scale, float* out);
void add_scalar(int n, const float* z, float a, float* out);
void value_buckets(int n, const float* v, float top, float scale, float cap, int32_t* out);
int next_equal(int n, const int32_t* x, int32_t value, int from);
void lstm_forward_step(int B, int H, float* gates, const float* b_hh, const float* c_prev, float* c, float* tc,
                       float* h);
void lstm_backward_step(int B, int H, const float* gates, const float* c_prev, const float* tc, const float* dy,
                        const float* dh, float* dc, float* dgates);
void gru_forward_step(int B, int H, float* gates, float* hp, const float* b_hh, const float* h_prev, float* h);
void gru_backward_step(int B, int H, const float* gates, const float* hp, const float* h_prev, const float* dy,
                       float* dh, float* dgates, float* dhp);
void rnn_forward_step(int B, int H, float* pre, const float* b_hh, float* h);
void rnn_backward_step(int B, int H, const float* h, const float* dy, const float* dh, float* delta);
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
