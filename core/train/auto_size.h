// size: 'auto' — a language model's size and regularisation picked from its corpus (training
// tokens, vocabulary) and the time it will train (issue 14; the measurements behind the rule are in
// the README, "Settings that fit the data and the time").
//
// The rule, in three parts:
//   1. Speed: a training step costs 6 FLOPs per weight a token touches (forward, two backward
//      products): compute(H) = 6·(recurrent weights + output layer), run at kFlopsPerThread each of
//      the run's threads (WebAssembly SIMD, measured). Tokens seen in the budget: D = seconds·R/compute.
//   2. Size: the widest H (two layers; one when even 64 units would see under kTokensPerWeight
//      tokens per weight) whose recurrent weights W(H) get D(H) ≥ kTokensPerWeight·W(H) — the
//      compute-optimal balance measured on Tiny Shakespeare — and W(H) ≤ kWeightsPerToken × the
//      training tokens, beyond which a larger model only memorises.
//   3. Regularisation from the epochs E = D / training tokens: none when E ≤ 1 (the text is not
//      repeated), else dropout 0.05·(1 + log2 E) in steps of 0.05 at the three sites (a quarter of
//      it on the embedding), one mask per sequence, capped at 0.5; from 30 passes on, DropConnect
//      0.3 on W_hh as well; AdamW 0.01; a cosine decay fitted to the time with 100 warm-up steps.
// Word-level models tie the embedding to the output layer (embedding = hidden), where the output
// layer dominates the compute; characters use a 64-wide embedding.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "models/model.h"
#include "train/trainer.h"

namespace rnn {

struct AutoSizeInput {
  int64_t train_tokens = 0;
  int vocab = 0;
  bool words = false;       // a word (or pre-tokenized) vocabulary rather than characters
  int gates = 4;            // the cell's: LSTM 4, GRU 3, plain RNN 1
  double seconds = 600;     // the time budget
  int threads = 1;
};

struct AutoSizeChoice {
  int layers = 2, hidden = 256, embedding = 64, seq_length = 64, batch_size = 32;
  float dropout = 0, embedding_dropout = 0, weight_drop = 0;
  double learning_rate = 3e-3;  // two significant digits (a double, so info.autoSize shows 0.0027)
  bool tie = false;
  double tokens_per_second = 0, tokens = 0, epochs = 0, weights = 0;  // the prediction behind it
  int64_t steps = 0;
};

constexpr double kFlopsPerThread = 40e9;  // a training step's FLOP/s per thread, WebAssembly SIMD (README)
constexpr double kTokensPerWeight = 8;    // compute-optimal tokens per recurrent weight (measured)
constexpr double kWeightsPerToken = 3;    // recurrent weights at most three times the training tokens

AutoSizeChoice choose_auto_size(const AutoSizeInput& in);

// Writes the choice into the options the user did not give (`given`: the option names present).
void apply_auto_size(const AutoSizeChoice& c, const std::vector<std::string>& given, ModelConfig& m, TrainingConfig& t);

// The choice and its prediction in the JS API's shape (info.autoSize).
nlohmann::json auto_size_json(const AutoSizeInput& in, const AutoSizeChoice& c);

}  // namespace rnn
