#include "tasks/translation_metrics.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <map>

#include "common.h"

namespace rnn {

int64_t edit_distance(const std::vector<int32_t>& a, const std::vector<int32_t>& b) {
  // One row of the dynamic-programming table at a time.
  std::vector<int64_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = (int64_t)j;
  for (size_t i = 1; i <= a.size(); ++i) {
    int64_t diagonal = row[0];
    row[0] = (int64_t)i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const int64_t up = row[j];
      row[j] = std::min({up + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = up;
    }
  }
  return row[b.size()];
}

namespace {

using NGrams = std::map<std::vector<int32_t>, int64_t>;

NGrams ngrams(const std::vector<int32_t>& s, int n) {
  NGrams out;
  for (size_t i = 0; i + n <= s.size(); ++i) ++out[std::vector<int32_t>(s.begin() + i, s.begin() + i + n)];
  return out;
}

}  // namespace

void TranslationMetrics::add(const std::vector<int32_t>& prediction,
                             const std::vector<std::vector<int32_t>>& references) {
  if (references.empty()) fail("a source to score needs at least one reference");
  ++sources_;
  exact_ += std::find(references.begin(), references.end(), prediction) != references.end();
  // The closest reference for the token error rate.
  int64_t best = -1;
  size_t best_length = 0;
  for (const auto& r : references) {
    const int64_t d = edit_distance(prediction, r);
    if (best < 0 || d < best || (d == best && r.size() > best_length)) {
      best = d;
      best_length = r.size();
    }
  }
  distance_ += best;
  reference_tokens_ += (int64_t)best_length;
  // BLEU's counts: clipped n-gram matches, and the reference length closest to the hypothesis's.
  const int64_t c = (int64_t)prediction.size();
  int64_t r = -1;
  for (const auto& ref : references) {
    const int64_t len = (int64_t)ref.size();
    if (r < 0 || std::llabs(len - c) < std::llabs(r - c) || (std::llabs(len - c) == std::llabs(r - c) && len < r)) r = len;
  }
  hypothesis_length_ += c;
  reference_length_ += r;
  for (int n = 1; n <= 4; ++n) {
    const NGrams hyp = ngrams(prediction, n);
    NGrams most;  // per n-gram, its highest count in any one reference
    for (const auto& ref : references)
      for (const auto& [g, k] : ngrams(ref, n)) most[g] = std::max(most[g], k);
    for (const auto& [g, k] : hyp) {
      totals_[n - 1] += k;
      const auto it = most.find(g);
      if (it != most.end()) matches_[n - 1] += std::min(k, it->second);
    }
  }
}

double TranslationMetrics::precision(int n) const {
  if (n < 1 || n > 4) fail("BLEU precision: n must be 1 to 4");
  return totals_[n - 1] ? (double)matches_[n - 1] / totals_[n - 1] : 0.0;
}

double TranslationMetrics::brevity_penalty() const {
  if (hypothesis_length_ == 0) return 0.0;
  if (hypothesis_length_ >= reference_length_) return 1.0;
  return std::exp(1.0 - (double)reference_length_ / hypothesis_length_);
}

double TranslationMetrics::bleu() const {
  double log_sum = 0;
  for (int n = 1; n <= 4; ++n) {
    const double p = precision(n);
    if (p <= 0) return 0.0;
    log_sum += std::log(p) / 4;
  }
  return brevity_penalty() * std::exp(log_sum);
}

}  // namespace rnn
