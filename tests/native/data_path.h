// Locates ../shared/data: the corpora are read in place, never copied into the repository.
#pragma once
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace rnn::test {

// Looks in $RNN_DATA_DIR, then relative to the working directory, then relative to this file.
inline std::string data_file(const std::string& name) {
  std::vector<std::string> dirs;
  if (const char* env = std::getenv("RNN_DATA_DIR")) dirs.push_back(env);
  for (const char* d : {"../shared/data", "../../shared/data", "../../../shared/data"}) dirs.push_back(d);
  std::string here = __FILE__;
  here = here.substr(0, here.find_last_of('/') + 1);  // ".../tests/native/"
  dirs.push_back(here + "../../../shared/data");
  std::string tried;
  for (const auto& d : dirs) {
    std::ifstream f(d + "/" + name, std::ios::binary);
    if (!f) {
      tried += "\n  " + d + "/" + name;
      continue;
    }
    std::ostringstream ss;
    ss << f.rdbuf();
    return ss.str();
  }
  ADD_FAILURE() << "corpus " << name << " not found (set RNN_DATA_DIR to the shared/data folder); tried:" << tried;
  throw std::runtime_error("missing corpus " + name);
}

}  // namespace rnn::test
