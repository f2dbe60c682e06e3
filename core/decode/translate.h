// Writing a target for a source with an encoder–decoder: greedy, sampled (temperature / top-k /
// top-p) or beam search, from a start token until the end token or a maximum length.
//
// Beam search keeps the `width` best partial targets by log-probability; a target that ends is
// scored with the length normalisation of Wu et al. 2016, log P / ((5 + |y|) / 6)^α (α = 0: raw
// log-probability, which favours short outputs), and the search stops when `width` targets have
// ended or at the maximum length. The n best are returned, best first.
//
// translate_batch decodes many sources together (evaluation): sources sorted by length, `batch`
// at a time in one Decoding — greedy: a row per source; beam search: every source's beams as rows
// of the one Decoding, reordered together after each step (beams of a source share its encoder
// outputs). Each source's search is exactly translate()'s: the same candidates, order and
// stopping, its own sampling RNG. The numbers agree with translate() on the source alone to float
// rounding only: the products run on more rows, and below 4 rows the kernels take another path.
#pragma once
#include <cstdint>
#include <vector>

#include "decode/sampling.h"
#include "models/seq2seq.h"

namespace rnn {

struct TranslateOptions {
  int beam = 1;           // 1: greedy (or sampling, when `sample`); > 1: beam width
  int n_best = 1;         // beam search: how many targets to return (≤ beam)
  float alpha = 0.6f;     // beam search: length normalisation
  int max_length = 0;     // 0: 2 × the source length + 10
  bool sample = false;    // beam 1 only: draw with `sampling` instead of taking the argmax
  SamplingOptions sampling;
  uint64_t seed = 1;      // sampling: each source draws from Rng(seed) of its own
  int batch = 64;         // translate_batch: sources decoded together
  void validate() const;
};

struct Translation {
  std::vector<int32_t> tokens;  // without the start and end tokens
  double log_prob = 0;          // Σ log p of the tokens and the end token (if it was reached)
  double score = 0;             // log_prob, length-normalised for beam search
  std::vector<float> attention; // tokens × source steps (end step included), when the model attends
};

std::vector<Translation> translate(Seq2Seq& model, const std::vector<int32_t>& source, int32_t start, int32_t end,
                                   const TranslateOptions& options);
// result[i] is source i's n best.
std::vector<std::vector<Translation>> translate_batch(Seq2Seq& model, const std::vector<std::vector<int32_t>>& sources,
                                                      int32_t start, int32_t end, const TranslateOptions& options);

}  // namespace rnn
