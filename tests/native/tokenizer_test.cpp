// Tests for core/utf8 and core/tokenizer, on small strings and on the shared corpora.
#include <gtest/gtest.h>

#include <functional>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "common.h"
#include "data_path.h"
#include "rng.h"
#include "test_util.h"
#include "text/tokenizer.h"
#include "text/utf8.h"
#include "text/word_shape.h"

using namespace rnn;
using rnn::test::error_of;

namespace {

std::vector<std::string> split_lines(const std::string& s) {
  std::vector<std::string> lines;
  size_t start = 0;
  for (size_t i = 0; i <= s.size(); ++i)
    if (i == s.size() || s[i] == '\n') {
      lines.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  return lines;
}

// The normalised form the word detokenizer should reproduce from one original line, written
// as string rewrites (independent of the tokenizer's state machine):
//   lower-case (ASCII and Latin-1, all this corpus needs); "--" -> " -- "; spaces around every
//   one of . , ; ! ? ( ) "; collapse whitespace and trim (now: tokens joined by one space);
//   drop the space before . , ; ! ? ) and after (; then quotation marks alternate along the
//   line: drop the space after an opening one and before a closing one.
std::string normalise_line(const std::string& line) {
  std::u32string cps = decode_utf8(line);
  for (auto& c : cps)
    if ((c >= 'A' && c <= 'Z') || (c >= 0xC0 && c <= 0xDE && c != 0xD7)) c += 32;
  std::string s = encode_utf8(cps);
  s = std::regex_replace(s, std::regex("--"), " -- ");
  s = std::regex_replace(s, std::regex("([.,;!?()\"])"), " $1 ");
  s = std::regex_replace(s, std::regex("\\s+"), " ");
  s = std::regex_replace(s, std::regex("^ | $"), "");
  s = std::regex_replace(s, std::regex(" ([.,;!?)])"), "$1");
  s = std::regex_replace(s, std::regex("\\( "), "(");
  std::string out;
  bool open = false;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '"') {
      out += s[i];
      continue;
    }
    if (!open && i + 1 < s.size() && s[i + 1] == ' ') {  // opening: glue to the next word
      out += '"';
      ++i;
    } else if (open && !out.empty() && out.back() == ' ') {  // closing: glue to the previous word
      out.back() = '"';
    } else {
      out += '"';
    }
    open = !open;
  }
  return out;
}


TokenizerOptions word_options(int min_count = 1, bool lowercase = true) {
  TokenizerOptions o;
  o.kind = TokenizerKind::Word;
  o.min_count = min_count;
  o.lowercase = lowercase;
  return o;
}

}  // namespace

// ---------------------------------------------------------------- UTF-8

TEST(Utf8, DecodesAndEncodesAllLengths) {
  const std::string s = "a\xC3\xA9\xE6\xB1\x89\xF0\x9F\x98\x80";  // a é 汉 😀
  const std::u32string cps = decode_utf8(s);
  EXPECT_EQ(cps, (std::u32string{U'a', U'\u00E9', U'\u6C49', U'\U0001F600'}));
  EXPECT_EQ(encode_utf8(cps), s);
  EXPECT_FALSE(validate_utf8(s).has_value());
  // Boundaries of each length.
  const std::u32string edges = {0x0, 0x7F, 0x80, 0x7FF, 0x800, 0xD7FF, 0xE000, 0xFFFF, 0x10000, 0x10FFFF};
  EXPECT_EQ(decode_utf8(encode_utf8(edges)), edges);
  EXPECT_EQ(encode_utf8(U"\u07FF"), "\xDF\xBF");
  EXPECT_EQ(encode_utf8(U"\U0010FFFF"), "\xF4\x8F\xBF\xBF");
}

