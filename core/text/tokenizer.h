// Text <-> token ids. Three tokenizers:
//  * Char: one token per Unicode code point (token string = its UTF-8); round-trips exactly.
//  * Word: the TV-script recipe. Ten punctuation marks become tokens (table below), the rest
//    is split on whitespace. Optional lower-casing and a min_count below which words map
//    to "<unk>".
//  * Whitespace: tokens are exactly the whitespace-separated strings (pre-tokenized text, the
//    tokens of a tagging corpus); optional lower-casing and min_count as for Word.
// Word and whitespace level may keep the shape of rare and unknown words (text/word_shape.h):
// then a token seen fewer than min_count times, and an unknown token, becomes "<unk:SHAPE>"
// (when that shape is in the vocabulary; else "<unk>").
// With `eos` set (a language model's default at whitespace level: "<eos>"), every newline is that
// end-of-sentence token, as the published Penn Treebank and WikiText figures count it.
//
// Vocabulary order is deterministic: "<unk>" first (id 0) when present, then by descending
// frequency, ties by token string compared byte-wise ascending.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "text/vocabulary.h"

namespace rnn {

enum class TokenizerKind { Char, Word, Whitespace };
const char* tokenizer_kind_name(TokenizerKind k);        // "char" | "word" | "whitespace"
TokenizerKind parse_tokenizer_kind(const std::string& name, const std::string& what = "option 'tokenizer'");

struct TokenizerOptions {
  TokenizerKind kind = TokenizerKind::Char;
  // Word level only (char level always keeps the text exactly). Lower-cases A-Z, Latin-1
  // (À-Þ), basic Greek and Cyrillic capitals; other scripts are left as they are. Python's
  // str.lower() in the recipe is full Unicode; the two agree on the bundled corpora.
  bool lowercase = true;
  // Tokens seen fewer than min_count times in the corpus map to "<unk>". "<unk>" is in the
  // vocabulary (as id 0) exactly when min_count > 1. Applies to both kinds.
  int min_count = 1;
  // How build() treats invalid UTF-8 in the corpus: false throws "invalid UTF-8 at byte N",
  // true replaces each invalid sequence with U+FFFD. encode() always replaces (prime text
  // typed by a user must never throw); the U+FFFD then goes through the unknown-token rules.
  bool replace_invalid = false;
  // Word and whitespace level with min_count > 1: rare and unknown tokens keep their shape
  // ("<unk:Cing>") instead of all becoming "<unk>" — the shapes are learned from the rare tokens.
  bool unknown_shapes = false;
  // Whitespace level only: the token each newline becomes ("" = a newline is just whitespace).
  std::string eos;
};

inline constexpr const char* kUnkToken = "<unk>";

// The ten word-level punctuation tokens, in the recipe's order.
struct PunctuationToken {
  const char* text;   // as it appears in the corpus
  const char* token;  // vocabulary entry
};
inline constexpr PunctuationToken kPunctuationTokens[10] = {
    {".", "||Period||"},         {",", "||Comma||"},
    {"\"", "||QuotationMark||"}, {";", "||Semicolon||"},
    {"!", "||Exclamationmark||"}, {"?", "||Questionmark||"},
    {"(", "||LeftParentheses||"}, {")", "||RightParentheses||"},
    {"--", "||Dash||"},          {"\n", "||Return||"},
};

// What encode() did with tokens missing from the vocabulary.
struct UnknownReport {
  size_t replaced = 0;                // mapped to <unk>
  size_t skipped = 0;                 // dropped (vocabulary has no <unk>)
  std::vector<std::string> examples;  // first distinct unknown tokens, at most kMaxExamples
  static constexpr size_t kMaxExamples = 10;
  size_t total() const { return replaced + skipped; }
};

// Detokenizer state carried between streamed tokens (see Tokenizer::piece).
struct DetokState {
  bool line_start = true;   // nothing written on this line yet: no leading space
  bool glue = false;        // previous token attaches to the next one: "(" or an opening quote
  bool quote_open = false;  // an opening quotation mark is pending on this line
};

struct Tokenizer {
  TokenizerOptions options;
  Vocabulary vocab;
  int32_t unk = -1;  // id of "<unk>", -1 when absent

  // Builds the vocabulary from a corpus. Throws rnn::Error for an empty corpus (no tokens),
  // min_count < 1, or invalid UTF-8 (unless options.replace_invalid).
  static Tokenizer build(const std::string& utf8_text, const TokenizerOptions& options);

  // Text -> token strings (word level: punctuation tokens, lower-cased words). Honours
  // options.replace_invalid. Does not consult the vocabulary.
  std::vector<std::string> split(const std::string& text) const;

  // Text -> ids with this vocabulary. Unknown tokens become <unk> if the vocabulary has
  // it, otherwise they are skipped; either way they are counted in `report` if given.
  std::vector<int32_t> encode(const std::string& text, UnknownReport* report = nullptr) const;

  // Ids -> text, reading naturally at word level (rules in tokenizer.cpp). Throws for an id
  // outside the vocabulary.
  std::string decode(const std::vector<int32_t>& ids) const;
  // One token of a stream: concatenating piece() over a sequence, starting from a fresh
  // DetokState, equals decode() of the whole sequence.
  std::string piece(int32_t id, DetokState& state) const;

  int32_t vocab_size() const { return vocab.size(); }
  int32_t id_of(const std::string& token) const { return vocab.id_of(token); }  // -1 when absent
  // The id a token (already split) reads as: its own, its shape's (unknown_shapes), <unk>, or −1
  // (unknown, and the vocabulary has no <unk>).
  int32_t lookup(const std::string& token) const;

  // {"kind": "char"|"word"|"whitespace", "lowercase": b, "min_count": n, "replace_invalid": b,
  //  "unknown_shapes": true and "eos": token (each only when set, so files without them keep their
  //  bytes), "vocab": [token strings in id order]}
  nlohmann::json to_json() const;
  // Validates everything (kind, option types, vocab entries, duplicates, <unk> placement)
  // and throws rnn::Error naming the problem.
  static Tokenizer from_json(const nlohmann::json& j);
};

}  // namespace rnn
