// The error type every part of the core throws: its message names the field or problem, and the
// front ends (JS API, CLI, page) show it as it is.
#pragma once
#include <stdexcept>
#include <string>

namespace rnn {

struct Error : std::runtime_error {
  using std::runtime_error::runtime_error;
};
[[noreturn]] inline void fail(const std::string& msg) { throw Error(msg); }

}  // namespace rnn