TEST(Utf8, InvalidInputNamesTheByteOffset) {
  struct Case {
    std::string bytes;
    size_t offset;
  };
  const std::vector<Case> cases = {
      {"abc\xFF", 3},                   // bad lead byte
      {"ab\x80x", 2},                   // stray continuation byte
      {"hello \xE6\xB1", 6},            // truncated at the end
      {"x\xE6\xB1y", 1},                // truncated by an ASCII byte
      {"12\xC0\xAF", 2},                // overlong 2-byte '/'
      {"\xE0\x80\xAF", 0},              // overlong 3-byte
      {"ok\xF0\x82\x82\xAC", 2},        // overlong 4-byte
      {"\xE2\x82\xAC\xED\xA0\x80", 3},  // surrogate U+D800 after a valid euro sign
      {"\xF4\x90\x80\x80", 0},          // U+110000
      {"\xF8\x88\x80\x80\x80", 0},      // 5-byte form
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.offset);
    EXPECT_EQ(validate_utf8(c.bytes), std::optional<size_t>(c.offset));
    const std::string msg = error_of([&] { decode_utf8(c.bytes); });
    EXPECT_NE(msg.find("invalid UTF-8 at byte " + std::to_string(c.offset) + " "), std::string::npos) << msg;
  }
  // A realistic offset deep in a text.
  std::string text(1234, 'a');
  text += "\xC3(";
  EXPECT_EQ(error_of([&] { decode_utf8(text); }), "invalid UTF-8 at byte 1234 (truncated sequence)");
}

TEST(Utf8, ReplacementModeGivesOneReplacementCharPerInvalidSequence) {
  EXPECT_EQ(decode_utf8("a\xFF" "b", true), U"a\uFFFDb");
  EXPECT_EQ(decode_utf8("a\xE6\xB1", true), U"a\uFFFD");                // truncated 3-byte: one U+FFFD
  EXPECT_EQ(decode_utf8("\xED\xA0\x80z", true), U"\uFFFD\uFFFD\uFFFDz");  // surrogate: 3 (maximal subparts)
  EXPECT_EQ(decode_utf8("\xC0\xAF", true), U"\uFFFD\uFFFD");
  EXPECT_EQ(encode_utf8(decode_utf8("ok \xE6\xB1\x89 \xFE", true)), "ok \xE6\xB1\x89 \xEF\xBF\xBD");
}

TEST(Utf8, EncodeRejectsSurrogatesAndOutOfRange) {
  EXPECT_NE(error_of([] { encode_utf8(std::u32string(1, char32_t(0xD800))); }).find("U+D800"), std::string::npos);
  EXPECT_NE(error_of([] { encode_utf8(std::u32string(1, char32_t(0x110000))); }).find("U+110000"), std::string::npos);
}

// ---------------------------------------------------------------- char level

TEST(Tokenizer, CharLevelCjkAndEmojiRoundTrip) {
  const std::string s = "汉字テスト 😀👍🏽 ok";
  const Tokenizer t = Tokenizer::build(s, {});
  // Distinct code points: 汉 字 テ ス ト ' ' 😀 👍 🏽(skin tone modifier) o k.
  EXPECT_EQ(t.vocab_size(), 11);
  EXPECT_EQ(t.unk, -1);
  const auto ids = t.encode(s);
  EXPECT_EQ(ids.size(), 12u);
  EXPECT_EQ(t.decode(ids), s);
  EXPECT_EQ(t.vocab.entries()[0], " ");  // the only token seen twice
  for (const auto& tok : t.vocab.entries()) EXPECT_EQ(decode_utf8(tok).size(), 1u) << tok;
  // Char level never lower-cases, whatever the option says.
  EXPECT_EQ(Tokenizer::build("AbC", {}).vocab_size(), 3);
}

TEST(Tokenizer, CharLevelRoundTripsTinyShakespeareExactly) {
  RNN_REQUIRE_DATA(text, "tinyshakespeare.txt");
  ASSERT_EQ(text.size(), 1115394u);
  const Tokenizer t = Tokenizer::build(text, {});
  EXPECT_EQ(t.vocab_size(), 65);  // shared/data/README.md
  EXPECT_EQ(t.vocab.entries()[0], " ");
  const auto ids = t.encode(text);
  ASSERT_EQ(ids.size(), text.size());
  EXPECT_EQ(t.decode(ids), text);
}

