// One vector per sequence from a recurrent encoder's outputs y (T × B × W, time-major), over each
// row's real steps t < len (a classifier's input):
//   final: y[len−1] — or, bidirectional, [→h at len−1 ; ←h at 0], each direction's last state
//   mean:  Σ_{t<len} y[t] / len              ∂/∂y[t] = g / len
//   max:   max_{t<len} y[t] per unit         ∂/∂y[t] = g where t was the argmax, else 0
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace rnn {

enum class Pooling { Final, Mean, Max };
const char* pooling_name(Pooling p);
Pooling parse_pooling(const std::string& name);  // "final" | "mean" | "max"

struct SequencePooling {
  Pooling kind = Pooling::Final;
  int width = 0;                // W, the encoder's output size
  bool bidirectional = false;   // final: the second half of W is the reverse direction

  // lengths: B values in [1, T]. pooled: B × W.
  void forward(int T, int B, const int32_t* lengths, const float* y, float* pooled);
  // dy (T × B × W) is overwritten: the gradient at every step (zero where nothing was taken).
  void backward(const float* dpooled, float* dy) const;

 private:
  int T_ = 0, B_ = 0;
  const int32_t* lengths_ = nullptr;
  std::vector<int32_t> argmax_;  // max: B × W steps
};

}  // namespace rnn
