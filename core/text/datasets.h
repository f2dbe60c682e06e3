// The users' labelled data for the tasks beside the language model, parsed into plain examples,
// and the seeded validation split of those examples:
//  * text classification (many-to-one): `text<TAB>label` lines, or JSON [{text, label}];
//  * sequence tagging (a tag per token): CoNLL-style `token<TAB>tag` lines or Brown-corpus
//    `word/tag` sentences, or JSON [{tokens, tags}];
//  * generation by category (one-to-many): `category<TAB>text` lines, or JSON [{label, text}];
//  * encoder–decoder pairs (many-to-many): `source<TAB>target` lines, or JSON [[source, target]]
//    / [{source, target}].
// Parsing only checks the format: texts are kept exactly as given (the Tokenizer splits them
// later) and labels/tags too (no case folding, no trimming). Every error names where it is
// ("line 12: …", "examples[3].label …"), because a person has to find it in their file.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace rnn {

struct ClassifyExample {
  std::string text, label;
  int64_t line = 0;  // 1-based line in the file (JSON: index + 1)
};

struct TagExample {
  std::vector<std::string> tokens, tags;  // same length, at least one token
  int64_t line = 0;                       // first line of the sentence (JSON: index + 1)
};

struct CategoryExample {
  std::string label, text;
  int64_t line = 0;  // 1-based line in the file (JSON: index + 1)
};

struct PairExample {
  std::string source, target;
  int64_t line = 0;  // 1-based line in the file (JSON: index + 1)
};

struct ParseOptions {
  // false: the first bad line throws rnn::Error("line N: …"). true: bad examples are left out
  // and counted in the ParseReport (a line for the TSV formats, the whole sentence for tagged
  // text). Invalid UTF-8 always throws: it means the file is in another encoding, and skipping
  // would quietly drop part of it.
  bool skip_bad_lines = false;
};

struct ParseReport {
  int64_t skipped = 0;                // examples left out by skip_bad_lines
  std::vector<std::string> problems;  // "line N: …" of the first kMaxProblems of them (one each)
  static constexpr size_t kMaxProblems = 20;
};

// Common to the three text formats: lines end in LF or CRLF, the last one may lack it; a UTF-8
// byte order mark at the start is ignored; a line of only spaces/tabs is blank; invalid UTF-8
// throws "line N: invalid UTF-8 at byte B (reason)", B counted from the start of the input.
// `report`, when given, is reset first. Input with no examples at all (empty, only blank
// lines or a header, or every line skipped) throws "no examples: …".

// One `text<TAB>label` a line. A first non-blank line `text<TAB>label` (ASCII case-insensitive)
// is a header and skipped; blank lines are skipped. The text may not contain a tab. Errors:
// "line N: missing tab between text and label", "line N: 3 tab-separated columns, expected 2
// (text<TAB>label; the text may not contain a tab)", "line N: empty text", "line N: empty label"
// (empty = nothing but spaces).
std::vector<ClassifyExample> parse_classify_tsv(const std::string& text, const ParseOptions& options = {},
                                                ParseReport* report = nullptr);

// One `category<TAB>text` a line, the same rules; the header is `category<TAB>text` or
// `label<TAB>text`. Errors say "category" where parse_classify_tsv says "label".
std::vector<CategoryExample> parse_category_tsv(const std::string& text, const ParseOptions& options = {},
                                                ParseReport* report = nullptr);

// Source–target pairs (the format of the common sentence-pair downloads): `source<TAB>target` a
// line, further tab-separated columns ignored (attribution, licence); a first non-blank line whose
// first two columns are `source<TAB>target` (ASCII case-insensitive) is a header. Blank lines are
// skipped. The same source may appear on several lines (several targets: each line is a pair).
// Errors: "line N: missing tab between source and target", "line N: empty source", "line N: empty
// target".
std::vector<PairExample> parse_pairs_tsv(const std::string& text, const ParseOptions& options = {},
                                         ParseReport* report = nullptr);

