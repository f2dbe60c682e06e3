// One-off generator of tests/golden/native.json, run by make.mjs once, on the code at commit
// fd0034d, after it wrote options.json and the wasm-made .safetensors files. Do NOT regenerate the
// pins later: they are the proof that the code still behaves the same.
//   usage: golden_make_native <tests/golden folder>
// Native numbers depend on the SIMD kernels, so they are recorded under the simd_arch() they were
// made with; tests/native/golden_test.cpp compares them exactly (and skips on another arch).
#include <cmath>
#include <cstdio>
#include <fstream>
#include <functional>
#include <sstream>

#include "kernels/kernels.h"
#include "tasks/session.h"

using nlohmann::json;

namespace {
std::string dir;

std::string read(const std::string& name) {
  std::ifstream f(dir + "/" + name, std::ios::binary);
  if (!f) throw std::runtime_error("cannot read " + dir + "/" + name);
  std::ostringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// FNV-1a, 64 bits: a byte pin for the files native code writes (they are not stored).
std::string fnv1a(const std::string& bytes) {
  uint64_t h = 14695981039346656037ull;
  for (unsigned char c : bytes) h = (h ^ c) * 1099511628211ull;
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", (unsigned long long)h);
  return hex;
}

json step_json(const rnn::StepResult& r) {
  return {{"step", r.step}, {"epoch", r.epoch}, {"loss", r.loss}, {"gradNorm", r.grad_norm}, {"learningRate", r.learning_rate}};
}

json eval_json(const rnn::EvalResult& e) {
  return {{"loss", e.loss}, {"perplexity", e.perplexity}, {"bitsPerToken", e.bits_per_token}, {"tokens", e.tokens}};
}

json steps(rnn::Session& s, int64_t until, const std::function<void(int64_t)>& after = nullptr) {
  json out = json::array();
  while (s.trainer->step < until) {
    out.push_back(step_json(s.step()));
    if (after) after(s.trainer->step);
  }
  return out;
}
}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) return std::fprintf(stderr, "usage: golden_make_native <tests/golden folder>\n"), 2;
  dir = argv[1];
  const json spec = json::parse(read("options.json"));
  const std::string text = read("corpus.txt");
  const int64_t n = spec["steps"], at = spec["checkpointStep"];
  json out = {{"commit", spec["commit"]}, {"simdArch", rnn::kernels::simd_arch()}, {"runs", json::object()},
              {"reference", json::object()}};
  for (const std::string cell : spec["cells"]) {
    json options = spec["options"];
    options["cell"] = cell;
    const rnn::RunConfig config = rnn::parse_run_config(options);
    json& r = out["runs"][cell];

    rnn::Session s(text, config);  // a fresh run
    r["steps"] = steps(s, n, [&](int64_t step) {
      if (step == at) r["checkpointFnv1a"] = fnv1a(s.save_checkpoint());
    });
    r["modelFnv1a"] = fnv1a(s.save_model());
    r["evaluate"] = eval_json(s.evaluate());

    const std::string ckpt = read(cell + ".step" + std::to_string(at) + ".safetensors");  // written by wasm
    rnn::Session resumed(text, reinterpret_cast<const uint8_t*>(ckpt.data()), ckpt.size());
    r["fromWasmCheckpoint"]["steps"] = steps(resumed, n);
    r["fromWasmCheckpoint"]["evaluate"] = eval_json(resumed.evaluate());

    const std::string model = read(cell + ".model.safetensors");  // written by wasm
    rnn::LoadedModel m(reinterpret_cast<const uint8_t*>(model.data()), model.size());
    r["generatedFromWasmModel"] = rnn::generate(*m.file.model, m.file.tokenizer, rnn::parse_generate_options(spec["generate"]));

    rnn::kernels::set_reference_mode(true);  // the scalar reference kernels: a second pin
    rnn::Session ref(text, config);
    out["reference"][cell]["steps"] = steps(ref, n);
    out["reference"][cell]["evaluate"] = eval_json(ref.evaluate());
    rnn::kernels::set_reference_mode(false);
    std::printf("native %s (%s): loss %.4f -> %.4f\n", cell.c_str(), rnn::kernels::simd_arch(),
                (double)r["steps"][0]["loss"], (double)r["steps"][n - 1]["loss"]);
  }
  // nlohmann prints doubles so that they read back exactly (checked); make.mjs re-indents the file.
  const std::string text_out = out.dump(1);
  if (json::parse(text_out) != out) throw std::runtime_error("native.json would not read back exactly");
  std::ofstream(dir + "/native.json", std::ios::binary) << text_out << "\n";
  return 0;
}
