// Strict UTF-8 decoding and encoding. Corpora and prime text arrive as UTF-8 bytes; the
// tokenizers work on Unicode code points so that a character is never split mid-sequence.
#pragma once
#include <cstddef>
#include <optional>
#include <string>

namespace rnn {

// Byte offset of the first invalid UTF-8 sequence, or nullopt when `s` is valid.
// Invalid means: bad lead byte, stray continuation byte, truncated sequence, overlong
// encoding, a surrogate (U+D800..U+DFFF) or a value above U+10FFFF.
std::optional<size_t> validate_utf8(const std::string& s);

// Decode to code points. Strict mode throws rnn::Error("invalid UTF-8 at byte N (reason)"),
// N being the offset where the bad sequence starts. With replace_invalid each maximal
// invalid subpart becomes one U+FFFD (the Unicode / WHATWG convention), so e.g. a truncated
// 3-byte sequence gives one U+FFFD and a lone 0xFF byte gives one.
std::u32string decode_utf8(const std::string& s, bool replace_invalid = false);
// The code point at byte i of s (i < s.size()), moving i past it; invalid sequences as decode_utf8.
// For walking a text without holding its code points (a corpus of hundreds of MB).
char32_t next_code_point(const std::string& s, size_t& i, bool replace_invalid = false);

// Encode code points; a surrogate or a value above U+10FFFF throws rnn::Error.
std::string encode_utf8(const std::u32string& cps);
void append_utf8(std::string& out, char32_t cp);

}  // namespace rnn