// Tagged sentences in either of two formats, told apart by tabs: if any line has a tab after
// its first non-blank character the input is CoNLL-style, otherwise word/tag (the Brown
// corpus starts its lines with a tab, hence "after the first non-blank character").
//  * CoNLL-style: a `token<TAB>tag` line per token, sentences separated by blank lines. With
//    more than two columns the FIRST is the token and the LAST the tag (CoNLL-2000/2003 keep
//    the word first and the label to predict last; the columns between are ignored). A line
//    whose first column is "-DOCSTART-" (CoNLL-2003's document marker) ends the sentence and
//    is not a token. Errors: "line N: missing tab between token and tag", "line N: empty
//    token", "line N: empty tag"; a skipped line skips its whole sentence. `line` is the
//    sentence's first line.
//  * word/tag: one sentence per non-blank line, tokens separated by spaces/tabs (leading ones
//    are fine), each split at its LAST '/' as the Brown corpus writes them (`1/2/cd` is token
//    `1/2` with tag `cd`, `//in` is token `/`). Errors: "line N: token 'foo' has no tag
//    (expected word/tag)", "line N: empty tag in token 'foo/'", "line N: empty word in token
//    '/nn'"; a skipped line is a skipped sentence.
std::vector<TagExample> parse_tagged(const std::string& text, const ParseOptions& options = {},
                                     ParseReport* report = nullptr);

// The JSON forms the JS API passes. Each expects an array of objects with exactly these keys
// (an unknown key is an error, so a typo is not silently ignored):
//   classify: [{"text": "...", "label": "..."}]
//   tagged:   [{"tokens": ["...", ...], "tags": ["...", ...]}]   (same length, at least one)
//   category: [{"label": "...", "text": "..."}]
//   pairs:    [["source", "target"]] or [{"source": "...", "target": "..."}] (may be mixed)
// Errors name the element and field: "examples must be an array (got object)",
// "examples[3] must be an object (got string)", "examples[3]: unknown key 'lable'",
// "examples[3].label must be a non-empty string" (+ " (missing)" or " (got number)" when it
// is absent or not a string), "examples[2].tokens must be a non-empty array of strings",
// "examples[2].tokens[4] must be a non-empty string", "examples[5]: 4 tokens but 3 tags",
// "examples[1].text: invalid UTF-8 at byte B (reason)", "no examples: the array is empty",
// pairs: "examples[4] must be [source, target] or {source, target} (got an array of 3)",
// "examples[4][1] must be a non-empty string".
// `line` is index + 1.
std::vector<ClassifyExample> classify_examples_from_json(const nlohmann::json& j);
std::vector<TagExample> tag_examples_from_json(const nlohmann::json& j);
std::vector<CategoryExample> category_examples_from_json(const nlohmann::json& j);
std::vector<PairExample> pair_examples_from_json(const nlohmann::json& j);

struct SplitIndices {
  std::vector<int64_t> train, validation;  // disjoint, together 0..n-1, each sorted ascending
};

// Seeded validation split of n examples. fraction must be in [0, 0.5] (else rnn::Error naming
// validationFraction). The same (n, fraction, seed, strata) gives the same split everywhere
// (rnn::Rng). Counts are floor(count · fraction), computed with a 1e-9 tolerance so that
// 100 × 0.29 gives 29 (plain doubles give 28.999999999999996).
//  * Without strata: a Fisher–Yates shuffle of 0..n-1 with Rng(seed).below(); the first
//    floor(n · fraction) go to validation.
//  * With strata (one value per example, e.g. its label id; any int32 values): each stratum,
//    in ascending value order, is shuffled the same way (continuing the same Rng) and gives
//    its first q examples, where the q add up to floor(n · fraction) by largest remainders:
//    every stratum gets floor(count · fraction), and the strata with the largest fractional
//    parts get one more each until the total is reached (equal fractional parts in a seeded
//    random order). A stratum of one example never gives it to validation (its label would
//    be missing from training), so then the total can fall short. Thus label proportions are
//    kept to within one example, and the total matches the unstratified split; with a single
//    stratum the split is exactly the unstratified one. A rare label (count · fraction < 1)
//    gets a validation example only if it wins a leftover slot — never at the cost of the
//    total.
// Both lists come out sorted: training order is the batch source's own shuffling, not the
// split's. strata->size() must be n.
SplitIndices split_examples(int64_t n, double fraction, uint64_t seed, const std::vector<int32_t>* strata = nullptr);

}  // namespace rnn