TEST(Tokenizer, CharLevelSimpsonsHas92CodePoints) {
  RNN_REQUIRE_DATA(text, "simpsons_moes_tavern.txt");
  const Tokenizer t = Tokenizer::build(text, {});
  EXPECT_EQ(t.vocab_size(), 92);  // shared/data/README.md
  EXPECT_EQ(t.decode(t.encode(text)), text);
}

TEST(Tokenizer, CharLevelMinCountUsesUnk) {
  TokenizerOptions o;
  o.min_count = 2;
  const Tokenizer t = Tokenizer::build("aab", o);
  EXPECT_EQ(t.vocab.entries(), (std::vector<std::string>{"<unk>", "a"}));
  EXPECT_EQ(t.encode("aba"), (std::vector<int32_t>{1, 0, 1}));
  EXPECT_EQ(t.decode({1, 0}), "a\xEF\xBF\xBD");  // <unk> prints as U+FFFD at char level
}

// ---------------------------------------------------------------- word level

TEST(Tokenizer, TheTenPunctuationTokensExactly) {
  const Tokenizer t = Tokenizer::build("x", word_options());
  EXPECT_EQ(t.split(". , \" ; ! ? ( ) -- \n"),
            (std::vector<std::string>{"||Period||", "||Comma||", "||QuotationMark||", "||Semicolon||",
                                      "||Exclamationmark||", "||Questionmark||", "||LeftParentheses||",
                                      "||RightParentheses||", "||Dash||", "||Return||"}));
  // Glued punctuation, ':' and single '-' stay inside words, "---" is Dash then "-".
  EXPECT_EQ(t.split("Moe_Szyslak: Hey,HOMER!(well-known)---so"),
            (std::vector<std::string>{"moe_szyslak:", "hey", "||Comma||", "homer", "||Exclamationmark||",
                                      "||LeftParentheses||", "well-known", "||RightParentheses||", "||Dash||",
                                      "-so"}));
  EXPECT_EQ(t.split("a\r\nb\t\xC2\xA0" "c"), (std::vector<std::string>{"a", "||Return||", "b", "c"}));  // NBSP splits
  EXPECT_EQ(t.split("ÀÉ Straße ΑΒΓ ДЖ"), (std::vector<std::string>{"àé", "straße", "αβγ", "дж"}));
  EXPECT_EQ(Tokenizer::build("x", word_options(1, false)).split("Hey YOU."),
            (std::vector<std::string>{"Hey", "YOU", "||Period||"}));
}

TEST(Tokenizer, DetokenizesNaturally) {
  const std::string line = "moe_szyslak: hey, homer!";
  const Tokenizer t = Tokenizer::build(line + " moe_szyslak :", word_options());
  EXPECT_EQ(t.split(line), (std::vector<std::string>{"moe_szyslak:", "hey", "||Comma||", "homer", "||Exclamationmark||"}));
  EXPECT_EQ(t.decode(t.encode(line)), "moe_szyslak: hey, homer!");
  EXPECT_EQ(t.decode(t.encode("Moe_Szyslak :  Hey ,homer !")), "moe_szyslak : hey, homer!");

  const std::string text =
      "Homer_Simpson: (SADLY) Oh... I--I don't know; \"Flaming Moe\" is mine!\n"
      "\n"
      "Moe_Szyslak: He said, \"Who?\" (( \"x\" )) -- ( Fine ) .\n"
      "Lisa: \"unclosed\n"
      "Bart: \"new line\" resets";
  const Tokenizer w = Tokenizer::build(text, word_options());
  EXPECT_EQ(w.decode(w.encode(text)),
            "homer_simpson: (sadly) oh... i -- i don't know; \"flaming moe\" is mine!\n"
            "\n"
            "moe_szyslak: he said, \"who?\" ((\"x\")) -- (fine).\n"
            "lisa: \"unclosed\n"
            "bart: \"new line\" resets");
}

