// Gradient clipping over the flat gradient buffer:
//   by value: g ← clamp(g, −c, c) (the TV-script recipe uses c = 1).
//   by global norm: if ‖g‖ > c then g ← g·c/(‖g‖ + 1e-6) (PyTorch's clip_grad_norm_).
#pragma once
#include <cstddef>

namespace rnn {

struct ClipConfig {
  float value = 0.0f;  // 0 = off
  float norm = 0.0f;   // 0 = off
  void validate() const;
};
double global_norm(const float* g, size_t n);
void clip_by_value(float* g, size_t n, float c);
// Returns the norm before clipping.
double clip_by_global_norm(float* g, size_t n, float max_norm);

}  // namespace rnn
