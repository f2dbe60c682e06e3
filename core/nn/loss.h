// Softmax cross-entropy over every position of a batch of sequences, with optional per-position
// weights — TensorFlow's sequence_loss with average_across_timesteps and average_across_batch:
//   L = Σᵢ wᵢ·(−log softmax(zᵢ)[yᵢ]) / Σᵢ wᵢ          (wᵢ = 1 when no weights; 0 if Σw = 0)
//   ∂L/∂zᵢ = wᵢ·(softmax(zᵢ) − onehot(yᵢ)) / Σw
#pragma once
#include <cstdint>

namespace rnn {

// logits: n × V. dlogits (n × V) may be null (evaluation) and may alias logits.
// Returns the weighted mean loss in double precision.
double softmax_cross_entropy(int n, int V, const float* logits, const int32_t* targets, const float* weights,
                             float* dlogits);

}  // namespace rnn
