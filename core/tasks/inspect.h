// Seeing inside a language model: how far a late error reaches back through time (gradient flow),
// what every unit does at every token of a text (activations), and what the model expects next.
//
// Gradient flow. L_T = the loss at a batch's last step (the mean over its rows of −log p of the last
// target). For every step t and level l: ‖∂L_T/∂hₜ⁽ˡ⁾‖, the norm over the batch's rows and units of
// everything that reaches hₜ — through the recurrence and from the level above. A plain RNN's curve
// falls geometrically as t moves back from T; an LSTM's cell path can keep it up.
// It is one extra forward and backward pass with the loss weighted to the last step only (the
// model's own train_batch), with a copy of the dropout RNG (the same masks the step would draw), no
// state written back and the gradients zeroed after: the training run does not change by a bit.
//
// Text inspection. One forward pass over a text from a zero state, in chunks of `chunk` tokens
// with the state carried (memory stays bounded for long texts), keeping for one level the hidden
// states hₜ, the LSTM cell states cₜ or the gate activations (LSTM i f g o, GRU r z n), and from the
// logits the top-k next tokens with their probabilities and the surprise −ln p(xₜ₊₁ | x≤ₜ) of the
// actual next token (nats; its mean is the loss evaluate() reports on the same text as one row).
#pragma once
#include <string>
#include <vector>

#include "models/language_model.h"
#include "text/tokenizer.h"
#include "train/trainer.h"

namespace rnn {

struct GradientFlow {
  int T = 0, B = 0;
  double loss = 0;                        // L_T
  std::vector<std::vector<float>> norms;  // [level][t] = ‖∂L_T/∂hₜ‖, t = 0 … T−1
};

// On `batch` as the trainer would train it (its state_in; state_out and dstate_in ignored); the
// dropout masks come from `rng` (a copy: the caller's is untouched). Zeroes the model's gradients.
GradientFlow gradient_flow(LanguageModel& model, const Batch& batch, Rng rng);
// On one sequence of ids (at least 2) from a zero state, without dropout.
GradientFlow gradient_flow(LanguageModel& model, const std::vector<int32_t>& ids);

// A training step with diagnostics: the gradient flow of the batch the step is about to train on,
// then the step itself (bitwise the step train_step() would take).
struct DiagnosticStep {
  StepResult step;
  GradientFlow flow;
};
DiagnosticStep diagnostic_step(Trainer& trainer, LanguageModel& model);

enum class ActivationKind { Hidden, Cell, Gates };
ActivationKind parse_activation_kind(const std::string& name);  // "h" | "c" | "gates"

struct InspectOptions {
  int layer = -1;  // the level whose activations to keep; −1: none
  ActivationKind kind = ActivationKind::Hidden;
  int top_k = 0;         // next-token candidates per position (0: none)
  bool surprise = false;
  int chunk = 512;       // tokens per forward pass
};

struct TextInspection {
  std::vector<int32_t> ids;    // the text's tokens (T)
  int width = 0;               // columns of values: H, or G·H for gates (gate k of unit j at k·H + j)
  std::vector<float> values;   // T × width
  int top_k = 0;
  std::vector<int32_t> top_ids;   // T × top_k: the most probable next tokens after token t, best first
  std::vector<float> top_probs;   // T × top_k
  std::vector<float> surprise;    // T − 1: −ln p(ids[t+1] | ids[0..t])
};

// Throws for a conditional model, a level out of range, 'c' without LSTM, 'gates' for a plain RNN,
// or fewer than 1 token (2 for surprise).
TextInspection inspect_text(LanguageModel& model, const std::vector<int32_t>& ids, const InspectOptions& options);

// The gate names of a cell, in column-block order ("i f g o", "r z n"; none for a plain RNN).
std::vector<std::string> gate_names(CellType cell);

}  // namespace rnn
