// How close an encoder–decoder's outputs are to their references, per source (a source may have
// several references: a prediction is right if it equals any of them):
//   exact match        share of sources whose prediction equals one of its references;
//   token error rate   Σ edit distance to the closest reference / Σ that reference's length, over
//                      the sources (Levenshtein on tokens: insertions, deletions, substitutions
//                      cost 1; the closest reference is the one at the smallest distance, ties
//                      going to the longer one, whose rate is lower) — the phoneme error rate of
//                      grapheme-to-phoneme work, the word error rate of speech recognition;
//   BLEU-4             corpus-level (Papineni et al. 2002): the geometric mean of the modified
//                      n-gram precisions p1..p4 (each hypothesis n-gram counted at most as often as
//                      it occurs in any one reference; sums over the corpus before dividing) times
//                      the brevity penalty exp(1 − r/c) when c < r (c: hypothesis tokens, r: per
//                      source the reference length closest to its hypothesis's, ties to the shorter).
//                      0 when some p_n is 0 (no smoothing), as the reference scripts do.
#pragma once
#include <array>
#include <cstdint>
#include <vector>

namespace rnn {

// Levenshtein distance between two token sequences.
int64_t edit_distance(const std::vector<int32_t>& a, const std::vector<int32_t>& b);

class TranslationMetrics {
 public:
  // One source: its prediction and its references (at least one).
  void add(const std::vector<int32_t>& prediction, const std::vector<std::vector<int32_t>>& references);

  int64_t sources() const { return sources_; }
  int64_t exact() const { return exact_; }
  double exact_match() const { return sources_ ? (double)exact_ / sources_ : 0.0; }
  double token_error_rate() const { return reference_tokens_ ? (double)distance_ / reference_tokens_ : 0.0; }
  double bleu() const;
  double brevity_penalty() const;
  // Modified precision of n-grams, n = 1..4 (0 when there is no hypothesis n-gram).
  double precision(int n) const;

 private:
  int64_t sources_ = 0, exact_ = 0, distance_ = 0, reference_tokens_ = 0;
  int64_t hypothesis_length_ = 0, reference_length_ = 0;  // c and r of the brevity penalty
  std::array<int64_t, 4> matches_{}, totals_{};
};

}  // namespace rnn
