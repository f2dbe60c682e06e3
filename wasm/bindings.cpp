// Embind bindings of the core for the JS module (wasm/index.js wraps these; users never see them).
// Every entry point catches C++ exceptions and *returns* a JS Error, which the wrapper throws:
// letting exceptions cross into JS leaks memory on every throw in Emscripten 3.1.6.
// Large inputs (corpus text, model files) arrive as (pointer, length) into memory the wrapper
// malloc'ed, which is 5-10x faster than Embind's std::string conversion.
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <memory>
#include <string>

#include "common.h"
#include "decode/generate.h"
#include "kernels/kernels.h"
#include "kernels/threads.h"
#include "tasks/corpus.h"
#include "tasks/loaded_model.h"
#include "tasks/session.h"

using emscripten::val;
using nlohmann::json;

namespace {

val js_error(const char* msg) { return val::global("Error").new_(val(std::string(msg))); }

template <class F>
val guarded(F&& f) {
  try {
    return f();
  } catch (const std::bad_alloc&) {
    return js_error("out of memory: the model or batch is too large for this device; reduce hidden, layers, batchSize or seqLength");
  } catch (const std::exception& e) {
    return js_error(e.what());
  }
}

std::string take(uintptr_t ptr, size_t len) { return std::string(reinterpret_cast<const char*>(ptr), len); }

val json_val(const json& j) { return val::global("JSON").call<val>("parse", val(j.dump())); }

// Bytes handed to JS: a view on a buffer the object keeps until the next call; the wrapper copies it.
val bytes_view(const std::string& s) {
  return val(emscripten::typed_memory_view(s.size(), reinterpret_cast<const uint8_t*>(s.data())));
}

val step_val(const rnn::StepResult& r) {
  val o = val::object();
  o.set("step", (double)r.step);
  o.set("epoch", (double)r.epoch);
  o.set("loss", r.loss);
  o.set("gradNorm", r.grad_norm);
  o.set("learningRate", r.learning_rate);
  return o;
}

// A stream of generated text; keeps its model alive through the shared owner.
struct GeneratorHandle {
  std::shared_ptr<void> owner;
  std::unique_ptr<rnn::Generator> gen;
  val next() {
    return guarded([&] {
      std::string piece;
      if (!gen->next(piece)) return val::null();
      return val(piece);
    });
  }
};

struct SessionHandle {
  std::shared_ptr<rnn::Session> s;
  std::string buffer;
};

struct ModelHandle {
  std::shared_ptr<rnn::LoadedModel> m;
  std::string buffer;
};

val make_generator(std::shared_ptr<void> owner, rnn::LanguageModel& model, const rnn::Tokenizer& tok,
                   const std::string& options) {
  const json j = json::parse(options, nullptr, false);
  if (j.is_discarded()) rnn::fail("generate options are not valid JSON");
  auto g = std::make_unique<rnn::Generator>(model, tok, rnn::parse_generate_options(j));
  return val(GeneratorHandle{std::move(owner), std::move(g)});
}

val generate_all(rnn::LanguageModel& model, const rnn::Tokenizer& tok, const std::string& options) {
  const json j = json::parse(options, nullptr, false);
  if (j.is_discarded()) rnn::fail("generate options are not valid JSON");
  return val(rnn::generate(model, tok, rnn::parse_generate_options(j)));
}

val create_session(const std::string& options, uintptr_t text, size_t len) {
  return guarded([&] {
    const json j = json::parse(options, nullptr, false);
    if (j.is_discarded()) rnn::fail("options are not valid JSON");
    rnn::RunConfig cfg = rnn::parse_run_config(j);
    return val(SessionHandle{std::make_shared<rnn::Session>(take(text, len), cfg), {}});
  });
}

val resume_session(uintptr_t text, size_t len, uintptr_t file, size_t file_len) {
  return guarded([&] {
    return val(SessionHandle{
        std::make_shared<rnn::Session>(take(text, len), reinterpret_cast<const uint8_t*>(file), file_len), {}});
  });
}

val load_model(uintptr_t file, size_t len) {
  return guarded([&] {
    return val(ModelHandle{std::make_shared<rnn::LoadedModel>(reinterpret_cast<const uint8_t*>(file), len), {}});
  });
}

rnn::RunConfig run_config_of(const std::string& options) {
  const json j = json::parse(options, nullptr, false);
  if (j.is_discarded()) rnn::fail("options are not valid JSON");
  return rnn::parse_run_config(j);
}

// The options with every default filled in (parseOptions('{}') gives the defaults).
val parse_options(const std::string& options) {
  return guarded([&] { return json_val(rnn::run_config_to_json(run_config_of(options))); });
}

// The core's own view of a corpus under the given options (what a trainer on it would see).
val analyze_corpus(const std::string& options, uintptr_t text, size_t len) {
  return guarded([&] {
    const rnn::CorpusStats s = rnn::analyze_corpus(take(text, len), run_config_of(options));
    json j = {{"bytes", s.bytes},
              {"chars", s.chars},
              {"tokens", s.tokens},
              {"vocabSize", s.vocab},
              {"trainTokens", s.train_tokens},
              {"validationTokens", s.validation_tokens},
              {"batchesPerEpoch", s.batches_per_epoch},
              {"primeHint", s.prime_hint},
              {"problem", s.problem.empty() ? json(nullptr) : json(s.problem)}};
    return json_val(j);
  });
}

// The trainer's memory estimate for these options and a vocabulary size (corpusTokens: 0 if unknown).
val estimate_memory(const std::string& options, int vocab_size, double corpus_tokens) {
  return guarded([&] {
    rnn::RunConfig cfg = run_config_of(options);
    cfg.model.vocab_size = vocab_size;
    cfg.model.validate();
    const rnn::MemoryEstimate m = rnn::estimate_memory(cfg.model, cfg.training, (int64_t)corpus_tokens);
    json j = {{"parameters", m.parameters},
              {"weightBytes", m.weight_bytes},
              {"activationBytes", m.activation_bytes},
              {"packingBytes", m.packing_bytes},
              {"checkpointBytes", m.checkpoint_bytes},
              {"corpusBytes", m.corpus_bytes},
              {"totalBytes", m.total()}};
    return json_val(j);
  });
}

// Whether this build was compiled with -pthread (the mt and node builds).
#ifdef __EMSCRIPTEN_PTHREADS__
constexpr bool kPthreads = true;
#else
constexpr bool kPthreads = false;
#endif

val features() {
  json j = {{"simd", rnn::kernels::simd_width() > 1},
            {"simdArch", std::string("wasm-simd128 (via xsimd ") + rnn::kernels::simd_arch() + ")"},
            {"simdWidth", rnn::kernels::simd_width()},
            {"threads", kPthreads},
            {"threadCount", rnn::threads::count()},
            {"maxThreads", rnn::threads::max_threads()},
            {"build", kPthreads ? "wasm32 simd128, pthreads" : "wasm32 simd128, single-threaded"},
            {"modelFormatVersion", rnn::kModelFormatVersion}};
  return json_val(j);
}

// Threads the kernels use from now on, clamped to [1, maxThreads]; returns the count in effect.
int set_threads(int n) {
  rnn::threads::set_count(n);
  return rnn::threads::count();
}

}  // namespace

