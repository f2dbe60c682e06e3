#include "decode/sampling.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <sstream>
#include <string>
#include <vector>

#include "common.h"
#include "kernels/kernels.h"

namespace rnn {

namespace {

template <class T>
[[noreturn]] void bad_option(const char* what, T got) {
  std::ostringstream msg;
  msg << what << " (got " << got << ")";
  fail(msg.str());
}

// Candidates ranked most likely first, weight(i) each: keeps the smallest prefix holding top_p of
// their weight (when top_p < 1), then draws one in proportion to its weight; returns its rank.
template <class Weight>
size_t draw_ranked(size_t n, Weight weight, float top_p, Rng& rng) {
  if (top_p < 1.0f) {
    double total = 0;
    for (size_t i = 0; i < n; ++i) total += weight(i);
    const double target = top_p * total;
    double cum = 0;
    size_t i = 0;
    while (i < n) {
      cum += weight(i++);
      if (cum >= target) break;
    }
    n = i;  // >= 1 because the loop body runs at least once
  }
  double total = 0;
  for (size_t i = 0; i < n; ++i) total += weight(i);
  const double u = rng.uniform() * total;
  double cum = 0;
  for (size_t i = 0; i < n; ++i) {
    cum += weight(i);
    if (u < cum) return i;
  }
  // Rounding left u at the very top: the last candidate with non-zero weight.
  for (size_t i = n; i-- > 0;)
    if (weight(i) > 0) return i;
  return 0;
}

}  // namespace

void validate(const SamplingOptions& o) {
  // Written as !(ok) so that NaN fails too.
  // Messages use the JS API's option names: this is what users of every front end typed.
  if (!(o.temperature >= 0.0f && std::isfinite(o.temperature)))
    bad_option("option 'temperature' must be >= 0 and finite", o.temperature);
  if (o.top_k < 0) bad_option("option 'topK' must be >= 0", o.top_k);
  if (!(o.top_p > 0.0f && o.top_p <= 1.0f)) bad_option("option 'topP' must be in (0, 1]", o.top_p);
  if (!(o.repetition_penalty > 0.0f && std::isfinite(o.repetition_penalty)))
    bad_option("option 'repetitionPenalty' must be > 0 and finite", o.repetition_penalty);
}

int32_t sample_token(const float* logits, int32_t n, const SamplingOptions& o, Rng& rng, const int32_t* recent,
                     size_t n_recent) {
  validate(o);
  if (n < 1 || !logits) fail("sample_token needs at least one logit (got " + std::to_string(n) + ")");

  // Grow-only scratch: at a 33 K-word vocabulary three fresh vectors a token cost more than the
  // sampling itself.
  thread_local std::vector<double> z, p;
  thread_local std::vector<int32_t> order;
  thread_local std::vector<uint8_t> seen;
  z.assign(logits, logits + n);
  for (int32_t i = 0; i < n; ++i)
    if (std::isnan(z[i]) || z[i] == INFINITY) fail("logit " + std::to_string(i) + " is NaN or +inf");

  if (o.repetition_penalty != 1.0f && n_recent > 0) {
    if (seen.size() < (size_t)n) seen.resize(n, 0);
    for (size_t k = 0; k < n_recent; ++k) {
      const int32_t id = recent[k];
      if (id < 0 || id >= n) {
        for (size_t j = 0; j < k; ++j) seen[recent[j]] = 0;
        fail("recent token id " + std::to_string(id) + " out of range (vocab size " + std::to_string(n) + ")");
      }
      if (seen[id]) continue;  // penalise each token once
      seen[id] = 1;
      z[id] = z[id] > 0 ? z[id] / o.repetition_penalty : z[id] * o.repetition_penalty;
    }
    for (size_t k = 0; k < n_recent; ++k) seen[recent[k]] = 0;
  }

  const int32_t best = static_cast<int32_t>(std::max_element(z.begin(), z.end()) - z.begin());  // first max
  if (z[best] == -INFINITY) fail("all logits are -inf");
  if (o.greedy || o.temperature == 0.0f) return best;

  // Weights of the softmax of z / T, stable; unnormalised is enough. Candidates are ranked by z
  // (exp is monotone; ties -> lower id), so top-k needs the weights of its k only, and no
  // truncation ever sorts the whole vocabulary: top-k selects (nth_element) and sorts k, top-p
  // pops a heap until the nucleus is complete.
  const double inv_t = 1.0 / o.temperature, zmax = z[best];
  const auto weight = [&](int32_t i) { return std::exp((z[i] - zmax) * inv_t); };
  p.resize(n);
  order.resize(n);
  std::iota(order.begin(), order.end(), 0);
  const auto more_likely = [&](int32_t a, int32_t b) { return z[a] != z[b] ? z[a] > z[b] : a < b; };
  size_t kept = order.size();
  if (o.top_k > 0 && static_cast<size_t>(o.top_k) < kept) {
    kept = static_cast<size_t>(o.top_k);
    std::nth_element(order.begin(), order.begin() + (kept - 1), order.end(), more_likely);
    std::sort(order.begin(), order.begin() + kept, more_likely);
    for (size_t i = 0; i < kept; ++i) p[order[i]] = weight(order[i]);
  } else {
    for (int32_t i = 0; i < n; ++i) p[i] = weight(i);
  }
  float top_p = o.top_p;
  if (top_p < 1.0f && kept == order.size()) {
    // No top-k: the nucleus comes off a max-heap of all ids. Each pop moves the next most likely id
    // to the heap's end, so the nucleus collects at the back of `order`, most likely last: reversed
    // at the end.
    double total = 0;
    for (int32_t i = 0; i < n; ++i) total += p[i];
    const double target = top_p * total;
    double cum = 0;
    size_t i = 0;
    const auto less_likely = [&](int32_t a, int32_t b) { return more_likely(b, a); };
    std::make_heap(order.begin(), order.end(), less_likely);
    auto end = order.end();
    while (end != order.begin()) {
      std::pop_heap(order.begin(), end, less_likely);
      --end;
      ++i;
      cum += p[*end];
      if (cum >= target) break;
    }
    std::reverse(end, order.end());
    std::rotate(order.begin(), end, order.end());
    kept = i;
    top_p = 1.0f;  // the nucleus is cut already
  }
  return order[draw_ranked(kept, [&](size_t i) { return p[order[i]]; }, top_p, rng)];
}

namespace {

using Cand = Candidate;
// sample_token's ranking: more likely first, ties -> lower id.
inline bool ranks_before(const Cand& a, const Cand& b) { return a.v != b.v ? a.v > b.v : a.id < b.id; }

// Float rounding of the log-probabilities (|log p| up to ~1000 in float) moves a cluster's exact mass
// from p(cluster) by far less than this relative slack, which the bounds include.
constexpr double kSlack = 1e-4;

// Fails naming the first NaN or +inf of v[0, n) (ids from first_id; negative ids name clusters).
// The scan is a plain reduction the compiler vectorises: on a 5 K-word head a call per word cost
// more than the argmax.
void check_values(const float* v, int32_t n, int32_t first_id, int32_t clusters_from = INT32_MAX) {
  bool ok = true;
  for (int32_t i = 0; i < n; ++i) ok &= v[i] < INFINITY;  // false for NaN and +inf
  if (ok) return;
  for (int32_t i = 0; i < n; ++i)
    if (std::isnan(v[i]) || v[i] == INFINITY) {
      const int32_t id = i < clusters_from ? first_id + i : -1 - (i - clusters_from);
      fail("log-probability of " + std::to_string(id) + " is NaN or +inf");
    }
}

}  // namespace

// Buckets by value follow the rank's order: whole buckets are taken while they fall short and only
// the one that closes the nucleus is looked into, again by buckets while it holds more than a few,
// then sorted. On a flat-tailed model the nucleus runs to thousands of words, and a heap or a sort
// of them cost more than the rest of the token.
size_t select_nucleus(Candidate* c, size_t n, double need, double& before_last) {
  constexpr int kBuckets = 256;
  constexpr size_t kFew = 48;
  size_t base = 0, end = n;  // the closing part: c[base, end); c[0, base) is in, c[end, n) out
  double before = 0;         // weight of c[0, base)
  while (end - base > kFew) {
    float vmax = -INFINITY, vmin = INFINITY;
    for (size_t i = base; i < end; ++i) vmax = std::max(vmax, c[i].v), vmin = std::min(vmin, c[i].v);
    if (!(vmax > vmin)) break;
    const double scale = (kBuckets - 1) / ((double)vmax - vmin);
    const auto bucket = [&](const Cand& x) { return std::min(kBuckets - 1, (int)(((double)vmax - x.v) * scale)); };
    double mass[kBuckets] = {0};
    for (size_t i = base; i < end; ++i) mass[bucket(c[i])] += c[i].w;
    int closing = -1;
    double in = 0;
    for (int b = 0; b < kBuckets && closing < 0; ++b) {
      if (before + in + mass[b] >= need) closing = b;
      else in += mass[b];
    }
    if (closing < 0) {  // they all fall short: all are in, the last-ranked of them last
      std::iter_swap(std::max_element(c + base, c + end, ranks_before), c + end - 1);
      before_last = before + in - c[end - 1].w;
      return end;
    }
    Cand* mid = std::partition(c + base, c + end, [&](const Cand& x) { return bucket(x) < closing; });
    Cand* last = std::partition(mid, c + end, [&](const Cand& x) { return bucket(x) == closing; });
    if (mid == c + base && last == c + end) break;  // one bucket holds them all: sort them
    before += in;
    base = mid - c;
    end = last - c;
  }
  std::sort(c + base, c + end, ranks_before);
  double acc = before;
  for (size_t i = base; i < end; ++i) {
    acc += c[i].w;
    if (acc >= need) {
      before_last = acc - c[i].w;
      return i + 1;
    }
  }
  if (end == 0) return 0;
  before_last = acc - c[end - 1].w;
  return end;
}

namespace {

// The words a top-p draw knows so far (the head's, then each expanded cluster's), kept as the
// arrays they come in (values, weights, the first id), and the nucleus among them, found without
// moving them. Each word gets a bucket by value as it comes in — the rank's order, bucket 0 the
// largest: kBuckets − 1 equal steps over kSpan temperatures below `top` (no word is above it), the
// rest in the last — and the buckets' weights add up; the nucleus takes whole buckets while they
// fall short, and only the words of the one that closes it are gathered for select_nucleus.
// A bucket is round((top − v)/(T·kSpan)·(kBuckets − 1)), clamped (kernels::value_buckets):
// monotone in v, which is all the ranking needs.
class KnownWords {
 public:
  void start(float top, double temperature) {
    segs_.clear();
    total_ = 0;
    top_ = top;
    scale_ = (float)((kBuckets - 1) / (kSpan * temperature));
    std::fill(&mass_[0][0], &mass_[0][0] + 2 * kBuckets, 0.0);
  }
  // Adds v[0, n) with ids first_id …, weights w (sum: Σ w); v and w must stay alive until the draw.
  void add(const float* v, const float* w, int32_t n, int32_t first_id, double sum) {
    if (segs_.size() == buckets_.size()) buckets_.emplace_back();
    std::vector<int32_t>& b = buckets_[segs_.size()];
    b.resize(n);
    // max(0, ·) there covers a cluster's word rounded a hair above `top`; −inf goes to the last.
    kernels::value_buckets(n, v, top_, scale_, kBuckets - 1, b.data());
    segs_.push_back({v, w, b.data(), n, first_id});
    // Two histograms, even and odd words: neighbours often share a bucket, and one histogram
    // would chain each addition to the last one's store.
    int32_t j = 0;
    for (; j + 1 < n; j += 2) {
      mass_[0][b[j]] += w[j];
      mass_[1][b[j + 1]] += w[j + 1];
    }
    if (j < n) mass_[0][b[j]] += w[j];
    total_ += sum;
  }
  double total() const { return total_; }

