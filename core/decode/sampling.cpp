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
  if (o.top_p < 1.0f) {
    const bool whole = kept == order.size();  // no top-k: the nucleus comes off a heap of all ids
    double total = 0;
    if (whole)
      for (int32_t i = 0; i < n; ++i) total += p[i];
    else
      for (size_t i = 0; i < kept; ++i) total += p[order[i]];
    const double target = o.top_p * total;
    double cum = 0;
    size_t i = 0;
    if (whole) {
      // Max-heap by likelihood; each pop moves the next most likely id to the heap's end, so the
      // nucleus collects at the back of `order`, most likely last: reversed at the end.
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
    } else {
      while (i < kept) {
        cum += p[order[i++]];
        if (cum >= target) break;
      }
    }
    kept = i;  // >= 1 because the loop body runs at least once
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
