// Golden pins (tests/golden/, see its README): runs of each cell recorded by the code at commit
// fd0034d, before the core moved into sub-folders. The native build must reproduce its own
// recorded loss curves bit for bit (recorded per SIMD instruction set: on another one the kernels
// round differently, so those checks skip), and the checkpoints and model files that code wrote
// (in WebAssembly) must still load, resume and generate.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <sstream>

#include "decode/generate.h"
#include "kernels/kernels.h"
#include "kernels/threads.h"
#include "tasks/loaded_model.h"
#include "tasks/session.h"
#include "test_util.h"

using namespace rnn;
using nlohmann::json;

namespace {
std::string read(const std::string& name) {
  std::string dir = __FILE__;
  dir = dir.substr(0, dir.find_last_of('/') + 1) + "../golden/";
  std::ifstream f(dir + name, std::ios::binary);
  if (!f) throw std::runtime_error("missing golden file " + dir + name);
  std::ostringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

const json& spec() {
  static const json j = json::parse(read("options.json"));
  return j;
}
const json& native_pins() {
  static const json j = json::parse(read("native.json"));
  return j;
}
const json& wasm_pins() {
  static const json j = json::parse(read("wasm.json"));
  return j;
}
const std::string& text() {
  static const std::string t = read("corpus.txt");
  return t;
}
const std::vector<std::string>& cells() {
  static const auto c = spec()["cells"].get<std::vector<std::string>>();
  return c;
}
int64_t checkpoint_step() { return spec()["checkpointStep"]; }
std::string checkpoint_file(const std::string& cell) { return cell + ".step" + std::to_string(checkpoint_step()) + ".safetensors"; }

RunConfig config(const std::string& cell) {
  json options = spec()["options"];
  options["cell"] = cell;
  return parse_run_config(options);
}

Session resume(const std::string& checkpoint) {
  return Session(text(), reinterpret_cast<const uint8_t*>(checkpoint.data()), checkpoint.size());
}

// The byte pin of files the native code writes (make_native.cpp computes the same).
std::string fnv1a(const std::string& bytes) {
  uint64_t h = 14695981039346656037ull;
  for (unsigned char c : bytes) h = (h ^ c) * 1099511628211ull;
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", (unsigned long long)h);
  return hex;
}

// Doubles compare exactly; a mismatch prints both in full.
void expect_same(double actual, double pinned, const std::string& what) {
  char a[32], p[32];
  std::snprintf(a, sizeof a, "%.17g", actual);
  std::snprintf(p, sizeof p, "%.17g", pinned);
  EXPECT_EQ(actual, pinned) << what << ": " << a << ", pinned " << p;
}

// Steps s through the pinned steps [from, to), comparing every field exactly. Reports only the
// first step that differs, with all its fields (the steps after it differ too).
void expect_steps(Session& s, const json& pinned, size_t from, size_t to, const std::string& what) {
  bool reported = false;
  for (size_t i = from; i < to; ++i) {
    const json& p = pinned[i];
    const StepResult r = s.step();
    const json got = {{"epoch", r.epoch}, {"gradNorm", r.grad_norm}, {"learningRate", r.learning_rate},
                      {"loss", r.loss}, {"step", r.step}};
    if (!reported && (r.step != p["step"].get<int64_t>() || r.epoch != p["epoch"].get<int64_t>() || r.loss != p["loss"].get<double>() ||
        r.grad_norm != p["gradNorm"].get<double>() || r.learning_rate != p["learningRate"].get<float>())) {
      ADD_FAILURE() << what << ": step " << r.step << " differs from the pin\n  got    " << got.dump()
                    << "\n  pinned " << p.dump();
      reported = true;
    }
  }
}

void expect_evaluate(const EvalResult& e, const json& p, const std::string& what) {
  expect_same(e.loss, p["loss"], what + ", evaluate loss");
  expect_same(e.perplexity, p["perplexity"], what + ", evaluate perplexity");
  expect_same(e.bits_per_token, p["bitsPerToken"], what + ", evaluate bitsPerToken");
  EXPECT_EQ(e.tokens, p["tokens"].get<int64_t>()) << what;
}

std::string recorded_arch() { return native_pins()["simdArch"]; }
bool same_arch() { return recorded_arch() == kernels::simd_arch(); }
#define SKIP_UNLESS_RECORDED_ARCH()                                                                           \
  if (!same_arch())                                                                                           \
  GTEST_SKIP() << "native pins were recorded with simd_arch " << recorded_arch() << "; this build has " \
               << kernels::simd_arch() << ", whose kernels round differently"

struct ReferenceMode {
  ReferenceMode() { kernels::set_reference_mode(true); }
  ~ReferenceMode() { kernels::set_reference_mode(false); }
};
using test::ThreadCount;
}  // namespace

// A fresh run per cell, on 1 and 2 threads: losses, the checkpoint at step 25 (and resuming it),
// the model file after step 50 and evaluate() exactly as recorded.
TEST(Golden, NativeRunsMatchThePins) {
  SKIP_UNLESS_RECORDED_ARCH();
  const size_t at = (size_t)checkpoint_step();
  for (int threads : {1, 2}) {
    ThreadCount use(threads);
    for (const std::string& cell : cells()) {
      const std::string what = cell + ", " + std::to_string(threads) + " thread(s)";
      const json& pin = native_pins()["runs"][cell];
      const json& steps = pin["steps"];
      Session s(text(), config(cell));
      expect_steps(s, steps, 0, at, what);
      const std::string checkpoint = s.save_checkpoint();
      EXPECT_EQ(fnv1a(checkpoint), pin["checkpointFnv1a"].get<std::string>()) << what << ": checkpoint bytes";
      expect_steps(s, steps, at, steps.size(), what);
      EXPECT_EQ(fnv1a(s.save_model()), pin["modelFnv1a"].get<std::string>()) << what << ": model file bytes";
      expect_evaluate(s.evaluate(), pin["evaluate"], what);

      Session resumed = resume(checkpoint);
      expect_steps(resumed, steps, at, steps.size(), what + ", resumed from its checkpoint");
    }
  }
}

// The same runs through the scalar reference kernels (kernels::ref).
TEST(Golden, ReferencePathMatchesThePins) {
  SKIP_UNLESS_RECORDED_ARCH();
  ReferenceMode on;
  for (const std::string& cell : cells()) {
    const json& pin = native_pins()["reference"][cell];
    Session s(text(), config(cell));
    expect_steps(s, pin["steps"], 0, pin["steps"].size(), cell + " (reference path)");
    expect_evaluate(s.evaluate(), pin["evaluate"], cell + " (reference path)");
  }
}

// The checkpoints written at step 25 (by the WebAssembly build) resume: on any machine the losses
// stay within float rounding of the WebAssembly run's, and here exactly as recorded natively.
TEST(Golden, StoredCheckpointsResume) {
  ThreadCount one(1);  // any count gives the same results (checked above); one is quickest for these sizes
  const size_t at = (size_t)checkpoint_step();
  for (const std::string& cell : cells()) {
    Session s = resume(read(checkpoint_file(cell)));
    ASSERT_EQ(s.task->trainer.updates, (int64_t)at) << cell;
    const json& wasm_steps = wasm_pins()["runs"][cell]["steps"];
    for (size_t i = at; i < wasm_steps.size(); ++i) {
      const double loss = s.step().loss, expected = wasm_steps[i]["loss"];
      ASSERT_TRUE(std::isfinite(loss)) << cell << " step " << i + 1;
      EXPECT_NEAR(loss, expected, 1e-5 * expected) << cell << " step " << i + 1 << " (vs the WebAssembly run)";
    }
  }
  SKIP_UNLESS_RECORDED_ARCH() << " (the loose checks against the WebAssembly run above did run)";
  for (const std::string& cell : cells()) {
    const json& pin = native_pins()["runs"][cell]["fromWasmCheckpoint"];
    Session s = resume(read(checkpoint_file(cell)));
    expect_steps(s, pin["steps"], 0, pin["steps"].size(), cell + " resumed from the stored checkpoint");
    expect_evaluate(s.evaluate(), pin["evaluate"], cell + " resumed from the stored checkpoint");
  }
}

// The model files load, save back byte for byte, and generate the recorded text.
TEST(Golden, StoredModelFilesLoadAndGenerate) {
  for (const std::string& cell : cells()) {
    const std::string bytes = read(cell + ".model.safetensors");
    LoadedModel m(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
    EXPECT_TRUE(m.save() == bytes) << cell << ": a loaded model file saves back to other bytes";
  }
  SKIP_UNLESS_RECORDED_ARCH() << " (loading and saving back above did run)";
  for (const std::string& cell : cells()) {
    const std::string bytes = read(cell + ".model.safetensors");
    LoadedModel m(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
    EXPECT_EQ(generate(m.file.language_model(), m.file.tokenizer, parse_generate_options(spec()["generate"])),
              native_pins()["runs"][cell]["generatedFromWasmModel"].get<std::string>())
        << cell;
  }
}