  // Selects the nucleus for `need`; false when no word is finite. last(): its last-ranked word;
  // before_last(): the weight of the nucleus without it.
  bool select(double need) {
    // The closing bucket: the first whose words reach `need`, else (rounding) the last non-empty one.
    before_ = 0;
    closing_ = -1;
    for (int b = 0; b < kBuckets; ++b) {
      const double mass = mass_[0][b] + mass_[1][b];
      // Finite words of weight 0 (underflowed, so in the last bucket) count too: looked for when
      // the nucleus gets that far, which it hardly ever does.
      if (!(mass > 0 || (b == kBuckets - 1 && has_finite_in_last()))) continue;
      closing_ = b;
      if (before_ + mass >= need) break;
      before_ += mass;
    }
    if (closing_ < 0) return false;
    const double closing_mass = mass_[0][closing_] + mass_[1][closing_];
    if (before_ + closing_mass < need) before_ -= closing_mass;  // fell short: the last one closes
    edge_.clear();
    const int32_t closing = closing_;  // a local: the loop stores to edge_
    for (const Seg& s : segs_)
      for (int j = kernels::next_equal(s.n, s.bucket, closing, 0); j < s.n; j = kernels::next_equal(s.n, s.bucket, closing, j + 1))
        if (s.v[j] != -INFINITY) edge_.push_back({s.v[j], s.first_id + j, s.w[j]});
    double edge_before_last = 0;
    m_ = select_nucleus(edge_.data(), edge_.size(), need - before_, edge_before_last);
    before_last_ = before_ + edge_before_last;
    return true;
  }
  const Candidate& last() const { return edge_[m_ - 1]; }
  double before_last() const { return before_last_; }