TEST(Tokenizer, StreamingPiecesConcatenateToDecode) {
  const std::string text = test::brown_prose(400000);
  for (TokenizerKind kind : {TokenizerKind::Word, TokenizerKind::Char}) {
    TokenizerOptions o;
    o.kind = kind;
    const Tokenizer t = Tokenizer::build(text, o);
    const auto ids = t.encode(text.substr(0, 20000));
    std::string streamed;
    DetokState st;
    for (int32_t id : ids) streamed += t.piece(id, st);
    EXPECT_EQ(streamed, t.decode(ids));
  }
  // Also on arbitrary (model-like) sequences, quotes and returns included.
  const Tokenizer t = Tokenizer::build("a \" ( ) . -- \n b", word_options());
  Rng rng(7);
  std::vector<int32_t> ids;
  for (int i = 0; i < 2000; ++i) ids.push_back(static_cast<int32_t>(rng.below(t.vocab_size())));
  std::string streamed;
  DetokState st;
  for (int32_t id : ids) streamed += t.piece(id, st);
  EXPECT_EQ(streamed, t.decode(ids));
  EXPECT_NE(error_of([&] { t.decode({t.vocab_size()}); }).find("out of range"), std::string::npos);
}

TEST(Tokenizer, WordLevelRoundTripOnSimpsons) {
  RNN_REQUIRE_DATA(text, "simpsons_moes_tavern.txt");
  ASSERT_EQ(text.size(), 305284u);
  const Tokenizer t = Tokenizer::build(text, word_options());
  UnknownReport rep;
  const auto ids = t.encode(text, &rep);
  EXPECT_EQ(rep.total(), 0u);
  const std::string detok = t.decode(ids);

  // 1. Re-tokenizing the detokenized text gives the same token sequence.
  EXPECT_EQ(t.encode(detok), ids);

  // 2. Line by line, the detokenized text equals the normalised original, for every line.
  const auto orig = split_lines(text), got = split_lines(detok);
  ASSERT_EQ(got.size(), orig.size());
  ASSERT_EQ(orig.size(), 4520u);
  size_t mismatches = 0;
  for (size_t i = 0; i < orig.size(); ++i) {
    const std::string want = normalise_line(orig[i]);
    if (got[i] != want && ++mismatches <= 5)
      ADD_FAILURE() << "line " << i + 1 << "\n  original:   " << orig[i] << "\n  normalised: " << want
                    << "\n  detok:      " << got[i];
  }
  EXPECT_EQ(mismatches, 0u);
  // Spot checks that the normaliser itself does what it says.
  EXPECT_EQ(got[2], "moe_szyslak: (into phone) moe's tavern. where the elite meet to drink.");
  EXPECT_EQ(normalise_line("A \"Flaming Homer\". ( x ) --y"), "a \"flaming homer\". (x) -- y");
}

TEST(Tokenizer, MatchesThePythonRecipeCounts) {
  // Numbers from the recipe in Python (text[81:] skips the copyright line; the ten
  // replacements; text.lower().split()): 69100 tokens, 6779 distinct.
  RNN_REQUIRE_DATA(text, "simpsons_moes_tavern.txt");
  const std::string prefix = "reserved.\n\n";
  ASSERT_EQ(text.compare(82 - prefix.size(), prefix.size(), prefix), 0);  // 81 chars = 82 bytes (©)
  const Tokenizer t = Tokenizer::build(text.substr(82), word_options());
  EXPECT_EQ(t.split(text.substr(82)).size(), 69100u);
  EXPECT_EQ(t.vocab_size(), 6779);
  // Python's top tokens by count: period 6024, return 4517, comma 3574, ...
  EXPECT_EQ(std::vector<std::string>(t.vocab.entries().begin(), t.vocab.entries().begin() + 6),
            (std::vector<std::string>{"||Period||", "||Return||", "||Comma||", "||LeftParentheses||",
                                      "||RightParentheses||", "the"}));
}

