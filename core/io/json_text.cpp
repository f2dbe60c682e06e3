#include "io/json_text.h"

#include "common.h"

namespace rnn {

// Tracks string literals so brackets inside them do not count. Invalid JSON needs no care: the
// parser stops at its first error, before building anything deeper than this scan saw.
void check_json_depth(const char* p, size_t n, const std::string& what) {
  int depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < n; ++i) {
    const char c = p[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > kMaxJsonDepth)
        fail(what + " nests deeper than " + std::to_string(kMaxJsonDepth) + " levels (the JSON nesting limit)");
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
}

nlohmann::json parse_json_text(std::string_view text, const std::string& what,
                               const nlohmann::json::parser_callback_t& callback) {
  check_json_depth(text.data(), text.size(), what);
  return nlohmann::json::parse(text.begin(), text.end(), callback, false);
}

}  // namespace rnn
