#include "nn/recurrent_stack.h"

#include "nn/dropout.h"

namespace rnn {

void RecurrentStack::declare(Params& p, const std::string& prefix, CellType cell, int input, int hidden,
                             int n_layers) {
  layers.assign(n_layers, RecurrentLayer{});
  for (int l = 0; l < n_layers; ++l) {
    RecurrentLayer& L = layers[l];
    L.cell = cell;
    L.input = l ? hidden : input;
    L.hidden = hidden;
    L.declare(p, prefix, "_l" + std::to_string(l));
  }
  caches_.resize(n_layers);
  dropped_.resize(n_layers);
  masks_.resize(n_layers);
}

void RecurrentStack::bind(Params& p) {
  for (auto& L : layers) L.bind(p);
}

void RecurrentStack::init(Rng& rng) {
  for (auto& L : layers) L.init(rng);
}

size_t RecurrentStack::state_size(int B) const {
  size_t n = 0;
  for (const auto& L : layers) n += (size_t)B * L.state_size();
  return n;
}

const float* RecurrentStack::forward(int T, int B, const float* x, const float* state_in, float* state_out,
                                     Rng* dropout_rng) {
  T_ = T;
  B_ = B;
  const size_t N = (size_t)T * B;
  dropout_active_ = dropout_rng && dropout > 0.0f;
  for (size_t l = 0; l < layers.size(); ++l) {
    if (l > 0 && dropout_active_) {
      const size_t n = N * layers[l].input;
      dropped_[l].resize(n);
      masks_[l].resize(n);
      dropout_forward(n, dropout, *dropout_rng, x, dropped_[l].data(), masks_[l].data());
      x = dropped_[l].data();
    }
    recurrent_forward(layers[l], T, B, x, state_in, state_out, caches_[l]);
    const size_t S = (size_t)B * layers[l].state_size();
    if (state_in) state_in += S;
    if (state_out) state_out += S;
    x = caches_[l].outputs();
  }
  return x;
}

void RecurrentStack::backward(const float* dy, float* dx, float* dstate_in) {
  const size_t N = (size_t)T_ * B_;
  size_t state_offset = state_size(B_);
  for (int l = (int)layers.size() - 1; l >= 0; --l) {
    const RecurrentLayer& L = layers[l];
    state_offset -= (size_t)B_ * L.state_size();
    // The bottom layer writes the caller's dx; the others a buffer that becomes the next one's dy.
    float* out = dx;
    if (l > 0) {
      dx_.resize(N * L.input);
      out = dx_.data();
    }
    recurrent_backward(layers[l], dy, nullptr, out, dstate_in ? dstate_in + state_offset : nullptr, caches_[l]);
    if (l > 0) {
      if (dropout_active_) dropout_backward(N * L.input, masks_[l].data(), out, out);
      std::swap(dx_, dx_below_);
      dy = dx_below_.data();
    }
  }
}

}  // namespace rnn
