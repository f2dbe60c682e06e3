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

  std::vector<double> z(logits, logits + n);
  for (int32_t i = 0; i < n; ++i)
    if (std::isnan(z[i]) || z[i] == INFINITY) fail("logit " + std::to_string(i) + " is NaN or +inf");

  if (o.repetition_penalty != 1.0f && n_recent > 0) {
    std::vector<bool> seen(static_cast<size_t>(n), false);  // penalise each token once
    for (size_t k = 0; k < n_recent; ++k) {
      const int32_t id = recent[k];
      if (id < 0 || id >= n) fail("recent token id " + std::to_string(id) + " out of range (vocab size " + std::to_string(n) + ")");
      if (seen[id]) continue;
      seen[id] = true;
      z[id] = z[id] > 0 ? z[id] / o.repetition_penalty : z[id] * o.repetition_penalty;
    }
  }

  const int32_t best = static_cast<int32_t>(std::max_element(z.begin(), z.end()) - z.begin());  // first max
  if (z[best] == -INFINITY) fail("all logits are -inf");
  if (o.greedy || o.temperature == 0.0f) return best;

  // Softmax of z / T, stable. Unnormalised weights are enough from here on.
  const double inv_t = 1.0 / o.temperature, zmax = z[best];
  std::vector<double> p(z.size());
  for (size_t i = 0; i < z.size(); ++i) p[i] = std::exp((z[i] - zmax) * inv_t);

  // Candidate ids, most likely first (ties -> lower id); only sorted when truncating.
  std::vector<int32_t> order(static_cast<size_t>(n));
  std::iota(order.begin(), order.end(), 0);
  size_t kept = order.size();
  if (o.top_k > 0 || o.top_p < 1.0f) {
    const auto more_likely = [&](int32_t a, int32_t b) { return p[a] != p[b] ? p[a] > p[b] : a < b; };
    if (o.top_k > 0 && static_cast<size_t>(o.top_k) < kept) {
      kept = static_cast<size_t>(o.top_k);
      std::partial_sort(order.begin(), order.begin() + kept, order.end(), more_likely);
    } else {
      std::sort(order.begin(), order.end(), more_likely);
    }
    if (o.top_p < 1.0f) {
      double total = 0;
      for (size_t i = 0; i < kept; ++i) total += p[order[i]];
      const double target = o.top_p * total;
      double cum = 0;
      size_t i = 0;
      while (i < kept) {
        cum += p[order[i++]];
        if (cum >= target) break;
      }
      kept = i;  // >= 1 because the loop body runs at least once
    }
  }

  double total = 0;
  for (size_t i = 0; i < kept; ++i) total += p[order[i]];
  const double u = rng.uniform() * total;
  double cum = 0;
  for (size_t i = 0; i < kept; ++i) {
    cum += p[order[i]];
    if (u < cum) return order[i];
  }
  // Rounding left u at the very top: return the last token with non-zero weight.
  for (size_t i = kept; i-- > 0;)
    if (p[order[i]] > 0) return order[i];
  return best;
}

}  // namespace rnn
