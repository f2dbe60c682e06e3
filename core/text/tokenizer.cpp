#include "text/tokenizer.h"

#include <algorithm>
#include <cstring>

#include "common.h"
#include "text/utf8.h"
#include "text/word_shape.h"

namespace rnn {

const char* tokenizer_kind_name(TokenizerKind k) {
  switch (k) {
    case TokenizerKind::Char: return "char";
    case TokenizerKind::Word: return "word";
    case TokenizerKind::Whitespace: return "whitespace";
  }
  return "?";
}

TokenizerKind parse_tokenizer_kind(const std::string& name, const std::string& what) {
  if (name == "char") return TokenizerKind::Char;
  if (name == "word") return TokenizerKind::Word;
  if (name == "whitespace") return TokenizerKind::Whitespace;
  fail(what + " must be 'char', 'word' or 'whitespace' (got '" + name + "')");
}

namespace {

// The whitespace set of Python's str.split(), so word splitting matches the recipe.
bool is_space(char32_t c) {
  if (c <= 0x20) return c == 0x20 || (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x1F);
  if (c < 0x85) return false;
  return c == 0x85 || c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 ||
         c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
}

// Simple one-to-one lower-casing of the common alphabets (see TokenizerOptions::lowercase).
char32_t to_lower(char32_t c) {
  if (c < 0x80) return (c >= 'A' && c <= 'Z') ? c + 32 : c;
  if (c >= 0xC0 && c <= 0xDE && c != 0xD7) return c + 32;                // À-Þ except ×
  if (c >= 0x391 && c <= 0x3A9 && c != 0x3A2) return c + 32;             // Greek Α-Ω
  if (c >= 0x410 && c <= 0x42F) return c + 32;                           // Cyrillic А-Я
  if (c >= 0x400 && c <= 0x40F) return c + 80;                           // Cyrillic Ѐ-Џ
  return c;
}

const char* punctuation_token(char32_t c) {
  switch (c) {
    case '.': return kPunctuationTokens[0].token;
    case ',': return kPunctuationTokens[1].token;
    case '"': return kPunctuationTokens[2].token;
    case ';': return kPunctuationTokens[3].token;
    case '!': return kPunctuationTokens[4].token;
    case '?': return kPunctuationTokens[5].token;
    case '(': return kPunctuationTokens[6].token;
    case ')': return kPunctuationTokens[7].token;
    case '\n': return kPunctuationTokens[9].token;
    default: return nullptr;
  }
}

// Calls emit(token) for each token of the text in order, walking its code points without holding
// them or the tokens (a corpus can be hundreds of MB). Words: the recipe replaces each punctuation
// mark by " token " and splits on whitespace; one left-to-right scan does the same ("--" matched
// greedily, so "---" is Dash then "-"). Whitespace: the whitespace-separated strings, and the
// end-of-sentence token at each newline when one is set.
template <class Emit>
void each_token(const std::string& text, const TokenizerOptions& o, bool replace, Emit&& emit) {
  std::string word;
  const auto flush = [&] {
    if (!word.empty()) emit(word);
    word.clear();
  };
  for (size_t i = 0; i < text.size();) {
    const char32_t c = next_code_point(text, i, replace);
    if (o.kind == TokenizerKind::Char) {
      append_utf8(word, c);
      flush();
      continue;
    }
    const char32_t lower = o.lowercase ? to_lower(c) : c;
    if (o.kind == TokenizerKind::Whitespace) {
      if (!is_space(c)) {
        append_utf8(word, lower);
      } else {
        flush();
        if (c == '\n' && !o.eos.empty()) emit(o.eos);
      }
      continue;
    }
    const char* token = punctuation_token(c);
    if (!token && c == '-' && i < text.size() && text[i] == '-') {  // a continuation byte is never '-'
      token = kPunctuationTokens[8].token;
      ++i;
    }
    if (token) {
      flush();
      word = token;
      flush();
    } else if (is_space(c)) {
      flush();
    } else {
      append_utf8(word, lower);
    }
  }
  flush();
}

std::vector<std::string> split_text(const std::string& text, const TokenizerOptions& o, bool replace) {
  std::vector<std::string> out;
  each_token(text, o, replace, [&](const std::string& t) { out.push_back(t); });
  return out;
}

void check_options(const TokenizerOptions& o) {
  if (o.kind != TokenizerKind::Char && o.kind != TokenizerKind::Word && o.kind != TokenizerKind::Whitespace)
    fail("tokenizer kind is invalid");
  if (o.min_count < 1) fail("min_count must be >= 1 (got " + std::to_string(o.min_count) + ")");
  if (o.unknown_shapes && o.kind == TokenizerKind::Char)
    fail("unknown-word shapes are for word and whitespace tokenizers, not 'char' (a character has no shape to keep)");
  if (o.unknown_shapes && o.min_count < 2)
    fail("unknown-word shapes need a minimum count of at least 2: the shapes are learned from the tokens seen fewer "
         "than that many times");
  if (!o.eos.empty() && o.kind != TokenizerKind::Whitespace) fail("an end-of-sentence token is for the whitespace tokenizer");
}

// How a word-level token sits against its neighbours when detokenizing.
enum class Role { Word, Closer, Opener, Quote, Dash, Return };

Role role_of(const std::string& tok, const char** text) {
  *text = tok.c_str();
  if (tok.size() < 6 || tok[0] != '|' || tok[1] != '|') return Role::Word;
  for (const auto& p : kPunctuationTokens) {
    if (tok != p.token) continue;
    *text = p.text;
    switch (p.text[0]) {
      case '(': return Role::Opener;
      case '"': return Role::Quote;
      case '-': return Role::Dash;
      case '\n': return Role::Return;
      default: return Role::Closer;  // . , ; ! ? )
    }
  }
  return Role::Word;
}

std::string in_quotes(const std::string& s) { return "\"" + s + "\""; }

}  // namespace

Tokenizer Tokenizer::build(const std::string& utf8_text, const TokenizerOptions& options) {
  check_options(options);
  std::unordered_map<std::string, int64_t> counts;
  int64_t total = 0;
  each_token(utf8_text, options, options.replace_invalid, [&](const std::string& tok) {
    ++counts[tok];
    ++total;
  });
  if (total == 0) fail("corpus is empty: the text contains no tokens");
  if (options.unknown_shapes) {  // each rare token counts for its shape instead
    std::unordered_map<std::string, int64_t> shapes;
    for (const auto& [tok, n] : counts)
      if (n < options.min_count) shapes[word_shape(tok)] += n;
    for (const auto& [shape, n] : shapes) counts[shape] += n;
  }
  Tokenizer t;
  t.options = options;
  t.vocab = Vocabulary::by_frequency(counts, options.min_count, options.min_count > 1 ? kUnkToken : nullptr);
  t.unk = t.id_of(kUnkToken);
  return t;
}

std::vector<std::string> Tokenizer::split(const std::string& text) const {
  return split_text(text, options, options.replace_invalid);
}

std::vector<int32_t> Tokenizer::encode(const std::string& text, UnknownReport* report) const {
  // Two passes, so the ids are allocated once at their final size: a corpus holds its text and its
  // ids, never its tokens as strings nor a vector grown by doubling.
  size_t count = 0;
  each_token(text, options, true, [&](const std::string&) { ++count; });
  std::vector<int32_t> ids;
  ids.reserve(count);
  each_token(text, options, true, [&](const std::string& tok) {
    const int32_t known = vocab.id_of(tok);
    if (known >= 0) {
      ids.push_back(known);
      return;
    }
    const int32_t id = lookup(tok);
    if (id >= 0) ids.push_back(id);
    if (!report) return;
    (unk >= 0 ? report->replaced : report->skipped)++;
    auto& ex = report->examples;
    if (ex.size() < UnknownReport::kMaxExamples && std::find(ex.begin(), ex.end(), tok) == ex.end()) ex.push_back(tok);
  });
  return ids;
}

int32_t Tokenizer::lookup(const std::string& token) const {
  const int32_t known = vocab.id_of(token);
  if (known >= 0) return known;
  if (options.unknown_shapes) {
    const int32_t shape = vocab.id_of(word_shape(token));
    if (shape >= 0) return shape;
  }
  return unk;
}

// Word-level detokenization rules:
//  * words are separated by one space; nothing is written before the first token of a line;
//  * . , ; ! ? ) attach to the previous token (no space before);
//  * ( attaches to the next token (space before, none after);
//  * quotation marks alternate opening / closing within a line: an opening one has a space
//    before and attaches to the next token, a closing one attaches to the previous token;
//  * -- is written spaced like a word ("well -- i"); spacing it keeps the round trip exact
//    (a word ending in '-' glued to "--" would re-split differently);
//  * ||Return|| is "\n" with no spaces around it and resets the quote parity.
// Char level writes each token's text; <unk> becomes U+FFFD there (one unreadable char).
std::string Tokenizer::piece(int32_t id, DetokState& st) const {
  if (id < 0 || id >= vocab_size())
    fail("token id " + std::to_string(id) + " out of range (vocab size " + std::to_string(vocab_size()) + ")");
  const std::string& tok = vocab.at(id);
  if (options.kind == TokenizerKind::Char) return id == unk ? std::string("\xEF\xBF\xBD") : tok;
  if (options.kind == TokenizerKind::Whitespace) {
    if (!options.eos.empty() && tok == options.eos) {
      st.line_start = true;
      return "\n";
    }
    std::string out = st.line_start ? tok : " " + tok;
    st.line_start = false;
    return out;
  }

  const char* text;
  const Role role = role_of(tok, &text);
  bool space_before = true, glue_after = false;
  switch (role) {
    case Role::Return: st = DetokState{}; return "\n";
    case Role::Closer: space_before = false; break;
    case Role::Opener: glue_after = true; break;
    case Role::Quote:
      if (st.quote_open) space_before = false;
      else glue_after = true;
      st.quote_open = !st.quote_open;
      break;
    case Role::Dash: case Role::Word: break;
  }
  std::string out;
  if (space_before && !st.line_start && !st.glue) out += ' ';
  out += text;
  st.line_start = false;
  st.glue = glue_after;
  return out;
}

std::string Tokenizer::decode(const std::vector<int32_t>& ids) const {
  std::string out;
  DetokState st;
  for (int32_t id : ids) out += piece(id, st);
  return out;
}

nlohmann::json Tokenizer::to_json() const {
  nlohmann::json j = {{"kind", tokenizer_kind_name(options.kind)},
          {"lowercase", options.lowercase},
          {"min_count", options.min_count},
          {"replace_invalid", options.replace_invalid},
          {"vocab", vocab.entries()}};
  if (options.unknown_shapes) j["unknown_shapes"] = true;  // only when set: older files keep their bytes
  if (!options.eos.empty()) j["eos"] = options.eos;
  return j;
}

Tokenizer Tokenizer::from_json(const nlohmann::json& j) {
  if (!j.is_object()) fail("tokenizer JSON must be an object");
  Tokenizer t;
  TokenizerOptions& o = t.options;

  if (!j.contains("kind") || !j["kind"].is_string()) fail("tokenizer kind is missing or not a string");
  const std::string kind = j["kind"].get<std::string>();
  o.kind = parse_tokenizer_kind(kind, "tokenizer kind");

  for (const auto& [key, field] : {std::pair<const char*, bool*>{"lowercase", &o.lowercase},
                                    {"replace_invalid", &o.replace_invalid},
                                    {"unknown_shapes", &o.unknown_shapes}}) {
    if (!j.contains(key)) continue;
    if (!j[key].is_boolean()) fail(std::string("tokenizer ") + key + " must be a boolean");
    *field = j[key].get<bool>();
  }
  if (j.contains("min_count")) {
    const auto& m = j["min_count"];
    if (!m.is_number_integer() || m.get<int64_t>() < 1 || m.get<int64_t>() > INT32_MAX)
      fail("tokenizer min_count must be an integer >= 1 (got " + m.dump() + ")");
    o.min_count = static_cast<int>(m.get<int64_t>());
  }

  if (j.contains("eos")) {
    const auto& e = j["eos"];
    if (!e.is_string() || e.get<std::string>().empty()) fail("tokenizer eos must be a non-empty string (got " + e.dump() + ")");
    if (o.kind != TokenizerKind::Whitespace) fail("tokenizer eos is for kind 'whitespace' (got '" + kind + "')");
    o.eos = e.get<std::string>();
    if (validate_utf8(o.eos)) fail("tokenizer eos is not valid UTF-8");
    const std::u32string cps = decode_utf8(o.eos);
    if (std::any_of(cps.begin(), cps.end(), is_space)) fail("tokenizer eos \"" + o.eos + "\" contains whitespace");
  }
  if (!j.contains("vocab") || !j["vocab"].is_array()) fail("tokenizer vocab is missing or not an array");
  const auto& vocab = j["vocab"];
  if (vocab.empty()) fail("tokenizer vocab is empty");
  for (size_t i = 0; i < vocab.size(); ++i) {
    const std::string where = "tokenizer vocab[" + std::to_string(i) + "]";
    if (!vocab[i].is_string()) fail(where + " is not a string (got " + vocab[i].dump() + ")");
    std::string tok = vocab[i].get<std::string>();
    if (tok.empty()) fail(where + " is an empty string");
    if (auto bad = validate_utf8(tok)) fail(where + " is not valid UTF-8 (byte " + std::to_string(*bad) + ")");
    if (tok != kUnkToken) {
      const std::u32string cps = decode_utf8(tok);
      if (o.kind == TokenizerKind::Char && cps.size() != 1)
        fail(where + " " + in_quotes(tok) + " is not a single character");
      if (o.kind != TokenizerKind::Char && std::any_of(cps.begin(), cps.end(), is_space))
        fail(where + " " + in_quotes(tok) + " contains whitespace");
    }
    const int32_t id = t.vocab.add(tok);
    if (id != static_cast<int32_t>(i))
      fail("tokenizer vocab has duplicate token " + in_quotes(tok) + " (ids " + std::to_string(id) + " and " +
           std::to_string(i) + ")");
  }
  t.unk = t.id_of(kUnkToken);
  if (o.min_count > 1 && t.unk != 0) fail("tokenizer vocab must start with \"<unk>\" when min_count > 1");
  check_options(o);
  return t;
}

}  // namespace rnn
