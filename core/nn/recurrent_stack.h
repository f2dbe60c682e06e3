// N recurrent layers of one cell type with inverted dropout between them (as nn.LSTM(num_layers,
// dropout)): the part every task's encoder shares.
//   x⁰ = x,   xˡ⁺¹ = layerₗ(dropout(xˡ) if l > 0 else xˡ),   outputs = x^N
// Time-major: x is T × B × input, outputs T × B × H. The carried state is each layer's B × S block
// (S = H, or 2H for LSTM: h then c) in layer order; null means zeros in, or not wanted out.
#pragma once
#include <string>
#include <vector>

#include "nn/recurrent.h"

namespace rnn {

struct RecurrentStack {
  std::vector<RecurrentLayer> layers;
  float dropout = 0.0f;  // between layers, training only

  // PyTorch names: prefix.weight_ih_l{k}, … for k = 0 … n_layers−1.
  void declare(Params& p, const std::string& prefix, CellType cell, int input, int hidden, int n_layers);
  void bind(Params& p);
  void init(Rng& rng);
  int hidden() const { return layers.back().hidden; }
  size_t state_size(int B) const;

  // dropout_rng == null: evaluation (no dropout). Returns the top outputs (T × B × H), valid until
  // the next forward.
  const float* forward(int T, int B, const float* x, const float* state_in, float* state_out, Rng* dropout_rng);
  // dy: T × B × H at the top outputs. Accumulates weight gradients; writes dx (T × B × input, may be
  // null) and dstate_in (may be null).
  void backward(const float* dy, float* dx, float* dstate_in);

 private:
  int T_ = 0, B_ = 0;
  bool dropout_active_ = false;
  std::vector<RecurrentCache> caches_;
  std::vector<std::vector<float>> dropped_;  // layer inputs after dropout (layers ≥ 1)
  std::vector<std::vector<float>> masks_;
  std::vector<float> dx_, dx_below_;          // gradients flowing down between layers
};

// Row-major B × T (a row per sequence) to time-major T × B, so each step reads one contiguous block.
template <class T>
void to_time_major(int B, int steps, const T* rows, std::vector<T>& out) {
  out.resize((size_t)B * steps);
  for (int b = 0; b < B; ++b)
    for (int t = 0; t < steps; ++t) out[(size_t)t * B + b] = rows[(size_t)b * steps + t];
}

}  // namespace rnn
