// Picking the next token from the model's logits.
#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>

#include "rng.h"

namespace rnn {

struct SamplingOptions {
  float temperature = 1.0f;         // >= 0; 0 means greedy
  int top_k = 0;                    // keep the k most likely tokens; 0 = all
  float top_p = 1.0f;               // nucleus: smallest set with cumulative prob >= top_p; in (0, 1]
  bool greedy = false;              // argmax (ties -> lowest id)
  float repetition_penalty = 1.0f;  // > 0; 1 = off
};

// Throws rnn::Error naming the first invalid option, e.g. "temperature must be >= 0 (got -1)".
void validate(const SamplingOptions& o);

// Order of operations:
//  1. repetition penalty (CTRL / Hugging Face): for each distinct token in recent[0..n_recent),
//     a positive logit is divided by the penalty, a negative one multiplied;
//  2. greedy or temperature == 0: argmax, ties -> lowest id;
//  3. otherwise softmax(logits / temperature) in double (max subtracted), then top-k (ties
//     -> lower id), then top-p on the renormalised top-k distribution (at least one token
//     kept), then one draw with rng.uniform() over the kept tokens.
// Logits may contain -inf (masked tokens) but not NaN or +inf. Recent ids must be in [0, n).
int32_t sample_token(const float* logits, int32_t n, const SamplingOptions& options, Rng& rng,
                     const int32_t* recent = nullptr, size_t n_recent = 0);

// A distribution over ids given in two levels, as an adaptive softmax gives it (nn/adaptive_softmax.h):
// head[0, shortlist) are the log-probabilities of words 0 … shortlist − 1, head[shortlist + c] the
// log-probability of cluster c, which holds ids [start[c], start[c] + size[c]); expand(c) returns
// that cluster's words' full log-probabilities (size[c] floats, each ≤ head[shortlist + c], valid
// until the draw returns), computed only when asked — the point is to ask rarely.
struct TwoLevelLogProbs {
  const float* head = nullptr;
  int32_t shortlist = 0, clusters = 0;
  const int32_t* start = nullptr;
  const int32_t* size = nullptr;
  std::function<const float*(int32_t)> expand;
  // Optional: an upper bound on log p_c(w) over the words of cluster c (≤ 0, the word's share of
  // its cluster), cheaper than expand(c): with it a cluster is ruled out by its best possible word,
  // log p(c) + bound, rather than by log p(c) alone.
  std::function<double(int32_t)> word_bound;
};

// A word of a draw: its log-probability (or logit) v, id and weight w. Ranked as sample_token
// ranks: larger v first, ties -> lower id.
struct Candidate {
  float v;
  int32_t id;
  double w;
};
// The nucleus of top-p among c[0, n): reorders them so that the fewest best-ranked candidates
// whose weights reach `need` (all, if they fall short) are c[0, m), c[m − 1] the last-ranked of
// them, and returns m, with the weight of c[0, m − 1) in before_last. O(n), no sort of them all.
size_t select_nucleus(Candidate* c, size_t n, double need, double& before_last);

// One draw from the same distribution as sample_token over the full log-probabilities (greedy,
// temperature, top-k, top-p as it defines them; no repetition penalty — the caller falls back to
// sample_token when one applies), expanding only the clusters that can matter (each at most once):
// With b(c) = log p(c) + word_bound(c) (or log p(c)), no word of cluster c is above b(c):
//  - greedy: clusters whose b(c) ≥ the best word so far (no word of it can be larger);
//  - top-k: clusters whose b(c) ≥ the k-th best word so far, in order of b(c); the k words and
//    their weights are then exactly sample_token's, and so is the draw;
//  - top-p: the nucleus is selected among the known words (by buckets of value, no sort) for the
//    largest total the unexpanded clusters allow: each cluster's Σ_w p(w)^(1/T) is p(c) at T = 1,
//    otherwise between bounds (below). A cluster is expanded when the known words cannot close
//    the nucleus, when its b(c) reaches the nucleus's last word (a word of it could rank inside),
//    or when the nucleus's end depends on where in their bounds the masses are;
//  - temperature only: rejection from an envelope over the head's words and the clusters' upper
//    bounds: with a = 1/T, q = p_c(w) ≤ u = exp(word_bound(c)) (else 1), n_c words,
//      a ≥ 1:  p(c)^a·n_c^(1−a) ≤ Σ_w p(w)^a ≤ p(c)^a·u^(a−1)
//      a < 1:  p(c)^a·u^(a−1) ≤ Σ_w p(w)^a ≤ p(c)^a·n_c^(1−a)
//    (each with a 10⁻⁴ slack for rounding); a cluster is expanded only when a draw lands in its
//    share, which it keeps with probability (its exact mass) / (its bound), else the draw is
//    repeated with the exact mass (at T = 1 the bound is p(c): a rejection is a 10⁻⁴ event).
// The result is a draw of the same distribution, not the same draw as sample_token's (top-k's is).
int32_t sample_two_level(const TwoLevelLogProbs& d, const SamplingOptions& options, Rng& rng);

}  // namespace rnn