// Speed is measured by tests/bench (kernels_bench), not asserted here.
TEST(Tokenizer, SeinfeldWordLevelMatchesTheRecipe) {
  RNN_REQUIRE_DATA(text, "seinfeld_scripts.txt");
  ASSERT_EQ(text.size(), 3471475u);
  const Tokenizer t = Tokenizer::build(text, word_options());
  const auto ids = t.encode(text);
  // Python recipe on the whole file: 885656 tokens, 22554 distinct.
  EXPECT_EQ(ids.size(), 885656u);
  EXPECT_EQ(t.vocab_size(), 22554);
}

TEST(Tokenizer, DeterministicIdsByFrequencyThenBytes) {
  // counts: b 3, a 3, B 2, c 1, é 1 -> ties broken byte-wise ("B" < "a" < "b"; "c" < "é").
  const std::string text = "é c b a B b a B a b";
  const Tokenizer t = Tokenizer::build(text, word_options(1, false));
  EXPECT_EQ(t.vocab.entries(), (std::vector<std::string>{"a", "b", "B", "c", "é"}));
  for (int32_t i = 0; i < t.vocab_size(); ++i) EXPECT_EQ(t.id_of(t.vocab.entries()[i]), i);
  // Same corpus (any build) -> same ids.
  EXPECT_EQ(Tokenizer::build(text, word_options(1, false)).vocab.entries(), t.vocab.entries());
  EXPECT_EQ(Tokenizer::build(text, word_options()).vocab.entries(),
            (std::vector<std::string>{"b", "a", "c", "é"}));  // lower-cased: b 5, a 3
}

TEST(Tokenizer, MinCountMapsRareWordsToUnk) {
  const std::string text = "the cat saw the dog . the dog ran .";
  const Tokenizer t = Tokenizer::build(text, word_options(2));
  // "dog" and "||Period||" both occur twice: 'd' < '|' byte-wise.
  EXPECT_EQ(t.vocab.entries(), (std::vector<std::string>{"<unk>", "the", "dog", "||Period||"}));
  EXPECT_EQ(t.unk, 0);
  EXPECT_EQ(t.encode("the cat ran"), (std::vector<int32_t>{1, 0, 0}));
  EXPECT_EQ(t.decode({1, 0, 3}), "the <unk>.");
  // min_count 1: no <unk> at all; <unk> still present with min_count 2 even if nothing is rare.
  EXPECT_EQ(Tokenizer::build(text, word_options(1)).unk, -1);
  EXPECT_EQ(Tokenizer::build("a a b b", word_options(2)).vocab.entries(), (std::vector<std::string>{"<unk>", "a", "b"}));
  EXPECT_EQ(error_of([&] { Tokenizer::build(text, word_options(0)); }), "min_count must be >= 1 (got 0)");
}

TEST(Tokenizer, EncodeReportsUnknownPrimeTokens) {
  const Tokenizer no_unk = Tokenizer::build("moe_szyslak: hey homer.", word_options());
  UnknownReport r;
  const auto ids = no_unk.encode("Moe_Szyslak: hey Barney, hey Lenny, hey Barney!", &r);
  EXPECT_EQ(no_unk.decode(ids), "moe_szyslak: hey hey hey");
  EXPECT_EQ(r.skipped, 6u);
  EXPECT_EQ(r.replaced, 0u);
  EXPECT_EQ(r.examples, (std::vector<std::string>{"barney", "||Comma||", "lenny", "||Exclamationmark||"}));

  const Tokenizer with_unk = Tokenizer::build("a a b b", word_options(2));
  UnknownReport r2;
  EXPECT_EQ(with_unk.encode("a z b y z", &r2), (std::vector<int32_t>{1, 0, 2, 0, 0}));
  EXPECT_EQ(r2.replaced, 3u);
  EXPECT_EQ(r2.examples, (std::vector<std::string>{"z", "y"}));

  // Prime text with invalid UTF-8 never throws: U+FFFD is then unknown like anything else.
  UnknownReport r3;
  EXPECT_EQ(no_unk.encode("hey \xFF", &r3).size(), 1u);
  EXPECT_EQ(r3.examples, (std::vector<std::string>{"\xEF\xBF\xBD"}));
  EXPECT_TRUE(no_unk.encode("").empty());
  for (int i = 0; i < 20; ++i) no_unk.encode("w" + std::to_string(i), &r3);
  EXPECT_EQ(r3.examples.size(), UnknownReport::kMaxExamples);
}

