#include "tasks/corpus.h"

#include <unordered_map>

#include "common.h"
#include "text/tokenizer.h"
#include "text/utf8.h"
#include "train/batching.h"

namespace rnn {

namespace {

bool is_punctuation_token(const std::string& t) {
  for (const PunctuationToken& p : kPunctuationTokens)
    if (t == p.token) return true;
  return false;
}

// The first whitespace-separated word of each of the first 20,000 lines, as the tokenizer would
// see it; the most frequent one wins (the earliest on a tie).
std::string prime_hint(const std::string& text, const Tokenizer& tok) {
  std::unordered_map<std::string, int64_t> counts;
  std::string best;
  int64_t best_count = 0;
  size_t pos = 0;
  for (int lines = 0; pos < text.size() && lines < 20000; ++lines) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    size_t a = text.find_first_not_of(" \t", pos);
    if (a < end) {
      size_t b = text.find_first_of(" \t\r\f\v", a);
      std::string word = text.substr(a, std::min(b, end) - a);
      if (tok.options.kind == TokenizerKind::Word) {
        std::string first;
        for (const std::string& t : tok.split(word))
          if (!is_punctuation_token(t)) {
            first = t;
            break;
          }
        word = first;
      }
      if (!word.empty() && ++counts[word] > best_count) {
        best_count = counts[word];
        best = word;
      }
    }
    pos = end + 1;
  }
  if (!best.empty()) return best;
  const size_t a = text.find_first_not_of(" \t\r\n\f\v");
  return a == std::string::npos ? "" : text.substr(a, 1);
}

}  // namespace

std::string too_short_problem(int64_t train_tokens, int64_t validation_tokens, const TrainingConfig& tc) {
  const int64_t need = (int64_t)tc.batch_size * tc.seq_length;
  if (train_tokens >= need) return "";
  return "text too short: " + std::to_string(train_tokens) + " training tokens" +
         (validation_tokens ? " (after holding out " + std::to_string(validation_tokens) + " for validation)" : "") +
         ", need at least " + std::to_string(need) + " for batchSize " + std::to_string(tc.batch_size) +
         " × seqLength " + std::to_string(tc.seq_length) + "; give more text or lower batchSize or seqLength";
}

void check_corpus_text(const std::string& text, const char* what) {
  if (text.empty()) fail(std::string(what) + " is empty: give a corpus to train on");
  // UTF-8 text has no NUL: a NUL is a binary file (an image named .txt) or UTF-16 text.
  const size_t nul = text.find('\0');
  if (nul != std::string::npos)
    fail(std::string(what) + " has a NUL byte at byte " + std::to_string(nul) +
         ": it is not a text file (a binary file, or text saved as UTF-16 rather than UTF-8)");
}

std::string vocabulary_problem(const Tokenizer& tok) {
  if (tok.vocab_size() >= 2) return "";
  return "the text has only one distinct token" + (tok.vocab_size() ? " ('" + tok.vocab.at(0) + "')" : std::string()) +
         ": a language model has nothing to learn from it; give a text with more than one";
}

CorpusStats analyze_corpus(const std::string& text, const RunConfig& config) {
  check_corpus_text(text, "text");
  const Tokenizer tok = Tokenizer::build(text, config.tokenizer);
  const size_t tokens = tok.encode(text).size();
  const size_t validation = validation_count(tokens, config.validation_fraction);
  CorpusStats s;
  s.bytes = (int64_t)text.size();
  for (size_t i = 0; i < text.size(); ++s.chars) next_code_point(text, i, config.tokenizer.replace_invalid);
  s.tokens = (int64_t)tokens;
  s.vocab = tok.vocab_size();
  s.train_tokens = (int64_t)(tokens - validation);
  s.validation_tokens = (int64_t)validation;
  const TrainingConfig& tc = config.training;
  s.problem = vocabulary_problem(tok);
  if (s.problem.empty()) s.problem = too_short_problem(s.train_tokens, s.validation_tokens, tc);
  if (s.problem.empty()) s.batches_per_epoch = s.train_tokens / ((int64_t)tc.batch_size * tc.seq_length);
  // With replaceInvalid the hint must come from the repaired text: it is shown and sent as a string.
  s.prime_hint = config.tokenizer.replace_invalid ? prime_hint(encode_utf8(decode_utf8(text, true)), tok)
                                                  : prime_hint(text, tok);
  return s;
}

}  // namespace rnn
