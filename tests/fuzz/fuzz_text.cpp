// Fuzz target: the UTF-8 decoder and the three tokenizers. The first byte picks the tokenizer and
// its options, the rest is the corpus. What must hold: valid UTF-8 decodes and re-encodes to the
// same bytes; a built vocabulary encodes its own corpus (char level: and decodes it back exactly)
// and survives its JSON form.
#include "fuzz_common.h"
#include "text/tokenizer.h"
#include "text/utf8.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t mode = data[0];
  return fuzz_guarded(data + 1, size - 1, [mode](const std::string& text) {
    const bool valid = !rnn::validate_utf8(text).has_value();
    const std::u32string cps = rnn::decode_utf8(text, true);
    if (valid) FUZZ_CHECK(rnn::encode_utf8(cps) == text);
    rnn::TokenizerOptions o;
    o.kind = (mode & 3) == 0 ? rnn::TokenizerKind::Char : (mode & 3) == 1 ? rnn::TokenizerKind::Word
                                                                          : rnn::TokenizerKind::Whitespace;
    o.lowercase = mode & 4;
    o.min_count = 1 + ((mode >> 3) & 3);
    o.replace_invalid = mode & 32;
    o.unknown_shapes = (mode & 64) && o.kind != rnn::TokenizerKind::Char && o.min_count > 1;
    if ((mode & 128) && o.kind == rnn::TokenizerKind::Whitespace) o.eos = "<eos>";
    const rnn::Tokenizer t = rnn::Tokenizer::build(text, o);
    const std::vector<int32_t> ids = t.encode(text);
    for (int32_t id : ids) FUZZ_CHECK(id >= 0 && id < t.vocab_size());
    const std::string back = t.decode(ids);
    if (o.kind == rnn::TokenizerKind::Char && o.min_count == 1 && valid) FUZZ_CHECK(back == text);
    const rnn::Tokenizer again = rnn::Tokenizer::from_json(t.to_json());
    FUZZ_CHECK(again.vocab_size() == t.vocab_size());
    FUZZ_CHECK(again.encode(text) == ids);
  });
}