TEST(Tokenizer, BuildRejectsEmptyCorpusAndInvalidUtf8) {
  EXPECT_NE(error_of([] { Tokenizer::build("", {}); }).find("corpus is empty"), std::string::npos);
  EXPECT_NE(error_of([] { Tokenizer::build(" \t ", word_options()); }).find("corpus is empty"), std::string::npos);
  std::string bad = "fine text\n";
  bad += "\xE2\x82";  // truncated euro sign at byte 10
  EXPECT_EQ(error_of([&] { Tokenizer::build(bad, word_options()); }), "invalid UTF-8 at byte 10 (truncated sequence)");
  TokenizerOptions o = word_options();
  o.replace_invalid = true;
  EXPECT_EQ(Tokenizer::build(bad, o).split(bad).back(), "\xEF\xBF\xBD");
}

TEST(Tokenizer, JsonRoundTrip) {
  const std::string text = test::brown_prose(400000);
  for (int min_count : {1, 3}) {
    const Tokenizer t = Tokenizer::build(text, word_options(min_count));
    const nlohmann::json j = nlohmann::json::parse(t.to_json().dump());
    EXPECT_EQ(j["kind"], "word");
    EXPECT_EQ(j["min_count"], min_count);
    const Tokenizer u = Tokenizer::from_json(j);
    EXPECT_EQ(u.vocab.entries(), t.vocab.entries());
    EXPECT_EQ(u.unk, t.unk);
    EXPECT_EQ(u.options.kind, TokenizerKind::Word);
    EXPECT_EQ(u.options.lowercase, true);
    EXPECT_EQ(u.options.min_count, min_count);
    const std::string sample = text.substr(0, 3000);
    EXPECT_EQ(u.encode(sample), t.encode(sample));
    EXPECT_EQ(u.decode(u.encode(sample)), t.decode(t.encode(sample)));
  }
  const Tokenizer c = Tokenizer::build("汉字 ok\n", {});
  const Tokenizer d = Tokenizer::from_json(nlohmann::json::parse(c.to_json().dump()));
  EXPECT_EQ(d.options.kind, TokenizerKind::Char);
  EXPECT_EQ(d.vocab.entries(), c.vocab.entries());
  EXPECT_EQ(d.decode(d.encode("ok 汉字")), "ok 汉字");
}

