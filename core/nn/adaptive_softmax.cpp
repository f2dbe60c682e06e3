#include "nn/adaptive_softmax.h"

#include <algorithm>
#include <cmath>

#include "common.h"
#include "kernels/kernels.h"

namespace rnn {

namespace {

// Python's float floor division (floatobject.c), so d_i matches PyTorch's int(in // div ** (i + 1)).
double py_floordiv(double a, double b) {
  double mod = std::fmod(a, b);
  double div = (a - mod) / b;
  if (mod != 0 && ((b < 0) != (mod < 0))) div -= 1.0;
  double fl = std::floor(div);
  if (div - fl > 0.5) fl += 1.0;
  return fl;
}

// out[r] = z[r] − log Σ exp z[r] (+ add, + add_per_row[r]) for each of `rows` rows of `cols`: the
// normaliser in double, subtracted (with what is added) as one float.
void log_softmax_rows(int rows, int cols, const float* z, float* out, size_t out_stride, float add = 0.0f,
                      const float* add_per_row = nullptr, size_t add_stride = 0) {
  for (int r = 0; r < rows; ++r) {
    const float* zr = z + (size_t)r * cols;
    const double lse = kernels::log_sum_exp(cols, zr);
    const double a = add + (add_per_row ? add_per_row[(size_t)r * add_stride] : 0.0f);
    kernels::add_scalar(cols, zr, (float)(a - lse), out + (size_t)r * out_stride);
  }
}

}  // namespace

int AdaptiveSoftmax::tail_dim(int in, double div_value, int i) {
  const double d = py_floordiv((double)in, std::pow(div_value, i + 1));
  if (!(d >= 1)) return 0;  // NaN too
  return d > 1e9 ? 1000000000 : (int)d;
}

void AdaptiveSoftmax::check(int in, int vocab, const std::vector<int>& cutoffs, double div_value) {
  if (!(div_value >= 1) || !std::isfinite(div_value))
    fail("adaptive softmax divValue must be at least 1 (got " + std::to_string(div_value) + ")");
  if (cutoffs.empty()) fail("adaptive softmax needs at least one cutoff (the head's shortlist size)");
  for (size_t i = 0; i < cutoffs.size(); ++i) {
    const int c = cutoffs[i];
    if (c <= 0 || c >= vocab)
      fail("adaptive softmax cutoffs must be between 1 and the vocabulary size − 1 (" + std::to_string(vocab - 1) +
           "; got " + std::to_string(c) + ")");
    if (i > 0 && c <= cutoffs[i - 1])
      fail("adaptive softmax cutoffs must increase (got " + std::to_string(cutoffs[i - 1]) + " then " +
           std::to_string(c) + ")");
    if (tail_dim(in, div_value, (int)i) < 1)
      fail("adaptive softmax cluster " + std::to_string(i) + " would have a projection of width 0 (" +
           std::to_string(in) + " // " + std::to_string(div_value) + "^" + std::to_string(i + 1) +
           "): use fewer cutoffs or a smaller divValue");
  }
}

double AdaptiveSoftmax::parameter_count(int in, int vocab, const std::vector<int>& cutoffs, double div_value,
                                        bool head_bias) {
  if (cutoffs.empty()) return (double)vocab * in;  // not chosen yet: about the head's size at most
  const double head = (double)cutoffs[0] + (double)cutoffs.size();
  double n = head * in + (head_bias ? head : 0.0);
  for (size_t i = 0; i < cutoffs.size(); ++i) {
    const double d = tail_dim(in, div_value, (int)i);
    const double size = (double)(i + 1 < cutoffs.size() ? cutoffs[i + 1] : vocab) - cutoffs[i];
    n += d * in + size * d;
  }
  return n;
}

void AdaptiveSoftmax::declare(Params& p, const std::string& prefix) {
  check(in, vocab, cutoffs, div_value);
  const int n = (int)cutoffs.size();
  head_weight = p.add(prefix + ".head.weight", {cutoffs[0] + n, in});
  if (has_head_bias) head_bias = p.add(prefix + ".head.bias", {cutoffs[0] + n});
  tails.assign(n, Tail{});
  for (int i = 0; i < n; ++i) {
    Tail& t = tails[i];
    t.start = cutoffs[i];
    t.size = (i + 1 < n ? cutoffs[i + 1] : vocab) - t.start;
    t.dim = tail_dim(in, div_value, i);
    const std::string name = prefix + ".tail." + std::to_string(i);
    t.proj = p.add(name + ".0.weight", {t.dim, in});
    t.out = p.add(name + ".1.weight", {t.size, t.dim});
  }
  groups_.resize(n);
}

void AdaptiveSoftmax::bind(Params& p) {
  p.bind(head_weight);
  if (has_head_bias) p.bind(head_bias);
  for (Tail& t : tails) {
    p.bind(t.proj);
    p.bind(t.out);
  }
}

void AdaptiveSoftmax::init(Rng& rng) {
  // As Dense: N(0, 0.1²) cut at 2σ, zero bias. The projection is scaled to keep h_i's size
  // independent of d_i (it feeds O_i, whose rows start at the output layer's scale).
  for (size_t i = 0; i < head_weight.size; ++i) head_weight.w[i] = (float)rng.truncated_normal(0.1);
  if (has_head_bias) std::fill(head_bias.w, head_bias.w + head_bias.size, 0.0f);
  for (Tail& t : tails) {
    for (size_t i = 0; i < t.proj.size; ++i) t.proj.w[i] = (float)rng.truncated_normal(0.1);
    for (size_t i = 0; i < t.out.size; ++i) t.out.w[i] = (float)rng.truncated_normal(0.1);
  }
}

double AdaptiveSoftmax::forward_loss(int n, const float* x, const int32_t* targets, const float* weights) {
  const int S = shortlist(), K = head_size();
  n_ = n;
  x_ = x;
  double wsum = 0;
  for (int r = 0; r < n; ++r) {
    const int32_t y = targets[r];
    if (y < 0 || y >= vocab)
      fail("target id " + std::to_string(y) + " out of range for vocabulary of " + std::to_string(vocab));
    wsum += weights ? weights[r] : 1.0;
  }
  if (scale_.size() < (size_t)n) scale_.resize(n);
  if (head_y_.size() < (size_t)n) head_y_.resize(n);
  if (nll_.size() < (size_t)n) nll_.resize(n);
  if (cluster_nll_.size() < (size_t)n) cluster_nll_.resize(n);
  for (Group& g : groups_) {
    g.rows.clear();
    g.y.clear();
  }
  for (int r = 0; r < n; ++r) {
    const double w = weights ? weights[r] : 1.0;
    scale_[r] = wsum > 0 ? (float)(w / wsum) : 0.0f;
    cluster_nll_[r] = 0;
    const int32_t y = targets[r];
    if (y < S) {
      head_y_[r] = y;
      continue;
    }
    const int i = (int)(std::upper_bound(cutoffs.begin(), cutoffs.end(), y) - cutoffs.begin()) - 1;
    head_y_[r] = S + i;
    if (w == 0) continue;  // padding: no loss, no gradient, no work
    groups_[i].rows.push_back(r);
    groups_[i].y.push_back(y - tails[i].start);
  }
  // Head: every row. dz is written in place over z (softmax_xent allows the alias).
  if (head_z_.size() < (size_t)n * K) head_z_.resize((size_t)n * K);
  kernels::matmul_nt(n, K, in, x, head_weight.w, head_z_.data(), false);
  if (has_head_bias) kernels::add_bias(n, K, head_bias.w, head_z_.data());
  kernels::softmax_xent(n, K, head_z_.data(), head_y_.data(), scale_.data(), nll_.data(), head_z_.data());
  // Clusters: the gathered rows only.
  for (size_t i = 0; i < tails.size(); ++i) {
    Group& g = groups_[i];
    const Tail& t = tails[i];
    const int m = (int)g.rows.size();
    if (m == 0) continue;
    if (g.x.size() < (size_t)m * in) g.x.resize((size_t)m * in);
    if (g.h.size() < (size_t)m * t.dim) g.h.resize((size_t)m * t.dim);
    if (g.z.size() < (size_t)m * t.size) g.z.resize((size_t)m * t.size);
    if (g.scale.size() < (size_t)m) g.scale.resize(m);
    for (int k = 0; k < m; ++k) {
      std::copy_n(x + (size_t)g.rows[k] * in, in, g.x.data() + (size_t)k * in);
      g.scale[k] = scale_[g.rows[k]];
    }
    kernels::matmul_nt(m, t.dim, in, g.x.data(), t.proj.w, g.h.data(), false);
    kernels::matmul_nt(m, t.size, t.dim, g.h.data(), t.out.w, g.z.data(), false);
    if (g.nll.size() < (size_t)m) g.nll.resize(m);
    kernels::softmax_xent(m, t.size, g.z.data(), g.y.data(), g.scale.data(), g.nll.data(), g.z.data());
    for (int k = 0; k < m; ++k) cluster_nll_[g.rows[k]] = g.nll[k];
  }
  double total = 0;
  for (int r = 0; r < n; ++r) {
    const double w = weights ? weights[r] : 1.0;
    if (w != 0) total += w * (nll_[r] + cluster_nll_[r]);
  }
  return wsum > 0 ? total / wsum : 0.0;
}

void AdaptiveSoftmax::backward(float* dx) {
  const int n = n_, K = head_size();
  const float* x = x_;
  const float* dz = head_z_.data();  // forward_loss left the head's gradient here
  kernels::matmul_tn(K, in, n, dz, x, head_weight.g, true);
  if (has_head_bias) kernels::sum_rows(n, K, dz, head_bias.g);
  if (dx) kernels::matmul_nn(n, in, K, dz, head_weight.w, dx, false);
  for (size_t i = 0; i < tails.size(); ++i) {
    Group& g = groups_[i];
    Tail& t = tails[i];
    const int m = (int)g.rows.size();
    if (m == 0) continue;
    if (g.dh.size() < (size_t)m * t.dim) g.dh.resize((size_t)m * t.dim);
    kernels::matmul_tn(t.size, t.dim, m, g.z.data(), g.h.data(), t.out.g, true);    // dO += dzᵀ·h
    kernels::matmul_nn(m, t.dim, t.size, g.z.data(), t.out.w, g.dh.data(), false);  // dh = dz·O
    kernels::matmul_tn(t.dim, in, m, g.dh.data(), g.x.data(), t.proj.g, true);      // dP += dhᵀ·x
    if (!dx) continue;
    if (g.dx.size() < (size_t)m * in) g.dx.resize((size_t)m * in);
    kernels::matmul_nn(m, in, t.dim, g.dh.data(), t.proj.w, g.dx.data(), false);    // dx_i = dh·P
    for (int k = 0; k < m; ++k) kernels::axpy(in, 1.0f, g.dx.data() + (size_t)k * in, dx + (size_t)g.rows[k] * in);
  }
}

void AdaptiveSoftmax::log_probs(int n, const float* x, float* out) {
  const int S = shortlist(), K = head_size();
  if (head_z_.size() < (size_t)n * K) head_z_.resize((size_t)n * K);
  kernels::matmul_nt(n, K, in, x, head_weight.w, head_z_.data(), false);
  if (has_head_bias) kernels::add_bias(n, K, head_bias.w, head_z_.data());
  // The head's log-probabilities in place; its first S columns are the shortlist's words.
  log_softmax_rows(n, K, head_z_.data(), head_z_.data(), K);
  for (int r = 0; r < n; ++r) std::copy_n(head_z_.data() + (size_t)r * K, S, out + (size_t)r * vocab);
  for (size_t i = 0; i < tails.size(); ++i) {
    Group& g = groups_[i];
    const Tail& t = tails[i];
    if (g.h.size() < (size_t)n * t.dim) g.h.resize((size_t)n * t.dim);
    if (g.z.size() < (size_t)n * t.size) g.z.resize((size_t)n * t.size);
    kernels::matmul_nt(n, t.dim, in, x, t.proj.w, g.h.data(), false);
    kernels::matmul_nt(n, t.size, t.dim, g.h.data(), t.out.w, g.z.data(), false);
    log_softmax_rows(n, t.size, g.z.data(), out + t.start, vocab, 0.0f, head_z_.data() + S + i, K);
  }
}

void AdaptiveSoftmax::head_log_probs(const float* x, float* out) {
  const int K = head_size();
  if (row_z_.size() < (size_t)K) row_z_.resize(K);
  kernels::matmul_nt(1, K, in, x, head_weight.w, row_z_.data(), false);
  if (has_head_bias) kernels::add_bias(1, K, head_bias.w, row_z_.data());
  log_softmax_rows(1, K, row_z_.data(), out, K);
}

void AdaptiveSoftmax::cluster_log_probs(int i, const float* x, float head_lp, float* out) {
  const Tail& t = tails.at(i);
  if (row_h_.size() < (size_t)t.dim) row_h_.resize(t.dim);
  if (row_z_.size() < (size_t)t.size) row_z_.resize(t.size);
  kernels::matmul_nt(1, t.dim, in, x, t.proj.w, row_h_.data(), false);
  kernels::matmul_nt(1, t.size, t.dim, row_h_.data(), t.out.w, row_z_.data(), false);
  log_softmax_rows(1, t.size, row_z_.data(), out, t.size, 0.0f, &head_lp, 0);
}

void AdaptiveSoftmax::check_bound_statistics() {
  for (int i = 0; i < (int)tails.size(); ++i) check_blocks(i);
}

void AdaptiveSoftmax::check_blocks(int i) {
  const Tail& t = tails.at(i);
  if (blocks_.size() != tails.size()) blocks_.assign(tails.size(), Blocks{});
  Blocks& b = blocks_[i];
  const size_t n_out = (size_t)t.size * t.dim;
  bool fresh = b.probe.size() == (n_out + kProbeStride - 1) / kProbeStride;
  for (size_t k = 0; fresh && k < b.probe.size(); ++k) fresh = b.probe[k] == t.out.w[k * kProbeStride];
  if (!fresh) {
    const int nb = (t.size + kBoundRows - 1) / kBoundRows;
    b.mean.assign((size_t)nb * t.dim, 0.0f);
    b.radius.assign(nb, 0.0);
    b.rows.assign(nb, 0);
    std::vector<double> m(t.dim);
    for (int k = 0; k < nb; ++k) {
      const int j0 = k * kBoundRows, j1 = std::min(t.size, j0 + kBoundRows);
      b.rows[k] = j1 - j0;
      std::fill(m.begin(), m.end(), 0.0);
      for (int j = j0; j < j1; ++j)
        for (int d = 0; d < t.dim; ++d) m[d] += t.out.w[(size_t)j * t.dim + d];
      float* mk = b.mean.data() + (size_t)k * t.dim;
      for (int d = 0; d < t.dim; ++d) mk[d] = (float)(m[d] / (j1 - j0));
      double r2 = 0;  // from the rounded mean: the one the bound uses
      for (int j = j0; j < j1; ++j) {
        double s2 = 0;
        for (int d = 0; d < t.dim; ++d) {
          const double e = (double)t.out.w[(size_t)j * t.dim + d] - mk[d];
          s2 += e * e;
        }
        r2 = std::max(r2, s2);
      }
      b.radius[k] = std::sqrt(r2);
    }
    b.probe.resize((n_out + kProbeStride - 1) / kProbeStride);
    for (size_t k = 0; k < b.probe.size(); ++k) b.probe[k] = t.out.w[k * kProbeStride];
  }
}

double AdaptiveSoftmax::cluster_log_prob_bound(int i, const float* x, bool check_weights) {
  const Tail& t = tails.at(i);
  if (check_weights || blocks_.size() != tails.size() || blocks_[i].radius.empty()) check_blocks(i);
  const Blocks& b = blocks_[i];
  if (row_h_.size() < (size_t)t.dim) row_h_.resize(t.dim);
  kernels::matmul_nt(1, t.dim, in, x, t.proj.w, row_h_.data(), false);
  const float* h = row_h_.data();
  double hh = 0, habs = 0;
  for (int d = 0; d < t.dim; ++d) hh += (double)h[d] * h[d], habs += std::fabs((double)h[d]);
  const double hn = std::sqrt(hh);
  const int nb = (int)b.radius.size();
  block_dot_.resize(nb);
  double top = -INFINITY, mid = -INFINITY, wabs = 0, rmax = 0;
  for (int k = 0; k < nb; ++k) {
    const float* mk = b.mean.data() + (size_t)k * t.dim;
    double s = 0;
    for (int d = 0; d < t.dim; ++d) s += (double)mk[d] * h[d];
    for (int d = 0; d < t.dim; ++d) wabs = std::max(wabs, std::fabs((double)mk[d]));
    rmax = std::max(rmax, b.radius[k]);
    block_dot_[k] = s;
    top = std::max(top, s + b.radius[k] * hn);
    mid = std::max(mid, s);
  }
  double sum = 0;
  for (int k = 0; k < nb; ++k) sum += b.rows[k] * std::exp(block_dot_[k] - mid);
  const double lse_lo = mid + std::log(sum);
  // Rounding: the float logits' dot products are off by ~dim·2⁻²⁴·Σ|O_wd·h_d| ≤ …·(|m| + r)·Σ|h_d|,
  // the rounded means' as much; 1e-3 plus 1e-5 of the sizes involved covers both many times.
  const double margin = 1e-3 + 1e-5 * (std::fabs(top) + std::fabs(lse_lo) + (wabs + rmax) * habs);
  return std::min(0.0, top - lse_lo + margin);
}

std::vector<int> choose_adaptive_cutoffs(const std::vector<int64_t>& counts, int in, double div_value) {
  const int V = (int)counts.size();
  if (V < 2) fail("the adaptive softmax needs a vocabulary of at least 2 tokens (got " + std::to_string(V) + ")");
  if (AdaptiveSoftmax::tail_dim(in, div_value, 0) < 1)
    fail("the adaptive softmax needs hidden (" + std::to_string(in) + ") at least divValue (" +
         std::to_string(div_value) + "): its first cluster's projection would have width 0");
  std::vector<double> cum(V + 1, 0.0);
  for (int i = 0; i < V; ++i) cum[i + 1] = cum[i] + (double)std::max<int64_t>(counts[i], 0);
  const double total = cum[V];
  // Smallest k with cum[k] ≥ f·total.
  auto covering = [&](double f) {
    const int k = (int)(std::lower_bound(cum.begin() + 1, cum.end(), f * total - 1e-9) - cum.begin());
    return std::min(std::max(k, 1), V);
  };
  std::vector<int> cut = {std::min(covering(0.8), V - 1)};
  int prev_size = 0;
  for (double f : {0.95, 0.99}) {
    if (AdaptiveSoftmax::tail_dim(in, div_value, (int)cut.size()) < 1) break;
    const int k = covering(f), size = k - cut.back();
    // Clusters grow: this one at least as large as the one before; the rest, cheap at its smaller
    // width, may be up to half this one's size (on Zipf counts a 95 % cut leaves a last cluster
    // about as large as the one before it, and cutting there halves the tail's cost).
    if (size <= 0 || size < prev_size || 2 * (V - k) < size) continue;
    cut.push_back(k);
    prev_size = size;
  }
  return cut;
}

}  // namespace rnn
