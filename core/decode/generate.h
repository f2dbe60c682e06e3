// Text generation, stateful: the prime runs through the network once to warm the state, then each
// new token costs exactly one step of the network (never a re-run of the window). Works with any
// TokenStepper (models/model.h).
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "decode/sampling.h"
#include "models/model.h"
#include "text/tokenizer.h"

namespace rnn {

struct GenerateOptions {
  std::string prime;               // any length; empty = start of a line
  int length = 200;                // tokens to generate after the prime
  SamplingOptions sampling;
  uint64_t seed = 1;
  std::vector<std::string> stop;   // stop after a token that is one of these (as a vocabulary
                                   // entry like "||Period||", or as text like "." or "\n")
  bool include_prime = true;       // the returned text starts with the (normalised) prime
  int repetition_window = 64;      // recent tokens the repetition penalty looks at
  std::string label;               // a conditional model's category, by name (the caller resolves it)
  int32_t category = -1;           // … and by id: what the generator writes for (−1: none)
  void validate() const;
};

// From the JS API's option names: { prime, length, temperature, topK, topP, greedy,
// repetitionPenalty, seed, stop: string | string[], includePrime, label }. Unknown keys are errors.
GenerateOptions parse_generate_options(const nlohmann::json& j);

class LanguageModel;

// Generates token by token. The caller pulls pieces with next() (streaming) or uses generate().
// A language model with the adaptive softmax is stepped to its output layer's input only and
// sampled in two levels (LanguageModel::sample_next): the same distribution as sampling from its
// full log-probabilities, without computing them — except with a repetition penalty, which changes
// single words' logits and so takes the full distribution and sample_token.
class Generator {
 public:
  Generator(TokenStepper& model, const Tokenizer& tokenizer, const GenerateOptions& options);
  // The next piece of text (the prime first, if included). Returns false when done.
  bool next(std::string& piece);
  const UnknownReport& prime_report() const { return report_; }
  // Logits of the next token (before sampling settings apply): after the prime, then after each step.
  // (Sampled in two levels, they are computed when asked for.)
  const std::vector<float>& next_logits() const;
  // Prime tokens run through the model per forward pass.
  static constexpr size_t kPrimeChunk = 512;

 private:
  TokenStepper& model_;
  const Tokenizer& tok_;
  GenerateOptions opt_;
  Rng rng_;
  ModelState state_;
  mutable std::vector<float> logits_;
  LanguageModel* two_level_ = nullptr;  // the adaptive model sampled in two levels, if so
  std::vector<float> top_;              // … and its output layer's input for the next token
  mutable bool logits_stale_ = false;
  std::vector<int32_t> recent_;
  DetokState detok_;
  UnknownReport report_;
  std::string pending_prime_;
  int generated_ = 0;
  bool done_ = false;
};

// Whole text at once; on_piece (optional) sees each piece as it is made and may return false to stop.
std::string generate(TokenStepper& model, const Tokenizer& tokenizer, const GenerateOptions& options,
                     const std::function<bool(const std::string&)>& on_piece = {}, UnknownReport* report = nullptr);

}  // namespace rnn
