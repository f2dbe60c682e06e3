#include "nn/recurrent_stack.h"

#include <cstring>

#include "common.h"
#include "kernels/kernels.h"
#include "nn/dropout.h"

namespace rnn {

void reverse_real_steps(int T, int B, int width, const int32_t* lengths, const float* src, float* dst) {
  const size_t row = (size_t)width;
  for (int t = 0; t < T; ++t)
    for (int b = 0; b < B; ++b) {
      float* d = dst + ((size_t)t * B + b) * row;
      const int len = lengths ? lengths[b] : T;
      if (t < len) std::memcpy(d, src + ((size_t)(len - 1 - t) * B + b) * row, sizeof(float) * row);
      else std::memset(d, 0, sizeof(float) * row);
    }
}

namespace {
// Zeroes the padded steps of a T × B × width time-major buffer.
void zero_padding(int T, int B, int width, const int32_t* lengths, float* y) {
  if (!lengths) return;
  for (int t = 0; t < T; ++t)
    for (int b = 0; b < B; ++b)
      if (t >= lengths[b]) std::memset(y + ((size_t)t * B + b) * width, 0, sizeof(float) * width);
}

// dst (T·B × dst_width) columns [offset, offset + src_width) = src (T·B × src_width).
void copy_columns(size_t rows, int src_width, const float* src, int dst_width, int offset, float* dst) {
  for (size_t r = 0; r < rows; ++r)
    std::memcpy(dst + r * dst_width + offset, src + r * src_width, sizeof(float) * src_width);
}
void take_columns(size_t rows, int src_width, int offset, const float* src, int dst_width, float* dst) {
  for (size_t r = 0; r < rows; ++r)
    std::memcpy(dst + r * dst_width, src + r * src_width + offset, sizeof(float) * dst_width);
}
}  // namespace

void RecurrentStack::declare(Params& p, const std::string& prefix, CellType cell, int input, int hidden,
                             int n_layers, bool bidirectional) {
  const int width = bidirectional ? 2 * hidden : hidden;
  layers.assign(n_layers, RecurrentLayer{});
  reverse.assign(bidirectional ? n_layers : 0, RecurrentLayer{});
  for (int l = 0; l < n_layers; ++l) {
    for (RecurrentLayer* L : {&layers[l], bidirectional ? &reverse[l] : nullptr}) {
      if (!L) continue;
      L->cell = cell;
      L->input = l ? width : input;
      L->hidden = hidden;
      L->declare(p, prefix, "_l" + std::to_string(l) + (L == &layers[l] ? "" : "_reverse"));
    }
  }
  levels_.resize(n_layers);
}

void RecurrentStack::bind(Params& p) {
  for (auto& L : layers) L.bind(p);
  for (auto& L : reverse) L.bind(p);
}

// PyTorch's order: each level's forward layer, then its reverse layer.
void RecurrentStack::init(Rng& rng) {
  for (size_t l = 0; l < layers.size(); ++l) {
    layers[l].init(rng);
    if (bidirectional()) reverse[l].init(rng);
  }
}

size_t RecurrentStack::state_size(int B) const {
  size_t n = 0;
  for (const auto& L : layers) n += (size_t)B * L.state_size();
  return bidirectional() ? 2 * n : n;
}

void RecurrentStack::draw_weight_mask(const RecurrentLayer& L, Rng* dropout_rng, RecurrentCache& cache) const {
  if (!dropout_rng || weight_drop <= 0.0f) {
    cache.w_hh_mask.clear();  // evaluation, generation: the weights as they are
    return;
  }
  // The mask only: recurrent_forward makes W̃ from it.
  cache.w_hh_mask.resize((size_t)L.gates() * L.hidden * L.hidden);
  dropout_mask(cache.w_hh_mask.size(), weight_drop, *dropout_rng, cache.w_hh_mask.data());
}

const float* RecurrentStack::forward(int T, int B, const float* x, const int32_t* lengths, const float* state_in,
                                     float* state_out, Rng* dropout_rng) {
  T_ = T;
  B_ = B;
  lengths_ = lengths;
  if (state_in && bidirectional()) fail("bidirectional layers take no initial state");
  if (lengths)
    for (int b = 0; b < B; ++b)
      if (lengths[b] < 1 || lengths[b] > T)
        fail("row " + std::to_string(b) + " has length " + std::to_string(lengths[b]) + ", outside [1, " +
             std::to_string(T) + "]");
  const size_t N = (size_t)T * B;
  const int H = hidden(), width = output_size();
  dropout_active_ = dropout_rng && dropout > 0.0f;
  for (size_t l = 0; l < layers.size(); ++l) {
    Level& level = levels_[l];
    if (l > 0 && dropout_active_) {
      const size_t n = N * layers[l].input, row = (size_t)B * layers[l].input;
      level.dropped.resize(n);
      level.mask.resize(locked_dropout ? row : n);
      if (locked_dropout) locked_dropout_forward(T, row, dropout, *dropout_rng, x, level.dropped.data(), level.mask.data());
      else dropout_forward(n, dropout, *dropout_rng, x, level.dropped.data(), level.mask.data());
      x = level.dropped.data();
    }
    draw_weight_mask(layers[l], dropout_rng, level.forward_cache);
    if (bidirectional()) draw_weight_mask(reverse[l], dropout_rng, level.reverse_cache);
    const size_t S = layer_state((int)l);
    recurrent_forward(layers[l], T, B, x, lengths, state_in, state_out, level.forward_cache);
    if (state_in) state_in += S;
    if (state_out) state_out += S;
    if (plain()) {
      x = level.forward_cache.outputs();
      continue;
    }
    level.outputs.resize(N * width);
    copy_columns(N, H, level.forward_cache.outputs(), width, 0, level.outputs.data());
    if (bidirectional()) {
      level.reversed_x.resize(N * layers[l].input);
      reverse_real_steps(T, B, layers[l].input, lengths, x, level.reversed_x.data());
      recurrent_forward(reverse[l], T, B, level.reversed_x.data(), lengths, nullptr, state_out, level.reverse_cache);
      if (state_out) state_out += S;
      // Back in input order: the reverse output at step t is the one computed after reading
      // steps len−1 … t.
      aligned_.resize(N * H);
      reverse_real_steps(T, B, H, lengths, level.reverse_cache.outputs(), aligned_.data());
      copy_columns(N, H, aligned_.data(), width, H, level.outputs.data());
    }
    zero_padding(T, B, width, lengths, level.outputs.data());
    x = level.outputs.data();
  }
  return x;
}

void RecurrentStack::backward(const float* dy, const float* dstate_out, float* dx, float* dstate_in) {
  const int T = T_, B = B_, H = hidden(), width = output_size();
  const size_t N = (size_t)T * B;
  size_t state_offset = state_size(B);
  if (state_gradients) state_gradients->resize(layers.size());
  for (int l = (int)layers.size() - 1; l >= 0; --l) {
    const RecurrentLayer& L = layers[l];
    Level& level = levels_[l];
    level.forward_cache.probe_dh = nullptr;
    if (state_gradients) {
      (*state_gradients)[l].resize(N * H);
      level.forward_cache.probe_dh = (*state_gradients)[l].data();
    }
    const size_t S = layer_state(l);
    // This level's blocks: [forward S][reverse S] (reverse only if bidirectional).
    const size_t reverse_offset = bidirectional() ? state_offset - S : state_offset;
    state_offset -= bidirectional() ? 2 * S : S;
    const float* dfinal = dstate_out ? dstate_out + state_offset : nullptr;
    const float* dfinal_reverse = dstate_out && bidirectional() ? dstate_out + reverse_offset : nullptr;
    // The bottom level writes the caller's dx; the others a buffer that becomes the next one's dy.
    float* out = dx;
    if (l > 0) {
      dx_.resize(N * L.input);
      out = dx_.data();
    }
    if (plain()) {
      recurrent_backward(layers[l], dy, dfinal, out, dstate_in ? dstate_in + state_offset : nullptr,
                         level.forward_cache);
    } else {
      dy_forward_.resize(N * H);
      take_columns(N, width, 0, dy, H, dy_forward_.data());
      zero_padding(T, B, H, lengths_, dy_forward_.data());
      recurrent_backward(layers[l], dy_forward_.data(), dfinal, out, dstate_in ? dstate_in + state_offset : nullptr,
                         level.forward_cache);
      if (bidirectional()) {
        dy_reverse_.resize(N * H);
        take_columns(N, width, H, dy, H, dy_forward_.data());  // reuse: the reverse half, input order
        reverse_real_steps(T, B, H, lengths_, dy_forward_.data(), dy_reverse_.data());
        dx_reverse_.resize(N * L.input);
        recurrent_backward(reverse[l], dy_reverse_.data(), dfinal_reverse, dx_reverse_.data(), nullptr,
                           level.reverse_cache);
        if (out) {
          aligned_.resize(N * L.input);
          reverse_real_steps(T, B, L.input, lengths_, dx_reverse_.data(), aligned_.data());
          kernels::axpy(N * L.input, 1.0f, aligned_.data(), out);
        }
      }
      if (out) zero_padding(T, B, L.input, lengths_, out);
    }
    if (l > 0) {
      if (dropout_active_ && locked_dropout) locked_dropout_backward(T, (size_t)B * L.input, level.mask.data(), out, out);
      else if (dropout_active_) dropout_backward(N * L.input, level.mask.data(), out, out);
      std::swap(dx_, dx_below_);
      dy = dx_below_.data();
    }
  }
}

}  // namespace rnn
