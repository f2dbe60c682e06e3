#include "nn/pooling.h"

#include <algorithm>
#include <cstring>

#include "common.h"

namespace rnn {

const char* pooling_name(Pooling p) {
  switch (p) {
    case Pooling::Final: return "final";
    case Pooling::Mean: return "mean";
    case Pooling::Max: return "max";
  }
  return "?";
}

Pooling parse_pooling(const std::string& name) {
  if (name == "final") return Pooling::Final;
  if (name == "mean") return Pooling::Mean;
  if (name == "max") return Pooling::Max;
  fail("option 'pooling' must be 'final', 'mean' or 'max' (got '" + name + "')");
}

void SequencePooling::forward(int T, int B, const int32_t* lengths, const float* y, float* pooled) {
  T_ = T;
  B_ = B;
  lengths_ = lengths;
  const int W = width, half = bidirectional ? W / 2 : W;
  auto at = [&](int t, int b) { return y + ((size_t)t * B + b) * W; };
  if (kind == Pooling::Max) argmax_.resize((size_t)B * W);
  for (int b = 0; b < B; ++b) {
    const int len = lengths[b];
    float* out = pooled + (size_t)b * W;
    switch (kind) {
      case Pooling::Final:
        std::memcpy(out, at(len - 1, b), sizeof(float) * half);
        if (bidirectional) std::memcpy(out + half, at(0, b) + half, sizeof(float) * (W - half));
        break;
      case Pooling::Mean:
        std::fill(out, out + W, 0.0f);
        for (int t = 0; t < len; ++t)
          for (int k = 0; k < W; ++k) out[k] += at(t, b)[k];
        for (int k = 0; k < W; ++k) out[k] /= (float)len;
        break;
      case Pooling::Max:
        for (int k = 0; k < W; ++k) {
          int best = 0;
          for (int t = 1; t < len; ++t)
            if (at(t, b)[k] > at(best, b)[k]) best = t;
          out[k] = at(best, b)[k];
          argmax_[(size_t)b * W + k] = best;
        }
        break;
    }
  }
}

void SequencePooling::backward(const float* dpooled, float* dy) const {
  const int T = T_, B = B_, W = width, half = bidirectional ? W / 2 : W;
  std::fill(dy, dy + (size_t)T * B * W, 0.0f);
  auto at = [&](int t, int b) { return dy + ((size_t)t * B + b) * W; };
  for (int b = 0; b < B; ++b) {
    const int len = lengths_[b];
    const float* g = dpooled + (size_t)b * W;
    switch (kind) {
      case Pooling::Final:
        std::memcpy(at(len - 1, b), g, sizeof(float) * half);
        if (bidirectional) std::memcpy(at(0, b) + half, g + half, sizeof(float) * (W - half));
        break;
      case Pooling::Mean:
        for (int t = 0; t < len; ++t)
          for (int k = 0; k < W; ++k) at(t, b)[k] = g[k] / (float)len;
        break;
      case Pooling::Max:
        for (int k = 0; k < W; ++k) at(argmax_[(size_t)b * W + k], b)[k] = g[k];
        break;
    }
  }
}

}  // namespace rnn
