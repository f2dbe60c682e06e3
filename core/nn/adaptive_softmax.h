// Adaptive softmax (Grave et al. 2017, "Efficient softmax approximation for GPUs"), laid out as
// PyTorch's nn.AdaptiveLogSoftmaxWithLoss so a model file loads into it one-to-one. Word ids are
// sorted by frequency (Vocabulary::by_frequency), so the clusters are contiguous id ranges:
//   cutoffs c₀ < c₁ < … < c_{n−1} < V (PyTorch's, without V); shortlist S = c₀; c_n = V
//   head    z = x·W_hᵀ (+ b_h)                          S + n logits: the S words, then one per cluster
//   tail i  z_i = (x·P_iᵀ)·O_iᵀ                          P_i: d_i × in, d_i = ⌊in / div^(i+1)⌋ ≥ 1
//                                                        O_i: (c_{i+1} − c_i) × d_i
//   log p(w) = log softmax(z)[w]                               for w < S
//   log p(w) = log softmax(z)[S + i] + log softmax(z_i)[w − c_i]   for c_i ≤ w < c_{i+1}
// Tensors: prefix.head.weight [S+n, in], prefix.head.bias [S+n] (head_bias only),
// prefix.tail.{i}.0.weight [d_i, in], prefix.tail.{i}.1.weight [c_{i+1} − c_i, d_i].
//
// Training (forward_loss, then backward) computes the head for every row and a cluster only for the
// rows whose target falls in it (gathered, one GEMM pair per cluster): that is where the speed
// comes from. Loss L = Σ_r w_r·(nll_head(r) + nll_cluster(r)) / Σw; the gradients of each softmax
// come fused from kernels::softmax_xent (softmax − onehot, scaled by w_r/Σw), then
//   dO_i += dz_iᵀ·h_i   dh_i = dz_i·O_i   dP_i += dh_iᵀ·x_i   dx_i = dh_i·P_i     (h_i = x_i·P_iᵀ)
//   dW_h += dzᵀ·x       db_h += Σ dz       dx = dz·W_h + scatter(dx_i)
// Rows of weight 0 (padding) skip the clusters. Scratch only grows; every sum runs in row order,
// so results do not depend on the thread count.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "nn/params.h"
#include "rng.h"

namespace rnn {

struct AdaptiveSoftmax {
  int in = 0, vocab = 0;
  std::vector<int> cutoffs;  // PyTorch's (without vocab)
  double div_value = 4.0;
  bool has_head_bias = false;

  ParamView head_weight, head_bias;
  struct Tail {
    int start = 0, size = 0, dim = 0;
    ParamView proj, out;
  };
  std::vector<Tail> tails;

  int shortlist() const { return cutoffs.empty() ? vocab : cutoffs[0]; }
  int head_size() const { return shortlist() + (int)tails.size(); }
  // d_i of cluster i as PyTorch computes it: int(in // div_value ** (i + 1)).
  static int tail_dim(int in, double div_value, int i);
  // Throws rnn::Error unless cutoffs are valid for this vocabulary and input width.
  static void check(int in, int vocab, const std::vector<int>& cutoffs, double div_value);
  // Floats of weights.
  static double parameter_count(int in, int vocab, const std::vector<int>& cutoffs, double div_value, bool head_bias);

  void declare(Params& p, const std::string& prefix);  // in, vocab, cutoffs, div_value, has_head_bias set
  void bind(Params& p);
  void init(Rng& rng);

  // Training forward: the weighted mean NLL of the n rows x (n × in) for targets (weights may be
  // null: all 1). Keeps what backward needs; x must stay valid until then.
  double forward_loss(int n, const float* x, const int32_t* targets, const float* weights);
  // Accumulates the weight gradients of the last forward_loss; dx (n × in, may be null) is overwritten.
  void backward(float* dx);
  // Full log-probabilities, n × vocab (evaluation, inspection: sums to 1 over the vocabulary).
  void log_probs(int n, const float* x, float* out);

  // Generation samples one row in two levels (decode/sampling.h, sample_two_level), so it asks for
  // the parts it needs, bitwise as log_probs(1, x, ·) gives them:
  // the head's log-probabilities, head_size() floats (the shortlist's words, then log p(cluster i)).
  void head_log_probs(const float* x, float* out);
  // cluster i's words' full log-probabilities log p(cluster i) + log p_i(w), tails[i].size floats
  // (head_lp = head_log_probs' entry shortlist() + i).
  void cluster_log_probs(int i, const float* x, float head_lp, float* out);
  // An upper bound on max_w log p_i(w) (≤ 0) at x, for far less than cluster_log_probs: the rows of
  // O_i in blocks of kBoundRows, each with its mean row m_b and radius r_b = max ‖O_w − m_b‖, give
  // with h = P_i·x (as cluster_log_probs computes it)
  //   z_w ≤ m_b·h + r_b·‖h‖ for w in b,   log Σ_w exp z_w ≥ log Σ_b n_b·exp(m_b·h) (Jensen per block),
  // their difference bounds log p_i(w) (plus a margin for rounding). The blocks' statistics are
  // made from the weights on first use and, with check_weights, again whenever a probe of O_i's
  // entries (every kProbeStride-th) differs from theirs: a training step moves every row of a
  // cluster it touches. The probe reads a cache line per 127 weights (~11 µs a token in wasm at
  // 33 K words), so generation probes only when the model's Params::version moved
  // (LanguageModel::sample_next) and once per generation (Generator).
  double cluster_log_prob_bound(int i, const float* x, bool check_weights = true);
  // The probe and rebuild of every cluster's statistics, as check_weights does.
  void check_bound_statistics();
  static constexpr int kBoundRows = 256, kProbeStride = 127;

 private:
  int n_ = 0;
  const float* x_ = nullptr;
  std::vector<float> head_z_, scale_;
  std::vector<double> nll_, cluster_nll_;
  std::vector<int32_t> head_y_;
  struct Group {  // the rows whose target is in one cluster
    std::vector<int32_t> rows, y;
    std::vector<float> x, h, z, scale, dh, dx;
    std::vector<double> nll;
  };
  std::vector<Group> groups_;
  std::vector<float> row_z_, row_h_;  // one generation row's head or cluster logits, projection
  struct Blocks {  // cluster_log_prob_bound's statistics of one cluster's O_i
    std::vector<float> mean, probe;
    std::vector<double> radius;
    std::vector<int> rows;
  };
  std::vector<Blocks> blocks_;
  void check_blocks(int i);
  std::vector<double> block_dot_;
};

// Cut-offs from the vocabulary's token counts (counts[id], ids sorted by frequency): the head covers
// ~80 % of the tokens, then clusters of growing size at ~95 % and ~99 % (a cut is left out when its
// cluster would be smaller than the one before, or the rest under half of it), then the rest; at
// most as many clusters as keep d_i ≥ 1.
std::vector<int> choose_adaptive_cutoffs(const std::vector<int64_t>& counts, int in, double div_value);

}  // namespace rnn