TEST(Tokenizer, FromJsonRejectsBadInput) {
  using nlohmann::json;
  const json good = Tokenizer::build("a b c", word_options()).to_json();
  const auto with = [&](const char* key, json value) {
    json j = good;
    j[key] = std::move(value);
    return error_of([&] { Tokenizer::from_json(j); });
  };
  EXPECT_EQ(error_of([] { Tokenizer::from_json(json::array()); }), "tokenizer JSON must be an object");
  EXPECT_EQ(with("kind", "bpe"), "tokenizer kind must be 'char', 'word' or 'whitespace' (got 'bpe')");
  EXPECT_EQ(with("kind", 3), "tokenizer kind is missing or not a string");
  EXPECT_EQ(with("vocab", json::array({"a", "b", "a"})), "tokenizer vocab has duplicate token \"a\" (ids 0 and 2)");
  EXPECT_EQ(with("vocab", json::array({"a", 5})), "tokenizer vocab[1] is not a string (got 5)");
  EXPECT_EQ(with("vocab", json::array({"a", ""})), "tokenizer vocab[1] is an empty string");
  EXPECT_EQ(with("vocab", json::array({"a b"})), "tokenizer vocab[0] \"a b\" contains whitespace");
  EXPECT_EQ(with("vocab", json::array()), "tokenizer vocab is empty");
  EXPECT_EQ(with("vocab", "abc"), "tokenizer vocab is missing or not an array");
  EXPECT_EQ(with("lowercase", "yes"), "tokenizer lowercase must be a boolean");
  EXPECT_EQ(with("min_count", 0), "tokenizer min_count must be an integer >= 1 (got 0)");
  EXPECT_EQ(with("min_count", 2), "tokenizer vocab must start with \"<unk>\" when min_count > 1");
  json c = Tokenizer::build("ab", {}).to_json();
  c["vocab"] = json::array({"a", "bc"});
  EXPECT_EQ(error_of([&] { Tokenizer::from_json(c); }), "tokenizer vocab[1] \"bc\" is not a single character");
  json j = good;
  j.erase("vocab");
  EXPECT_EQ(error_of([&] { Tokenizer::from_json(j); }), "tokenizer vocab is missing or not an array");
}

TEST(Vocabulary, AddsOnceAndLooksUpBothWays) {
  Vocabulary v;
  EXPECT_EQ(v.add("NOUN"), 0);
  EXPECT_EQ(v.add("VERB"), 1);
  EXPECT_EQ(v.add("NOUN"), 0) << "an existing entry keeps its id";
  EXPECT_EQ(v.size(), 2);
  EXPECT_EQ(v.id_of("VERB"), 1);
  EXPECT_EQ(v.id_of("ADJ"), -1);
  EXPECT_EQ(v.at(1), "VERB");
  EXPECT_EQ(error_of([&] { v.at(2); }), "id 2 is outside the vocabulary of 2");
  const Vocabulary f = Vocabulary::by_frequency({{"b", 2}, {"a", 2}, {"c", 5}, {"d", 1}}, 2, "<unk>");
  EXPECT_EQ(f.entries(), (std::vector<std::string>{"<unk>", "c", "a", "b"}));
}

TEST(Tokenizer, WhitespaceTokensAreTheSpaceSeparatedStrings) {
  TokenizerOptions o;
  o.kind = TokenizerKind::Whitespace;
  o.lowercase = false;
  const Tokenizer t = Tokenizer::build("Mr. Smith's dog , u.s.\nran\t-- fast .", o);
  EXPECT_EQ(t.split("Mr. Smith's  dog\n"), (std::vector<std::string>{"Mr.", "Smith's", "dog"}));
  EXPECT_EQ(t.decode(t.encode("u.s. dog ran")), "u.s. dog ran");
  EXPECT_EQ(t.vocab_size(), 9);
  const Tokenizer u = Tokenizer::from_json(nlohmann::json::parse(t.to_json().dump()));
  EXPECT_EQ(u.options.kind, TokenizerKind::Whitespace);
  EXPECT_EQ(u.vocab.entries(), t.vocab.entries());
}

TEST(WordShape, SignaturesOfCapitalisationDigitsHyphensAndSuffixes) {
  EXPECT_EQ(word_shape("Walking"), "<unk:Cing>");
  EXPECT_EQ(word_shape("NATO"), "<unk:A>");
  EXPECT_EQ(word_shape("I"), "<unk:C>");  // one capital is a capitalised word, not an acronym
  EXPECT_EQ(word_shape("1960"), "<unk:od>");  // a digit is not a letter: "other", then d
  EXPECT_EQ(word_shape("3.14"), "<unk:od>");
  EXPECT_EQ(word_shape("B-52s"), "<unk:Cdx>");
  EXPECT_EQ(word_shape("well-known"), "<unk:l->");
  EXPECT_EQ(word_shape("anti-Communist"), "<unk:l-ist>");
  EXPECT_EQ(word_shape("quickly"), "<unk:lly>");
  EXPECT_EQ(word_shape("ability"), "<unk:lity>");  // the longer suffix, not "y"
  EXPECT_EQ(word_shape("nations"), "<unk:ls>");
  EXPECT_EQ(word_shape("Kennedy's"), "<unk:C's>");
  EXPECT_EQ(word_shape("boys'"), "<unk:ls'>");
  EXPECT_EQ(word_shape("happiness"), "<unk:lness>");
  EXPECT_EQ(word_shape("Über"), "<unk:oer>");  // other scripts: 'o', suffixes still read in ASCII
  EXPECT_EQ(word_shape(""), "<unk:o>");
}

