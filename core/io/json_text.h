// Every JSON text the core and its front ends parse goes through here (model-file header and
// metadata: config, model, tokenizer, labels, training; the JS API's options and examples; the
// tool's options), so one nesting limit guards them all. Real texts nest a few levels; hostile
// ones (100000 '[') would otherwise reach recursion in the JSON library or in code walking the
// value and overflow the stack — in wasm, "Maximum call stack size exceeded", a dead module.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace rnn {

constexpr int kMaxJsonDepth = 64;  // objects and arrays inside each other

// Throws rnn::Error "<what> nests deeper than 64 levels (the JSON nesting limit)" if the text's
// brackets (outside strings) go deeper than kMaxJsonDepth. Linear, allocates nothing.
void check_json_depth(const char* text, size_t size, const std::string& what);

// Parses `text` after check_json_depth. Not valid JSON: a value whose is_discarded() is true (the
// caller words that error); `callback` as nlohmann's parser callback (may throw).
nlohmann::json parse_json_text(std::string_view text, const std::string& what,
                               const nlohmann::json::parser_callback_t& callback = nullptr);

}  // namespace rnn