  // One draw from the nucleus in proportion to the weights.
  int32_t draw(Rng& rng) const {
    double total = before_;
    for (size_t i = 0; i < m_; ++i) total += edge_[i].w;
    const double u = rng.uniform() * total;
    // Below before_: the bucket first, by the buckets' weights as select() summed them, then the
    // word among that bucket's.
    double acc = 0;
    for (int b = 0; b < closing_; ++b) {
      const double mass = mass_[0][b] + mass_[1][b];
      if (!(u < acc + mass)) {
        acc += mass;
        continue;
      }
      const double within = u - acc;
      double cum = 0;
      int32_t last = -1;
      for (const Seg& s : segs_)
        for (int j = kernels::next_equal(s.n, s.bucket, b, 0); j < s.n; j = kernels::next_equal(s.n, s.bucket, b, j + 1)) {
          if (!(s.w[j] > 0)) continue;
          last = s.first_id + j;
          if (within < (cum += s.w[j])) return last;
        }
      if (last >= 0) return last;  // rounding left `within` at the bucket's very top
    }
    acc = before_;
    for (size_t i = 0; i < m_; ++i)
      if (u < (acc += edge_[i].w)) return edge_[i].id;
    for (size_t i = m_; i-- > 0;)
      if (edge_[i].w > 0) return edge_[i].id;
    return edge_[0].id;
  }

