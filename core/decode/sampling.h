// Picking the next token from the model's logits.
#pragma once
#include <cstddef>
#include <cstdint>

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

}  // namespace rnn
