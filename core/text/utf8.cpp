#include "text/utf8.h"

#include <cstdint>
#include <cstdio>

#include "common.h"

namespace rnn {

namespace {

// Result of reading one sequence at a position: the code point, how many bytes were
// consumed, and (if invalid) why. For an invalid sequence `len` is the length of the
// maximal invalid subpart, i.e. how far to skip before resynchronising.
struct Step {
  char32_t cp = 0;
  size_t len = 1;
  const char* error = nullptr;
};

Step read_one(const std::string& s, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<uint8_t>(s[k]); };
  const uint8_t b0 = byte(i);
  if (b0 < 0x80) return {b0, 1, nullptr};
  if (b0 < 0xC2) return {0, 1, b0 < 0xC0 ? "unexpected continuation byte" : "overlong encoding"};
  if (b0 > 0xF4) return {0, 1, "bad lead byte"};

  size_t need;
  char32_t cp;
  // The second byte's allowed range rules out overlongs, surrogates and values > U+10FFFF
  // in one check (Unicode Table 3-7, "well-formed UTF-8 byte sequences").
  uint8_t lo = 0x80, hi = 0xBF;
  const char* narrow_error = nullptr;
  if (b0 < 0xE0) {
    need = 1, cp = b0 & 0x1F;
  } else if (b0 < 0xF0) {
    need = 2, cp = b0 & 0x0F;
    if (b0 == 0xE0) lo = 0xA0, narrow_error = "overlong encoding";
    if (b0 == 0xED) hi = 0x9F, narrow_error = "surrogate code point";
  } else {
    need = 3, cp = b0 & 0x07;
    if (b0 == 0xF0) lo = 0x90, narrow_error = "overlong encoding";
    if (b0 == 0xF4) hi = 0x8F, narrow_error = "code point above U+10FFFF";
  }
  for (size_t k = 1; k <= need; ++k) {
    if (i + k >= s.size()) return {0, k, "truncated sequence"};
    const uint8_t b = byte(i + k);
    const bool ok = k == 1 ? (b >= lo && b <= hi) : (b >= 0x80 && b <= 0xBF);
    if (!ok) {
      const bool is_cont = b >= 0x80 && b <= 0xBF;
      return {0, k, (k == 1 && is_cont && narrow_error) ? narrow_error : "truncated sequence"};
    }
    cp = (cp << 6) | (b & 0x3F);
  }
  return {cp, need + 1, nullptr};
}

}  // namespace

std::optional<size_t> validate_utf8(const std::string& s) {
  for (size_t i = 0; i < s.size();) {
    if (static_cast<uint8_t>(s[i]) < 0x80) {  // ASCII fast path
      ++i;
      continue;
    }
    Step st = read_one(s, i);
    if (st.error) return i;
    i += st.len;
  }
  return std::nullopt;
}

char32_t next_code_point(const std::string& s, size_t& i, bool replace_invalid) {
  if (static_cast<uint8_t>(s[i]) < 0x80) return static_cast<char32_t>(s[i++]);
  const Step st = read_one(s, i);
  if (st.error && !replace_invalid) fail("invalid UTF-8 at byte " + std::to_string(i) + " (" + st.error + ")");
  i += st.len;
  return st.error ? U'\uFFFD' : st.cp;
}

std::u32string decode_utf8(const std::string& s, bool replace_invalid) {
  std::u32string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) out.push_back(next_code_point(s, i, replace_invalid));
  return out;
}

void append_utf8(std::string& out, char32_t cp) {
  if ((cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "U+%04X", static_cast<unsigned>(cp));
    fail(std::string("cannot encode ") + buf + " as UTF-8 (surrogate or above U+10FFFF)");
  }
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

std::string encode_utf8(const std::u32string& cps) {
  std::string out;
  out.reserve(cps.size());
  for (char32_t cp : cps) append_utf8(out, cp);
  return out;
}

}  // namespace rnn
