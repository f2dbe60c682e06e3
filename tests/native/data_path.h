// Locates ../shared/data (the corpora are read in place, never copied into the repo).
#pragma once
#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

namespace rnn::test {

inline std::string data_file(const std::string& name) {
  std::vector<std::string> dirs;
  if (const char* env = std::getenv("RNN_DATA_DIR")) dirs.push_back(env);
  const std::string here = __FILE__;  // .../tests/native/data_path.h
  const std::string repo = here.substr(0, here.rfind("/tests/native/"));
  dirs.push_back(repo + "/../shared/data");
  dirs.push_back("../shared/data");
  dirs.push_back("../../shared/data");
  dirs.push_back("../../../shared/data");
  for (const auto& d : dirs) {
    std::ifstream f(d + "/" + name, std::ios::binary);
    if (f) {
      std::stringstream ss;
      ss << f.rdbuf();
      return ss.str();
    }
  }
  ADD_FAILURE() << "cannot find " << name << " in ../shared/data (set RNN_DATA_DIR)";
  return {};
}

}  // namespace rnn::test
