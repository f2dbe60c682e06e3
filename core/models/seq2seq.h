// Many-to-many with different lengths (translation, spelling → pronunciation): an encoder reads the
// source, a decoder writes the target.
//   encoder:  source ids → embedding → recurrent levels (uni- or bidirectional) → outputs e, final states
//   bridge:   the decoder's initial state per level: the encoder's final state (unidirectional), or
//             tanh(W·[→s ; ←s] + b) of the two directions' final states (bidirectional: 2H → H,
//             one Linear for h and, for LSTM, one for c) — learned, since a sum or the forward half
//             alone would throw information away
//   decoder:  target ids (start token, then the target shifted right) → embedding → recurrent levels
//             → Luong attention over e (optional): h̃ = tanh(W_c·[context ; h]) → Dense → softmax
// Trained with teacher forcing, the loss averaged over the real target tokens (padding masked).
// Tensors: encoder.embedding.weight, encoder.rnn.* (nn.LSTM/GRU/RNN names, _reverse for the reverse
// direction), bridge.h_l{k}.weight/bias (and bridge.c_l{k}.* for LSTM), decoder.embedding.weight,
// decoder.rnn.*, attention.weight_a (general), attention.weight_c, fc.weight, fc.bias.
#pragma once
#include <vector>

#include "models/model.h"
#include "nn/attention.h"
#include "nn/dense.h"
#include "nn/token_encoder.h"

namespace rnn {

class Seq2Seq : public Model {
 public:
  ModelConfig config;  // vocab_size: the source's; target_vocab_size: the target's
  TokenEncoder encoder;
  std::vector<Dense> bridge;  // bidirectional encoders: per level, h then (LSTM) c
  TokenEncoder decoder;       // unidirectional
  Attention attention;
  Dense output;

  explicit Seq2Seq(const ModelConfig& cfg);
  static std::vector<TensorInfo> layout(const ModelConfig& cfg);

  // Batch: inputs/lengths = sources (B × T); decoder_inputs, targets, target_lengths (B × target_steps).
  double train_batch(const Batch& batch, Rng& dropout_rng) override;
  double evaluate_batch(const Batch& batch) override;
  size_t state_size(int) const override { return 0; }

  // Step-by-step decoding of B sources (greedy, sampling, beam search).
  struct Decoding {
    int B = 0, S = 0;
    std::vector<float> memory;      // encoder outputs, S × B × D
    std::vector<int32_t> lengths;   // source lengths
    ModelState state;               // the decoder's state
    std::vector<float> attention;   // the last step's weights, B × S
  };
  Decoding start(int B, int S, const int32_t* sources, const int32_t* lengths);
  // One target step for every row: logits is B × target vocabulary.
  void step(Decoding& d, const int32_t* tokens, float* logits);
  // Keeps rows `rows` (in that order, repeats allowed): beam search's reordering.
  void select_rows(Decoding& d, const std::vector<int32_t>& rows) const;

 private:
  static void declare(const ModelConfig& cfg, Params& p, TokenEncoder& encoder, std::vector<Dense>& bridge,
                      TokenEncoder& decoder, Attention& attention, Dense& output);
  double forward(const Batch& b, Rng* dropout_rng, bool gradient);
  // Encoder final states → decoder initial states (B rows).
  void bridge_forward(int B, const float* final_states, float* initial);
  void bridge_backward(int B, const float* dinitial, float* dfinal);
  int state_parts() const { return config.cell == CellType::Lstm ? 2 : 1; }

  std::vector<float> final_, initial_, dinitial_, dfinal_;
  std::vector<float> bridge_in_, bridge_out_, dbridge_in_, dbridge_out_;
  std::vector<float> attended_, logits_, dlogits_, dattended_, dtop_, dmemory_;
  std::vector<int32_t> targets_;
  std::vector<float> weights_;
  const float* memory_ = nullptr;
  const float* top_ = nullptr;
};

}  // namespace rnn