EMSCRIPTEN_BINDINGS(rnn_wasm) {
  using namespace emscripten;
  function("createSession", &create_session);
  function("resumeSession", &resume_session);
  function("loadModel", &load_model);
  function("parseOptions", &parse_options);
  function("analyzeCorpus", &analyze_corpus);
  function("estimateMemory", &estimate_memory);
  function("features", &features);
  function("setThreads", &set_threads);

  class_<SessionHandle>("Session")
      .function("step", optional_override([](SessionHandle& h) { return guarded([&] { return step_val(h.s->step()); }); }))
      .function("steps", optional_override([](SessionHandle& h, int n) {
                  // Several steps in one call: fewer JS↔wasm crossings. Returns the last result and the mean loss.
                  return guarded([&] {
                    rnn::StepResult r;
                    double sum = 0;
                    for (int i = 0; i < n; ++i) sum += (r = h.s->step()).loss;
                    val o = step_val(r);
                    o.set("meanLoss", n > 0 ? sum / n : 0.0);
                    return o;
                  });
                }))
      .function("evaluate", optional_override([](SessionHandle& h, double max_tokens) {
                  return guarded([&] {
                    rnn::EvalResult e = h.s->evaluate((int64_t)max_tokens);
                    val o = val::object();
                    o.set("loss", e.loss);
                    o.set("perplexity", e.perplexity);
                    o.set("bitsPerToken", e.bits_per_token);
                    o.set("tokens", (double)e.tokens);
                    return o;
                  });
                }))
      .function("saveCheckpoint", optional_override([](SessionHandle& h) {
                  return guarded([&] {
                    h.buffer = h.s->save_checkpoint();
                    return bytes_view(h.buffer);
                  });
                }))
      .function("saveModel", optional_override([](SessionHandle& h) {
                  return guarded([&] {
                    h.buffer = h.s->save_model();
                    return bytes_view(h.buffer);
                  });
                }))
      .function("releaseBuffer", optional_override([](SessionHandle& h) { std::string().swap(h.buffer); }))
      .function("resetState", optional_override([](SessionHandle& h) { h.s->task->reset_state(); }))
      .function("info", optional_override([](SessionHandle& h) { return guarded([&] { return json_val(h.s->info()); }); }))
      .function("generate", optional_override([](SessionHandle& h, std::string o) {
                  return guarded([&] { return generate_all(h.s->task->model, h.s->tokenizer, o); });
                }))
      .function("generator", optional_override([](SessionHandle& h, std::string o) {
                  return guarded([&] { return make_generator(h.s, h.s->task->model, h.s->tokenizer, o); });
                }));

  class_<ModelHandle>("Model")
      .function("info", optional_override([](ModelHandle& h) { return guarded([&] { return json_val(h.m->info()); }); }))
      .function("save", optional_override([](ModelHandle& h) {
                  return guarded([&] {
                    h.buffer = h.m->save();
                    return bytes_view(h.buffer);
                  });
                }))
      .function("releaseBuffer", optional_override([](ModelHandle& h) { std::string().swap(h.buffer); }))
      .function("generate", optional_override([](ModelHandle& h, std::string o) {
                  return guarded([&] { return generate_all(*h.m->file.model, h.m->file.tokenizer, o); });
                }))
      .function("generator", optional_override([](ModelHandle& h, std::string o) {
                  return guarded([&] { return make_generator(h.m, *h.m->file.model, h.m->file.tokenizer, o); });
                }));

  class_<GeneratorHandle>("Generator")
      .function("next", &GeneratorHandle::next);
}
