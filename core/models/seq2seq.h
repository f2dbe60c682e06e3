// Many-to-many with different lengths (translation, spelling → pronunciation): an encoder reads the
// source, a decoder writes the target.
//   encoder:  source ids → embedding → recurrent levels (uni- or bidirectional) → outputs e, final states
//   bridge:   the decoder's initial state per level: the encoder's final state (unidirectional), or
//             tanh(W·[→s ; ←s] + b) of the two directions' final states (bidirectional: 2H → H,
//             one Linear for h and, for LSTM, one for c) — learned, since a sum or the forward half
//             alone would throw information away
//   decoder:  target ids (start token, then the target shifted right) → embedding → recurrent levels
//             → Luong attention over e (optional): h̃ = tanh(W_c·[context ; h]) → Dense → softmax
//   input feeding (Luong et al. 2015, with attention): step t's first-level input is
//             [embedding(y_{t−1}) ; h̃_{t−1}] (h̃_{−1} = 0), so the decoder knows what it attended to
// Trained with teacher forcing, the loss averaged over the real target tokens (padding masked);
// with scheduled sampling p (Bengio et al. 2015), each decoder input after the start token is, with
// probability p, the model's own previous prediction (argmax of that step's logits; no gradient
// flows through the choice) instead of the reference token.
//
// Two ways to run the decoder, with the same results up to float rounding:
//   - all steps at once (teacher forcing without input feeding, p = 0 — and evaluation without
//     input feeding): the decoder's input projections, the attention and the output layer are each
//     one product over all T·B rows (the recurrent stacks' hoisted GEMMs);
//   - step by step (input feeding, or p > 0 in training, and decoding): step t's input needs step
//     t−1's output. What spans all steps stays one GEMM: the embedding part of the first level's
//     input projection (when the tokens are known beforehand: input feeding with p = 0), the output
//     layer (p = 0), every weight gradient, the embedding and encoder-output gradients and the
//     attention's keys. Per step: each level's W_hh product (packed once), the input projections
//     of the levels above the first and the h̃ part of the first (W_ih0's last H columns, copied and
//     packed once per batch), the attention's GEMVs and its W_c product, and in backward the same
//     products transposed (h̃'s gradient, ∂L/∂h̃_{t−1} = ∂gates0_t·W_f, must reach step t−1 before
//     it runs).
//
// Tensors: encoder.embedding.weight, encoder.rnn.* (nn.LSTM/GRU/RNN names, _reverse for the reverse
// direction), bridge.h_l{k}.weight/bias (and bridge.c_l{k}.* for LSTM), decoder.embedding.weight,
// decoder.rnn.*, attention.weight_a (general), attention.weight_c, fc.weight, fc.bias.
// With input feeding decoder.rnn.weight_ih_l0 is G·H × (E + H) (G = 4 LSTM, 3 GRU, 1 RNN): columns
// [0, E) read the embedding, [E, E + H) read h̃_{t−1} — what nn.LSTM(E + H, H) holds when fed
// torch.cat([embedding, h̃], −1). Every other tensor keeps its shape.
#pragma once
#include <vector>

#include "kernels/kernels.h"
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
  TokenEncoder decoder;       // unidirectional; with input feeding its first level reads E + H
  Attention attention;
  Dense output;

  explicit Seq2Seq(const ModelConfig& cfg);
  static std::vector<TensorInfo> layout(const ModelConfig& cfg);

  // Batch: inputs/lengths = sources (B × T); decoder_inputs, targets, target_lengths (B × target_steps).
  // Scheduled sampling draws from dropout_rng ((target_steps − 1)·B draws, only when p > 0).
  double train_batch(const Batch& batch, Rng& dropout_rng) override;
  double evaluate_batch(const Batch& batch) override;  // teacher forcing (no scheduled sampling)
  size_t state_size(int) const override { return 0; }
  // The last train/evaluate pass: logits (target_steps × B × target vocabulary, time-major) and the
  // tokens the decoder read (target_steps × B: the references, or the sampled predictions).
  const std::vector<float>& logits() const { return logits_; }
  const std::vector<int32_t>& decoder_tokens() const { return tokens_; }

  // Step-by-step decoding of B sources (greedy, sampling, beam search). The weights must not change
  // while a Decoding is in use (the encoder's outputs and the packed weights belong to them).
  struct Decoding {
    int B = 0, S = 0;               // rows being decoded, source steps (the longest source)
    AttentionMemory memory;         // per source: encoder outputs and keys (attention), lengths
    std::vector<int32_t> source;    // each row's source (memory row): the beams of a source share it
    ModelState state;               // the decoder's state (RecurrentStack layout)
    std::vector<float> feed;        // input feeding: the last step's h̃, B × H (zeros at the start)
    std::vector<float> attention;   // the last step's weights, B × S
    uint64_t id = 0;                // which packing of the weights it uses
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
  double forward_steps(const Batch& b, Rng* dropout_rng, bool gradient, const int32_t* lengths);
  double loss(const Batch& b, bool gradient);
  // Encoder final states → decoder initial states (B rows).
  void bridge_forward(int B, const float* final_states, float* initial);
  void bridge_backward(int B, const float* dinitial, float* dfinal);
  int state_parts() const { return config.cell == CellType::Lstm ? 2 : 1; }
  bool feeding() const { return config.attention && config.input_feeding; }

  // ---- the step-by-step decoder ----
  struct StepLevel {
    RecurrentCache cache;           // T steps of B rows: gates, states (lengths unused: padded steps
                                    // run on, their loss weight is 0 and nothing real depends on them)
    std::vector<float> x, mask;     // the level's inputs (T × B × I; dropped out above level 0), masks
    kernels::PackedMatrix w_ih_nt, w_ih_nn;
  };
  void pack_steps(bool backward, int rows);  // every per-step weight product, packed once
  void steps_begin(int T, int B, const float* initial, const float* feed, bool dropout);
  const float* steps_forward(int t, bool projected, Rng* dropout_rng);
  void steps_backward(const float* dhead);  // every step, then the products over all steps
  void steps_final_state(float* state) const;

  std::vector<float> final_, initial_, dinitial_, dfinal_;
  std::vector<float> bridge_in_, bridge_out_, dbridge_in_, dbridge_out_;
  std::vector<float> attended_, logits_, dlogits_, dattended_, dtop_, dmemory_;
  std::vector<int32_t> targets_, tokens_;
  std::vector<float> weights_;
  const float* memory_ = nullptr;
  const float* top_ = nullptr;
  // Step by step: levels, the prepared attention memory, W_ih0's two column blocks (input
  // feeding), the initial h̃, backward scratch.
  std::vector<StepLevel> steps_;
  int steps_T_ = 0, steps_B_ = 0;
  bool steps_dropout_ = false;
  AttentionMemory memory_steps_;
  std::vector<float> w_emb_, w_feed_, feed0_, emb_, demb_, dfeed_, dlevel_, dtop_step_, dsum_;
  kernels::PackedMatrix w_feed_nt_, w_feed_nn_, fc_nt_;
  uint64_t packed_id_ = 0, next_id_ = 1;  // the Decoding whose packing is current (0: none)
  bool packed_many_ = false;               // packed for 4 rows or more
};

}  // namespace rnn
