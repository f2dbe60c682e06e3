// What a text gives a language-model run, computed by the same code the run uses: the page shows
// these numbers before training, and the session refuses a run by the same rule.
#pragma once
#include <cstdint>
#include <string>

#include "io/config.h"
#include "text/tokenizer.h"

namespace rnn {

struct CorpusStats {
  int64_t bytes = 0, chars = 0;                        // chars: Unicode code points
  int64_t tokens = 0, vocab = 0;                       // under the run's tokenizer options
  int64_t train_tokens = 0, validation_tokens = 0;     // after the validation split
  int64_t batches_per_epoch = 0;                       // 0 when the text is too short
  std::string prime_hint;   // the commonest first token of a line ("moe_szyslak:"): a prime the model will know
  std::string problem;      // empty, or the error creating a trainer on this text would give
};

// Throws rnn::Error for an empty text or invalid UTF-8 (as the trainer would); a text too short
// for one batch is reported in `problem` instead, so the page can show the counts beside it.
CorpusStats analyze_corpus(const std::string& text, const RunConfig& config);

// Throws for an empty text or one with a NUL byte (a binary or UTF-16 file); `what` names it.
void check_corpus_text(const std::string& text, const char* what);

// "" when the tokenizer has at least two tokens, otherwise why a language model cannot learn.
std::string vocabulary_problem(const Tokenizer& tok);

// "" when the split leaves at least one batch of training tokens, otherwise the message.
std::string too_short_problem(int64_t train_tokens, int64_t validation_tokens, const TrainingConfig& config);

}  // namespace rnn