TEST(Tokenizer, UnknownShapesKeepTheShapeOfRareAndUnknownWords) {
  TokenizerOptions o;
  o.kind = TokenizerKind::Whitespace;
  o.lowercase = false;
  o.min_count = 2;
  o.unknown_shapes = true;
  // "the" ×3, "runs" ×2; rare: Walking, Talking (→ <unk:Cing> ×2), quickly, badly (→ <unk:lly> ×2),
  // 1960 (→ <unk:od> ×1: itself rare, so left out like any token below the minimum count).
  const std::string text = "the runs the Walking runs the Talking quickly 1960 badly";
  const Tokenizer t = Tokenizer::build(text, o);
  EXPECT_EQ(t.vocab.entries(), (std::vector<std::string>{"<unk>", "the", "<unk:Cing>", "<unk:lly>", "runs"}));
  // Rare training words and unseen words read as their shape; a shape not kept reads as <unk>.
  EXPECT_EQ(t.encode("Singing the slowly 2026 NATO runs"), (std::vector<int32_t>{2, 1, 3, 0, 0, 4}));
  EXPECT_EQ(t.encode("Walking"), (std::vector<int32_t>{2}));
  EXPECT_EQ(t.lookup("Jumping"), 2);
  EXPECT_EQ(t.lookup("runs"), 4);
  EXPECT_EQ(t.lookup("ZZZ"), 0);
  UnknownReport r;
  t.encode("Singing the", &r);
  EXPECT_EQ(r.replaced, 1u);

  // Saved and loaded with the vocabulary; the flag is written only when set.
  const Tokenizer back = Tokenizer::from_json(t.to_json());
  EXPECT_TRUE(back.options.unknown_shapes);
  EXPECT_EQ(back.encode("Singing the slowly 2026 NATO runs"), t.encode("Singing the slowly 2026 NATO runs"));
  o.unknown_shapes = false;
  const Tokenizer plain = Tokenizer::build(text, o);
  EXPECT_FALSE(plain.to_json().contains("unknown_shapes"));
  EXPECT_EQ(plain.encode("Singing the"), (std::vector<int32_t>{0, 1}));
}

TEST(Tokenizer, UnknownShapesRefusedWhereTheyCannotWork) {
  TokenizerOptions o;
  o.unknown_shapes = true;
  o.min_count = 2;
  EXPECT_NE(error_of([&] { Tokenizer::build("abc", o); }).find("not 'char'"), std::string::npos);
  o.kind = TokenizerKind::Word;
  o.min_count = 1;
  EXPECT_NE(error_of([&] { Tokenizer::build("a b c", o); }).find("minimum count of at least 2"), std::string::npos);
  nlohmann::json j = {{"kind", "char"}, {"unknown_shapes", true}, {"vocab", {"a"}}};
  EXPECT_NE(error_of([&] { Tokenizer::from_json(j); }).find("not 'char'"), std::string::npos);
  j = {{"kind", "word"}, {"min_count", 2}, {"unknown_shapes", "yes"}, {"vocab", {"<unk>", "a"}}};
  EXPECT_NE(error_of([&] { Tokenizer::from_json(j); }).find("unknown_shapes must be a boolean"), std::string::npos);
}