 private:
  static constexpr int kBuckets = 256;
  static constexpr double kSpan = 24;  // weights below e⁻²⁴ of the top's share the last bucket
  struct Seg {
    const float* v;
    const float* w;
    const int32_t* bucket;
    int32_t n, first_id;
  };
  bool has_finite_in_last() const {
    for (const Seg& s : segs_)
      for (int32_t j = 0; j < s.n; ++j)
        if (s.bucket[j] == kBuckets - 1 && s.v[j] != -INFINITY) return true;
    return false;
  }
  std::vector<Seg> segs_;
  std::vector<std::vector<int32_t>> buckets_;
  std::vector<Candidate> edge_;
  double mass_[2][kBuckets], total_ = 0, before_ = 0, before_last_ = 0;
  float top_ = 0, scale_ = 0;
  int closing_ = 0;
  size_t m_ = 0;
};

}  // namespace

int32_t sample_two_level(const TwoLevelLogProbs& d, const SamplingOptions& o, Rng& rng) {
  validate(o);
  const int32_t S = d.shortlist, C = d.clusters;
  if (!d.head || S < 0 || C < 0 || S + C < 1 || (C > 0 && (!d.start || !d.size || !d.expand)))
    fail("sample_two_level needs a head of at least one entry and, with clusters, their ranges and expand");
  const float* head = d.head;
  check_values(head, S + C, 0, S);
  int64_t V = S;
  for (int32_t c = 0; c < C; ++c) V += d.size[c];
  const auto bound = [&](int32_t c) { return head[S + c]; };  // log p(c); −inf: nothing to draw there
  // b(c): no word of c is above it (computed once, when first asked for).
  thread_local std::vector<double> best_cache;
  best_cache.assign(C, NAN);
  const auto best = [&](int32_t c) {
    if (std::isnan(best_cache[c])) {
      double b = bound(c);
      if (d.word_bound && b != -INFINITY) b = std::min(b, b + std::min(0.0, d.word_bound(c)));
      best_cache[c] = b;
    }
    return best_cache[c];
  };

  // Clusters by b(c), largest first (ties -> lower c), when a truncation needs that order.
  thread_local std::vector<int32_t> by_mass;
  thread_local std::vector<const float*> vals;
  thread_local std::vector<Cand> cand;
  thread_local std::vector<double> p;
  by_mass.resize(C);
  std::iota(by_mass.begin(), by_mass.end(), 0);
  const bool truncated = o.greedy || o.temperature == 0.0f || (o.top_k > 0 && (int64_t)o.top_k < V) || o.top_p < 1.0f;
  if (truncated)
    std::sort(by_mass.begin(), by_mass.end(),
              [&](int32_t a, int32_t b) { return best(a) != best(b) ? best(a) > best(b) : a < b; });
  vals.assign(C, nullptr);
  const auto expand = [&](int32_t c) {
    if (!vals[c]) {
      const float* v = d.expand(c);
      check_values(v, d.size[c], d.start[c]);
      vals[c] = v;
    }
    return vals[c];
  };

  if (o.greedy || o.temperature == 0.0f) {
    int32_t top = -1;
    float bv = -INFINITY;
    for (int32_t i = 0; i < S; ++i)
      if (head[i] > bv) bv = head[i], top = i;
    for (int32_t c : by_mass) {
      // No word of c is above log p(c); at equality one could win the tie by a lower id.
      if (bound(c) == -INFINITY || (top >= 0 && best(c) < bv)) break;
      const float* v = expand(c);
      for (int32_t j = 0; j < d.size[c]; ++j) {
        const int32_t id = d.start[c] + j;
        if (v[j] == -INFINITY) continue;
        if (top < 0 || v[j] > bv || (v[j] == bv && id < top)) bv = v[j], top = id;
      }
    }
    if (top < 0) fail("all logits are -inf");
    return top;
  }

  const double inv_t = 1.0 / o.temperature;
  // Each cluster's mass under the temperature, Σ_w exp((log p(w) − ref)/T), lies in [lo, hi].
  const auto mass_bounds = [&](int32_t c, double ref, double& lo, double& hi) {
    const double e = std::exp(((double)bound(c) - ref) * inv_t);
    const double flat = std::pow((double)d.size[c], 1.0 - inv_t);  // n^(1 − a): all words alike
    // u^(a − 1), the most peaked the bound allows (1 when there is no bound or at T = 1)
    const double peaked = inv_t == 1.0 ? 1.0 : std::exp((best(c) - (double)bound(c)) * (inv_t - 1.0));
    lo = e * std::min(flat, peaked) * (1 - kSlack);
    hi = e * std::max(flat, peaked) * (1 + kSlack);
  };

  if (o.top_k > 0 && (int64_t)o.top_k < V) {
    // The k best words in a heap whose front is the k-th best so far (the last-ranked): most words
    // cost one comparison with it. A cluster can hold one of them only if b(c) reaches it.
    const size_t k = (size_t)o.top_k;
    cand.clear();
    const auto offer = [&](float v, int32_t id) {
      const Cand x{v, id, 0.0};
      if (cand.size() < k) {
        cand.push_back(x);
        std::push_heap(cand.begin(), cand.end(), ranks_before);
      } else if (ranks_before(x, cand.front())) {
        std::pop_heap(cand.begin(), cand.end(), ranks_before);
        cand.back() = x;
        std::push_heap(cand.begin(), cand.end(), ranks_before);
      }
    };
    // Below the k-th best so far nothing can enter: most words stop at this one comparison.
    float kth = -INFINITY;
    const auto offer_all = [&](const float* v, int32_t n, int32_t first_id) {
      for (int32_t j = 0; j < n; ++j) {
        if (v[j] < kth) continue;
        offer(v[j], first_id + j);
        if (cand.size() == k) kth = cand.front().v;
      }
    };
    offer_all(head, S, 0);
    for (int32_t c : by_mass) {
      if (cand.size() == k && best(c) < cand.front().v) break;
      offer_all(expand(c), d.size[c], d.start[c]);
    }
    // From here exactly sample_token's top-k: the same k values, weights, nucleus and draw.
    std::sort(cand.begin(), cand.end(), ranks_before);
    const double zmax = cand[0].v;
    if (zmax == -INFINITY) fail("all logits are -inf");
    size_t n = cand.size();
    p.resize(n);
    for (size_t i = 0; i < n; ++i) p[i] = std::exp(((double)cand[i].v - zmax) * inv_t);
    return cand[draw_ranked(n, [&](size_t i) { return p[i]; }, o.top_p, rng)].id;
  }

  // Weights relative to the head's largest entry (a word's or a cluster's): no word is above it.
  const double ref = kernels::max_of(S + C, head);
  if (ref == -INFINITY) fail("all logits are -inf");
  // The words' weights exp((log p(w) − ref)/T) come from kernels::exp_scaled, in float.

  if (o.top_p < 1.0f) {
    // The nucleus among the known words (the head's, then those of expanded clusters), for the
    // largest total the unexpanded clusters' masses allow; a cluster is expanded when the known
    // words cannot close the nucleus, when its best possible word could rank inside it, or when
    // where it ends depends on the clusters' masses. Passes ≤ clusters + 1, each O(known words).
    thread_local std::vector<std::vector<float>> weights;  // [0] the head's, [c + 1] cluster c's
    thread_local KnownWords known;
    weights.resize(C + 1);
    known.start((float)ref, o.temperature);
    const auto add_words = [&](const float* v, int32_t n, int32_t first_id, std::vector<float>& w) {
      w.resize(n);
      const double sum = kernels::exp_scaled(n, v, (float)ref, (float)inv_t, w.data());
      known.add(v, w.data(), n, first_id, sum);
    };
    add_words(head, S, 0, weights[0]);
    thread_local std::vector<double> mass_lo, mass_hi;
    mass_lo.assign(C, 0.0);
    mass_hi.assign(C, 0.0);
    for (int32_t c = 0; c < C; ++c)
      if (bound(c) != -INFINITY) mass_bounds(c, ref, mass_lo[c], mass_hi[c]);
    const auto expand_words = [&](int32_t c) { add_words(expand(c), d.size[c], d.start[c], weights[c + 1]); };
    const auto next_unexpanded = [&]() -> int32_t {
      for (int32_t c : by_mass)
        if (!vals[c] && bound(c) != -INFINITY) return c;
      return -1;
    };
    for (;;) {
      double rest_lo = 0, rest_hi = 0;
      for (int32_t c = 0; c < C; ++c)
        if (!vals[c] && bound(c) != -INFINITY) rest_lo += mass_lo[c], rest_hi += mass_hi[c];
      const double need = o.top_p * (known.total() + rest_hi);
      const int32_t u = next_unexpanded();
      if (u >= 0 && known.total() < need) {  // the nucleus may run past every known word
        expand_words(u);
        continue;
      }
      if (!known.select(need)) fail("all logits are -inf");
      // Clusters whose best word could rank at or before the nucleus's last one may hold nucleus words.
      const float last = known.last().v;
      bool expanded = false;
      for (int32_t c : by_mass) {
        if (vals[c] || bound(c) == -INFINITY) continue;
        if (best(c) < last) break;
        expand_words(c);
        expanded = true;
      }
      if (expanded) continue;
      // It ends at the same word for every total the unexpanded masses allow (or all are known).
      if (u < 0 || known.before_last() < o.top_p * (known.total() + rest_lo)) break;
      expand_words(u);  // where it ends depends on their masses
    }
    return known.draw(rng);
  }

  // Temperature only: rejection from the envelope (head words' weights, clusters' upper bounds); a
  // draw in a cluster's share expands it and is kept with probability exact / bound, else repeated
  // with the exact mass in place of the bound (at most once per cluster).
  thread_local std::vector<float> hw;
  hw.resize(S);
  kernels::exp_scaled(S, head, (float)ref, (float)inv_t, hw.data());
  p.resize(S);
  double head_total = 0;
  for (int32_t i = 0; i < S; ++i) head_total += (p[i] = hw[i]);
  thread_local std::vector<double> env;
  thread_local std::vector<uint8_t> exact;
  env.resize(C);
  exact.assign(C, 0);
  for (int32_t c = 0; c < C; ++c) {
    double l;
    if (bound(c) == -INFINITY) env[c] = 0, exact[c] = 1;
    else mass_bounds(c, ref, l, env[c]);
  }
  for (;;) {
    double total = head_total;
    for (int32_t c = 0; c < C; ++c) total += env[c];
    const double u = rng.uniform() * total;
    if (u < head_total || C == 0) {
      double cum = 0;
      for (int32_t i = 0; i < S; ++i) {
        cum += p[i];
        if (u < cum) return i;
      }
      for (int32_t i = S; i-- > 0;)
        if (p[i] > 0) return i;
      if (C == 0) fail("all logits are -inf");
    }
    double off = u - head_total;
    int32_t c = -1;
    for (int32_t k = 0; k < C; ++k) {
      if (env[k] <= 0) continue;
      c = k;
      if (off < env[k]) break;
      off -= env[k];
    }
    if (c < 0) fail("all logits are -inf");
    off = std::min(off, env[c]);
    const float* v = expand(c);
    hw.resize(d.size[c]);
    kernels::exp_scaled(d.size[c], v, (float)ref, (float)inv_t, hw.data());
    double mass = 0;
    for (int32_t j = 0; j < d.size[c]; ++j) mass += hw[j];
    if (!exact[c] && !(off < mass)) {
      env[c] = mass;  // rejected: from now on the exact mass
      exact[c] = 1;
      continue;
    }
    // off is uniform on [0, mass): the word within c.
    double cum = 0;
    int32_t last = -1;
    for (int32_t j = 0; j < d.size[c]; ++j) {
      const double w = hw[j];
      cum += w;
      if (w > 0) last = j;
      if (off < cum) return d.start[c] + j;
    }
    if (last < 0) {  // a cluster of zero mass (every word −inf after all): never again
      env[c] = 0;
      exact[c] = 1;
      continue;
    }
    return d.start[c] + last;
  }
}

}  // namespace rnn
