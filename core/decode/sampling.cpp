#include "decode/sampling.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <sstream>
#include <string>
#include <vector>

#include "common.h"

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

// A candidate word of a two-level draw: its log-probability, id and (once known) weight.
struct Cand {
  float v;
  int32_t id;
  double w;
};
// sample_token's ranking: more likely first, ties -> lower id.
inline bool ranks_before(const Cand& a, const Cand& b) { return a.v != b.v ? a.v > b.v : a.id < b.id; }

// Float rounding of the log-probabilities (|log p| up to ~1000 in float) moves a cluster's exact mass
// from p(cluster) by far less than this relative slack, which the bounds include.
constexpr double kSlack = 1e-4;

void check_value(float v, int32_t id) {
  if (std::isnan(v) || v == INFINITY) fail("log-probability of " + std::to_string(id) + " is NaN or +inf");
}

}  // namespace

int32_t sample_two_level(const TwoLevelLogProbs& d, const SamplingOptions& o, Rng& rng) {
  validate(o);
  const int32_t S = d.shortlist, C = d.clusters;
  if (!d.head || S < 0 || C < 0 || S + C < 1 || (C > 0 && (!d.start || !d.size || !d.expand)))
    fail("sample_two_level needs a head of at least one entry and, with clusters, their ranges and expand");
  const float* head = d.head;
  for (int32_t i = 0; i < S + C; ++i) check_value(head[i], i < S ? i : -1 - (i - S));
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
  thread_local std::vector<Cand> cand, kept;
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
      for (int32_t j = 0; j < d.size[c]; ++j) check_value(v[j], d.start[c] + j);
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
    // The k best words: a cluster can hold one only if b(c) reaches the k-th best so far.
    const size_t k = (size_t)o.top_k;
    cand.clear();
    for (int32_t i = 0; i < S; ++i) cand.push_back({head[i], i, 0.0});
    bool full = false;
    Cand kth{};
    const auto trim = [&] {
      if (cand.size() < k) return;
      std::nth_element(cand.begin(), cand.begin() + (k - 1), cand.end(), ranks_before);
      cand.resize(k);
      kth = cand[k - 1];
      full = true;
    };
    trim();
    for (int32_t c : by_mass) {
      if (full && best(c) < kth.v) break;
      const float* v = expand(c);
      for (int32_t j = 0; j < d.size[c]; ++j) {
        const Cand x{v[j], d.start[c] + j, 0.0};
        if (!full || ranks_before(x, kth)) cand.push_back(x);
      }
      trim();
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
  double ref = -INFINITY;
  for (int32_t i = 0; i < S + C; ++i) ref = std::max(ref, (double)head[i]);
  if (ref == -INFINITY) fail("all logits are -inf");
  const auto weight = [&](float v) { return std::exp(((double)v - ref) * inv_t); };

  if (o.top_p < 1.0f) {
    // The nucleus word by word off a max-heap of the known words (the head's, then expanded clusters').
    const auto heap_less = [](const Cand& a, const Cand& b) { return ranks_before(b, a); };
    cand.clear();
    double known = 0;
    for (int32_t i = 0; i < S; ++i)
      if (head[i] != -INFINITY) {
        cand.push_back({head[i], i, weight(head[i])});
        known += cand.back().w;
      }
    std::make_heap(cand.begin(), cand.end(), heap_less);
    // The unexpanded clusters' masses within bounds, [lo, hi] summed over them (once per cluster).
    thread_local std::vector<double> mass_lo, mass_hi;
    mass_lo.assign(C, 0.0);
    mass_hi.assign(C, 0.0);
    for (int32_t c = 0; c < C; ++c)
      if (bound(c) != -INFINITY) mass_bounds(c, ref, mass_lo[c], mass_hi[c]);
    size_t next = 0;  // by_mass[next …] may be unexpanded
    const auto next_unexpanded = [&]() -> int32_t {
      while (next < by_mass.size() && (vals[by_mass[next]] || bound(by_mass[next]) == -INFINITY)) ++next;
      return next < by_mass.size() ? by_mass[next] : -1;
    };
    kept.clear();
    double cum = 0;
    // Once a cluster has to be expanded, every other one is too, their words appended in no order,
    // and the rest of the nucleus — the fewest best-ranked words holding top_p·total − cum, the
    // total now known — is selected at once: on a flat-tailed model it runs to thousands of words,
    // and a heap push and pop for each cost more than the rest of the token. The words are bucketed
    // by log-probability (the rank's order); whole buckets are taken while they fall short and only
    // the one that closes the nucleus is sorted.
    const auto expand_rest_and_finish = [&] {
      for (int32_t c = 0; c < C; ++c) {
        if (vals[c] || bound(c) == -INFINITY) continue;
        const float* v = expand(c);
        for (int32_t j = 0; j < d.size[c]; ++j)
          if (v[j] != -INFINITY) {
            cand.push_back({v[j], d.start[c] + j, weight(v[j])});
            known += cand.back().w;
          }
      }
      const double need = o.top_p * known - cum;
      if (cand.empty() || !(need > 0)) return;
      constexpr int kBuckets = 512;
      double vmax = -INFINITY, vmin = INFINITY;
      for (const Cand& x : cand) vmax = std::max(vmax, (double)x.v), vmin = std::min(vmin, (double)x.v);
      const double scale = vmax > vmin ? (kBuckets - 1) / (vmax - vmin) : 0.0;
      const auto bucket = [&](const Cand& x) { return std::min(kBuckets - 1, (int)((vmax - (double)x.v) * scale)); };
      double mass[kBuckets] = {0};
      for (const Cand& x : cand) mass[bucket(x)] += x.w;
      int closing = kBuckets - 1;
      double before = 0;  // the buckets ahead of the closing one
      for (int b = 0; b < kBuckets; ++b) {
        if (before + mass[b] >= need) {
          closing = b;
          break;
        }
        before += mass[b];
      }
      thread_local std::vector<Cand> edge;
      edge.clear();
      for (const Cand& x : cand) {
        const int b = bucket(x);
        if (b < closing) kept.push_back(x);
        else if (b == closing) edge.push_back(x);
      }
      std::sort(edge.begin(), edge.end(), ranks_before);
      double acc = before;
      for (const Cand& x : edge) {
        kept.push_back(x);
        acc += x.w;
        if (acc >= need) break;
      }
    };
    for (;;) {
      // A cluster whose b(c) reaches the next word's could hold a word ranked before it.
      const int32_t u = next_unexpanded();
      if (u >= 0 && (cand.empty() || best(u) >= cand.front().v)) {
        expand_rest_and_finish();
        break;
      }
      if (cand.empty()) break;  // rounding: every word is in and cum still short of the target
      std::pop_heap(cand.begin(), cand.end(), heap_less);
      kept.push_back(cand.back());
      cand.pop_back();
      cum += kept.back().w;
      // The unexpanded clusters' masses are known to within bounds: the nucleus ends here when it
      // does for every total they allow, goes on when it does for none, else it depends on them.
      double rest_lo = 0, rest_hi = 0;
      for (int32_t c = 0; c < C; ++c)
        if (!vals[c] && bound(c) != -INFINITY) rest_lo += mass_lo[c], rest_hi += mass_hi[c];
      if (cum >= o.top_p * (known + rest_hi)) break;
      if (cum < o.top_p * (known + rest_lo)) continue;
      expand_rest_and_finish();
      break;
    }
    if (kept.empty()) fail("all logits are -inf");
    double total = 0;
    for (const Cand& x : kept) total += x.w;
    const double u = rng.uniform() * total;
    double acc = 0;
    for (const Cand& x : kept) {
      acc += x.w;
      if (u < acc) return x.id;
    }
    for (size_t i = kept.size(); i-- > 0;)
      if (kept[i].w > 0) return kept[i].id;
    return kept[0].id;
  }

  // Temperature only: rejection from the envelope (head words' weights, clusters' upper bounds); a
  // draw in a cluster's share expands it and is kept with probability exact / bound, else repeated
  // with the exact mass in place of the bound (at most once per cluster).
  p.resize(S);
  double head_total = 0;
  for (int32_t i = 0; i < S; ++i) head_total += (p[i] = weight(head[i]));
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
    double mass = 0;
    for (int32_t j = 0; j < d.size[c]; ++j) mass += weight(v[j]);
    if (!exact[c] && !(off < mass)) {
      env[c] = mass;  // rejected: from now on the exact mass
      exact[c] = 1;
      continue;
    }
    // off is uniform on [0, mass): the word within c.
    double cum = 0;
    int32_t last = -1;
    for (int32_t j = 0; j < d.size[c]; ++j) {
      const double w = weight(v[j]);
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
