#include "text/word_shape.h"

#include <cstring>

namespace rnn {

namespace {

bool upper(char c) { return c >= 'A' && c <= 'Z'; }
bool lower(char c) { return c >= 'a' && c <= 'z'; }
bool digit(char c) { return c >= '0' && c <= '9'; }

bool ends_with(const std::string& s, const char* suffix) {
  const size_t n = std::strlen(suffix);
  return s.size() >= n && s.compare(s.size() - n, n, suffix) == 0;
}

}  // namespace

std::string word_shape(const std::string& w) {
  std::string sig;
  bool all_upper = w.size() > 1, has_digit = false, only_number = true;
  for (char c : w) {
    all_upper = all_upper && upper(c);
    has_digit = has_digit || digit(c);
    only_number = only_number && (digit(c) || std::strchr(".,:/-", c) != nullptr);
  }
  sig += all_upper ? 'A' : !w.empty() && upper(w[0]) ? 'C' : !w.empty() && lower(w[0]) ? 'l' : 'o';
  if (has_digit) return "<unk:" + sig + (only_number ? "d" : "dx") + ">";
  if (w.find('-') != std::string::npos) sig += '-';
  std::string low = w;
  for (char& c : low)
    if (upper(c)) c = char(c + 32);
  static const char* const kSuffixes[] = {"'s",   "s'",   "ing",  "ed",  "ly",  "tion", "ness", "ment",
                                          "able", "ible", "ous",  "ive", "al",  "er",   "est",  "ful",
                                          "less", "ist",  "ism",  "ity", "ic",  "ian",  "y",    "s"};
  for (const char* s : kSuffixes)
    if (ends_with(low, s)) {
      sig += s;
      break;
    }
  return "<unk:" + sig + ">";
}

}  // namespace rnn
