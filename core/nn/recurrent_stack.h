// N recurrent levels of one cell type with inverted dropout between them (as nn.LSTM(num_layers,
// dropout, bidirectional)): the encoder every task shares.
//   x⁰ = x,   xˡ⁺¹ = levelₗ(dropout(xˡ) if l > 0 else xˡ),   outputs = x^N
// A bidirectional level runs a forward and a reverse layer over the same input and concatenates
// their outputs ([→h; ←h], 2H wide); the next level reads 2H.
//
// Variable lengths (as PyTorch's pack_padded_sequence): row b holds lengths[b] real steps, then
// padding. The reverse layer of each row starts at *its own* last real step — its input is the
// row's real steps reversed — and every output at a padded step is zero, so padding reaches no
// real output, and (with the outputs' gradient zero there, which backward enforces) no gradient.
// A row's state stops changing after its last real step, so the final states are each row's own.
//
// Time-major: x is T × B × input, outputs T × B × output_size(). States (in: the language model's
// carried stream state; out: the final states, e.g. to start a decoder) are each layer's B × S
// block (S = H, or 2H for LSTM: h then c), level by level, a level's reverse layer after its
// forward one; null means zeros in, or not wanted out. An initial state is refused for
// bidirectional levels (the reverse direction has no "before").
#pragma once
#include <string>
#include <vector>

#include "nn/recurrent.h"

namespace rnn {

struct RecurrentStack {
  std::vector<RecurrentLayer> layers;   // the forward direction of each level
  std::vector<RecurrentLayer> reverse;  // the reverse direction of each level; empty if unidirectional
  float dropout = 0.0f;                 // between levels, training only
  bool locked_dropout = false;          // one mask per row and unit for all T steps (nn/dropout.h)
  // DropConnect on every layer's W_hh (RecurrentCache::w_hh_mask): one mask per layer and batch,
  // drawn after the level's input dropout, training only.
  float weight_drop = 0.0f;
  // Diagnostics: when set, backward() fills (*state_gradients)[l] with level l's ∂L/∂hₜ (forward
  // direction, T × B × H; see RecurrentCache::probe_dh). Null (the default): nothing is recorded.
  std::vector<std::vector<float>>* state_gradients = nullptr;

  // PyTorch names: prefix.weight_ih_l{k} … then, if bidirectional, prefix.weight_ih_l{k}_reverse ….
  void declare(Params& p, const std::string& prefix, CellType cell, int input, int hidden, int n_layers,
               bool bidirectional = false);
  void bind(Params& p);
  void init(Rng& rng);
  bool bidirectional() const { return !reverse.empty(); }
  int hidden() const { return layers.back().hidden; }
  int output_size() const { return hidden() * (bidirectional() ? 2 : 1); }
  size_t state_size(int B) const;

  // lengths: B real lengths in [1, T], or null (every row has T steps). dropout_rng == null:
  // evaluation (no dropout). Returns the top outputs (T × B × output_size()), valid until the next
  // forward.
  const float* forward(int T, int B, const float* x, const int32_t* lengths, const float* state_in, float* state_out,
                       Rng* dropout_rng);
  // dy: T × B × output_size() at the top outputs (read as zero at padded steps); dstate_out: the
  // gradient at the final states (may be null). Accumulates weight gradients; writes dx
  // (T × B × input, may be null) and dstate_in (may be null).
  void backward(const float* dy, const float* dstate_out, float* dx, float* dstate_in);
  // Level l's forward-direction cache after forward(): its states h (and c) and gate activations.
  const RecurrentCache& level_cache(int l) const { return levels_[l].forward_cache; }

 private:
  // A level's buffers beyond its layers' caches (used with lengths or bidirectional levels).
  struct Level {
    RecurrentCache forward_cache, reverse_cache;
    std::vector<float> reversed_x;  // the reverse layer's input: each row's real steps reversed
    std::vector<float> outputs;     // T × B × output_size(), padding zeroed
    std::vector<float> dropped, mask;
  };
  int T_ = 0, B_ = 0;
  const int32_t* lengths_ = nullptr;  // the caller's, kept for backward
  bool dropout_active_ = false;
  std::vector<Level> levels_;
  std::vector<float> dx_, dx_below_;     // gradients flowing down between levels
  std::vector<float> dy_forward_, dy_reverse_, dx_reverse_;  // backward scratch
  std::vector<float> aligned_;  // a reverse layer's outputs or input gradient, back in input order

  void draw_weight_mask(const RecurrentLayer& L, Rng* dropout_rng, RecurrentCache& cache) const;
  bool plain() const { return !lengths_ && !bidirectional(); }  // the stream LM's path: no copies
  size_t layer_state(int l) const { return (size_t)B_ * layers[l].state_size(); }
};

// Row-major B × T (a row per sequence) to time-major T × B, so each step reads one contiguous block.
template <class T>
void to_time_major(int B, int steps, const T* rows, std::vector<T>& out) {
  out.resize((size_t)B * steps);
  for (int b = 0; b < B; ++b)
    for (int t = 0; t < steps; ++t) out[(size_t)t * B + b] = rows[(size_t)b * steps + t];
}

// dst[t][b] = src[lengths[b]−1−t][b] for t < lengths[b], zero after (T × B × width, time-major).
// Applying it twice gives back the real steps: it maps a row to its reverse and back.
void reverse_real_steps(int T, int B, int width, const int32_t* lengths, const float* src, float* dst);

}  // namespace rnn
