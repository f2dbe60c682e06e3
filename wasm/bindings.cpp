// Embind bindings of the core for the JS module (wasm/index.js wraps these; users never see them).
// Every entry point catches C++ exceptions and *returns* a JS Error, which the wrapper throws:
// letting exceptions cross into JS leaks memory on every throw in Emscripten 3.1.6.
// Large inputs (corpus text, model files) arrive as (pointer, length) into memory the wrapper
// malloc'ed, which is 5-10x faster than Embind's std::string conversion.
#include <emscripten/bind.h>
#include <emscripten/val.h>
#include <malloc.h>

#include <cstdlib>
#include <memory>
#include <string>

#include "common.h"
#include "decode/generate.h"
#include "io/json_text.h"
#include "kernels/kernels.h"
#include "kernels/threads.h"
#include "tasks/corpus.h"
#include "tasks/evaluation.h"
#include "tasks/inspect.h"
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

std::string take(uintptr_t ptr, size_t len) {
  return len ? std::string(reinterpret_cast<const char*>(ptr), len) : std::string();
}

val json_val(const json& j) { return val::global("JSON").call<val>("parse", val(j.dump())); }

// A model file written straight into a JS Uint8Array, 64 KB at a time: the WebAssembly heap never
// holds a second copy of the weights and moments (on a 33 K-word model, 200 MB of the run's peak).
struct JsBytes : rnn::safetensors::ByteSink {
  val array = val::undefined();
  size_t offset = 0;
  void begin(size_t total) override { array = val::global("Uint8Array").new_(total); }
  void write(const uint8_t* bytes, size_t n) override {
    array.call<void>("set", val(emscripten::typed_memory_view(n, bytes)), offset);
    offset += n;
  }
};
template <class Save>
val save_to_js(Save save) {
  JsBytes sink;
  save(&sink);
  return sink.array;
}

val step_val(const rnn::StepResult& r) {
  val o = val::object();
  o.set("step", (double)r.step);
  o.set("epoch", (double)r.epoch);
  o.set("loss", r.loss);
  o.set("gradNorm", r.grad_norm);
  o.set("gradNormClipped", r.grad_norm_clipped);
  o.set("learningRate", r.learning_rate);
  o.set("guardEvents", (double)r.guard_events);
  if (!r.guard.empty()) o.set("guard", r.guard);  // this step was undone (train/trainer.h)
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
};

struct ModelHandle {
  std::shared_ptr<rnn::LoadedModel> m;
};

json parse_json(const std::string& text, const char* what) {
  const json j = rnn::parse_json_text(text, what);
  if (j.is_discarded()) rnn::fail(std::string(what) + " are not valid JSON");
  return j;
}

rnn::GenerateOptions generate_options(const std::string& options) {
  return rnn::parse_generate_options(parse_json(options, "generate options"));
}

val generator_val(std::shared_ptr<void> owner, std::unique_ptr<rnn::Generator> g) {
  return val(GeneratorHandle{std::move(owner), std::move(g)});
}

// Copies into new JS typed arrays (the views on wasm memory live only for this call).
template <class T>
val typed_copy(const char* type, const std::vector<T>& v) {
  return val::global(type).new_(val(emscripten::typed_memory_view(v.size(), v.data())));
}

// Gradient flow through time: { loss, steps, batch, layers: [Float32Array of ‖∂L_T/∂h_t‖ per step] }.
val flow_val(const rnn::GradientFlow& f) {
  val o = val::object();
  o.set("loss", f.loss);
  o.set("steps", f.T);
  o.set("batch", f.B);
  val layers = val::array();
  for (const auto& n : f.norms) layers.call<void>("push", typed_copy("Float32Array", n));
  o.set("layers", layers);
  return o;
}

rnn::LanguageModel& text_language_model(rnn::Session& s, const char* method) {
  if (!s.task) rnn::fail(std::string(method) + "() is for a language model trained on a text; this run is for task '" +
                         rnn::model_kind_name(s.config.model.kind) + "'");
  return s.task->model;
}

rnn::LanguageModel& text_language_model(rnn::LoadedModel& m, const char* method) {
  if (m.file.config.model.kind != rnn::ModelKind::LanguageModel)
    rnn::fail(std::string(method) + "() is for a language model; this model is for task '" +
              rnn::model_kind_name(m.file.config.model.kind) + "'");
  return m.file.language_model();
}

// One forward pass over a text (model.inspect / activations / predictNext / surprise): options
// { layer (−1: no activations), kind, topK, surprise } as JSON; the wrapper checked their types.
val inspect_val(rnn::LanguageModel& lm, const rnn::Tokenizer& tok, uintptr_t text, size_t len, const std::string& options) {
  const json o = parse_json(options, "inspect options");
  rnn::InspectOptions io;
  io.layer = o.value("layer", -1);
  io.kind = rnn::parse_activation_kind(o.value("kind", std::string("h")));
  io.top_k = o.value("topK", 0);
  io.surprise = o.value("surprise", false);
  const rnn::TextInspection r = rnn::inspect_text(lm, tok.encode(take(text, len)), io);
  const auto& vocab = tok.vocab.entries();
  json tokens = json::array(), next = json::array();
  for (int32_t id : r.ids) tokens.push_back(vocab[id]);
  for (int32_t id : r.top_ids) next.push_back(vocab[id]);
  val out = json_val({{"tokens", tokens}, {"next", next}, {"topK", r.top_k}, {"width", r.width}, {"hidden", lm.config.hidden_size},
                      {"gates", rnn::gate_names(lm.config.cell)}});
  out.set("values", typed_copy("Float32Array", r.values));
  out.set("probabilities", typed_copy("Float32Array", r.top_probs));
  out.set("surprise", typed_copy("Float32Array", r.surprise));
  return out;
}

// Examples as the wrapper passes them: kind 0 absent, 1 the text of a file, 2 an array as JSON text.
json examples_arg(int kind, uintptr_t ptr, size_t len) {
  if (kind == 0) return nullptr;
  if (kind == 1) return json(take(ptr, len));
  return parse_json(take(ptr, len), "examples");
}

// The corpus of createSession/resumeSession: the wrapper writes it straight into this string
// (textBuffer(len) gives its address), which the session then takes over, so a corpus of hundreds of
// MB is held once as text while it is tokenized — a copy would also leave a hole as large as it in
// the heap (dlmalloc cannot put the ids there). Only the JS thread calls the bindings.
std::string g_corpus;

uintptr_t text_buffer(size_t len) {
  try {
    g_corpus.assign(len, '\0');
    return reinterpret_cast<uintptr_t>(g_corpus.data());
  } catch (const std::bad_alloc&) {
    g_corpus = std::string();
    return 0;
  }
}

void release_text_buffer() { g_corpus = std::string(); }

std::string adopt(uintptr_t ptr, size_t len) {
  if (ptr != reinterpret_cast<uintptr_t>(g_corpus.data()) || len != g_corpus.size()) return take(ptr, len);
  std::string s = std::move(g_corpus);
  g_corpus = std::string();
  return s;
}

rnn::TrainingData training_data(std::string text, int ek, uintptr_t ep, size_t el, int vk, uintptr_t vp, size_t vl) {
  rnn::TrainingData d{std::move(text), examples_arg(ek, ep, el), examples_arg(vk, vp, vl)};
  rnn::check_examples_utf8(d);
  return d;
}

rnn::TrainingData training_data(uintptr_t text, size_t len, int ek, uintptr_t ep, size_t el, int vk, uintptr_t vp,
                                size_t vl) {
  return training_data(take(text, len), ek, ep, el, vk, vp, vl);
}

val session_val(std::shared_ptr<rnn::Session> s) { return val(SessionHandle{std::move(s)}); }

val create_session(const std::string& options, uintptr_t text, size_t len, int ek, uintptr_t ep, size_t el, int vk,
                   uintptr_t vp, size_t vl) {
  return guarded([&] {
    std::string corpus = adopt(text, len);
    const rnn::RunConfig cfg = rnn::parse_run_config(parse_json(options, "options"));
    const rnn::TrainingData d = training_data(std::move(corpus), ek, ep, el, vk, vp, vl);
    return session_val(std::make_shared<rnn::Session>(d, cfg));
  });
}

val resume_session(uintptr_t text, size_t len, int ek, uintptr_t ep, size_t el, int vk, uintptr_t vp, size_t vl,
                   uintptr_t file, size_t file_len) {
  return guarded([&] {
    const rnn::TrainingData d = training_data(adopt(text, len), ek, ep, el, vk, vp, vl);
    return session_val(std::make_shared<rnn::Session>(d, reinterpret_cast<const uint8_t*>(file), file_len));
  });
}

val load_model(uintptr_t file, size_t len) {
  return guarded([&] {
    return val(ModelHandle{std::make_shared<rnn::LoadedModel>(reinterpret_cast<const uint8_t*>(file), len)});
  });
}

// Tokens for tag(): a JSON array of strings.
std::vector<std::string> tokens_arg(const std::string& tokens) {
  return parse_json(tokens, "tokens").get<std::vector<std::string>>();
}

[[noreturn]] void wrong_task(const char* method, const char* task) {
  rnn::fail(std::string(method) + "() needs a model trained with task '" + task + "'");
}

rnn::TranslateOptions translate_options(const std::string& o) {
  return rnn::parse_translate_options(parse_json(o, "translate options"));
}

rnn::Seq2SeqEvalOptions eval_options(const std::string& o) {
  return rnn::parse_seq2seq_eval_options(parse_json(o, "evaluate options"));
}

rnn::RunConfig run_config_of(const std::string& options) { return rnn::parse_run_config(parse_json(options, "options")); }

// What a run on these examples would see, without training (analyzeExamples).
val analyze_examples(const std::string& options, int ek, uintptr_t ep, size_t el, int vk, uintptr_t vp, size_t vl) {
  return guarded([&] {
    const rnn::RunConfig cfg = run_config_of(options);
    return json_val(rnn::analyze_examples(cfg, training_data(0, 0, ek, ep, el, vk, vp, vl)));
  });
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

// size 'auto' chosen for a text without training: { options, autoSize } (chooseSize).
val choose_size(const std::string& options, uintptr_t text, size_t len) {
  return guarded([&] {
    const rnn::RunConfig cfg = run_config_of(options);
    if (!cfg.auto_size) rnn::fail("chooseSize: give size: 'auto' (and budgetSeconds) in the options");
    return json_val(rnn::resolve_auto_size(take(text, len), cfg));
  });
}

// The trainer's memory estimate for these options and a vocabulary size (corpusTokens: 0 if unknown).
val estimate_memory(const std::string& options, int vocab_size, double corpus_tokens) {
  return guarded([&] {
    rnn::RunConfig cfg = run_config_of(options);
    cfg.model.vocab_size = vocab_size;
    cfg.model.validate();
    const rnn::MemoryEstimate m = rnn::estimate_memory(cfg.model, cfg.training, (int64_t)corpus_tokens);
    return json_val(rnn::memory_json(m));
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
  // dlmalloc's own counts: the bytes in live allocations, and the most it ever held from the heap
  // (its high-water mark, which the memory estimate is tested against).
  const struct mallinfo mi = mallinfo();
  j["heapInUse"] = (double)(unsigned)mi.uordblks;
  j["heapHighWater"] = (double)(unsigned)mi.usmblks;
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
  function("chooseSize", &choose_size);
  function("analyzeExamples", &analyze_examples);
  function("estimateMemory", &estimate_memory);
  function("textBuffer", &text_buffer);
  function("releaseTextBuffer", &release_text_buffer);
  function("features", &features);
  function("setThreads", &set_threads);

  class_<SessionHandle>("Session")
      .function("step", optional_override([](SessionHandle& h) { return guarded([&] { return step_val(h.s->step()); }); }))
      .function("steps", optional_override([](SessionHandle& h, int n) {
                  // Several steps in one call: fewer JS↔wasm crossings. Returns the last result and the mean loss.
                  return guarded([&] {
                    rnn::StepResult r;
                    double sum = 0;
                    std::string guard;  // the last guard event among them, if any
                    for (int i = 0; i < n; ++i) {
                      sum += (r = h.s->step()).loss;
                      if (!r.guard.empty()) guard = r.guard;
                    }
                    val o = step_val(r);
                    if (!guard.empty()) o.set("guard", guard);
                    o.set("meanLoss", n > 0 ? sum / n : 0.0);
                    return o;
                  });
                }))
      .function("evaluate", optional_override([](SessionHandle& h, double max_tokens) {
                  return guarded([&] { return json_val(h.s->evaluate_json((int64_t)max_tokens)); });
                }))
      .function("saveCheckpoint", optional_override([](SessionHandle& h) {
                  return guarded([&] {
                    return save_to_js([&](JsBytes* sink) { h.s->save_checkpoint(sink); });
                  });
                }))
      .function("saveModel", optional_override([](SessionHandle& h) {
                  return guarded([&] {
                    return save_to_js([&](JsBytes* sink) { h.s->save_model(sink); });
                  });
                }))
      // Keep-best and the time-fitted schedule (issue 14): see Session / Trainer.
      .function("recordValidation", optional_override([](SessionHandle& h, double loss) {
                  return guarded([&] { return json_val(h.s->record_validation(loss)); });
                }))
      .function("best", optional_override([](SessionHandle& h) { return guarded([&] { return json_val(h.s->best()); }); }))
      .function("saveBestModel", optional_override([](SessionHandle& h) {
                  return guarded([&] {
                    return save_to_js([&](JsBytes* sink) { h.s->save_best_model(sink); });
                  });
                }))
      .function("fitSchedule", optional_override([](SessionHandle& h, double elapsed, double budget) {
                  return guarded([&] { return val((double)h.s->trainer().fit_time(elapsed, budget)); });
                }))
      .function("resetState", optional_override([](SessionHandle& h) {
                  return guarded([&] {
                    if (!h.s->task) rnn::fail("resetState() is for a language model trained on a text: examples always start from a zero state");
                    h.s->task->reset_state();
                    return val::undefined();
                  });
                }))
      .function("info", optional_override([](SessionHandle& h) {
                  return guarded([&] {
                    return json_val(h.s->info());
                  });
                }))
      .function("generate", optional_override([](SessionHandle& h, std::string o) {
                  return guarded([&] { return val(h.s->generate(generate_options(o))); });
                }))
      .function("generator", optional_override([](SessionHandle& h, std::string o) {
                  return guarded([&] { return generator_val(h.s, h.s->generator(generate_options(o))); });
                }))
      .function("stepDiagnostics", optional_override([](SessionHandle& h) {
                  return guarded([&] {
                    rnn::LanguageModel& lm = text_language_model(*h.s, "step({ diagnostics })");
                    const rnn::DiagnosticStep d = rnn::diagnostic_step(h.s->task->trainer, lm);
                    val o = step_val(d.step);
                    o.set("gradientFlow", flow_val(d.flow));
                    return o;
                  });
                }))
      .function("gradientFlow", optional_override([](SessionHandle& h, uintptr_t text, size_t len, bool has_text) {
                  return guarded([&] {
                    rnn::LanguageModel& lm = text_language_model(*h.s, "gradientFlow");
                    if (has_text) return flow_val(rnn::gradient_flow(lm, h.s->tokenizer.encode(take(text, len))));
                    return flow_val(rnn::gradient_flow(lm, h.s->task->train_data.current(), h.s->task->trainer.dropout_rng));
                  });
                }))
      .function("inspect", optional_override([](SessionHandle& h, uintptr_t text, size_t len, std::string o) {
                  return guarded([&] { return inspect_val(text_language_model(*h.s, "inspect"), h.s->tokenizer, text, len, o); });
                }))
      .function("classify", optional_override([](SessionHandle& h, std::string text) {
                  return guarded([&] {
                    if (!h.s->example_task) wrong_task("classify", "classify");
                    return json_val(h.s->example_task->classify(text));
                  });
                }))
      .function("tag", optional_override([](SessionHandle& h, std::string tokens) {
                  return guarded([&] {
                    if (!h.s->example_task) wrong_task("tag", "tag");
                    return json_val(h.s->example_task->tag(tokens_arg(tokens)));
                  });
                }))
      .function("translate", optional_override([](SessionHandle& h, std::string source, std::string o) {
                  return guarded([&] {
                    if (!h.s->seq2seq_task)
                      rnn::fail(std::string("translate() needs a model trained with task 'seq2seq'; this run is for task '") +
                                rnn::model_kind_name(h.s->config.model.kind) + "'");
                    return json_val(h.s->seq2seq_task->translate(source, translate_options(o)));
                  });
                }))
      .function("evaluatePairs", optional_override([](SessionHandle& h, std::string o) {
                  return guarded([&] { return json_val(h.s->evaluate_pairs(eval_options(o))); });
                }));

  class_<ModelHandle>("Model")
      .function("info", optional_override([](ModelHandle& h) { return guarded([&] { return json_val(h.m->info()); }); }))
      .function("save", optional_override([](ModelHandle& h) {
                  return guarded([&] {
                    return save_to_js([&](JsBytes* sink) { h.m->save(sink); });
                  });
                }))
      .function("generate", optional_override([](ModelHandle& h, std::string o) {
                  return guarded([&] { return val(h.m->generate(generate_options(o))); });
                }))
      .function("generator", optional_override([](ModelHandle& h, std::string o) {
                  return guarded([&] { return generator_val(h.m, h.m->generator(generate_options(o))); });
                }))
      .function("inspect", optional_override([](ModelHandle& h, uintptr_t text, size_t len, std::string o) {
                  return guarded([&] { return inspect_val(text_language_model(*h.m, "inspect"), h.m->file.tokenizer, text, len, o); });
                }))
      .function("classify", optional_override([](ModelHandle& h, std::string text) {
                  return guarded([&] {
                    if (!h.m->predictor) wrong_task("classify", "classify");
                    return json_val(h.m->predictor->classify(text));
                  });
                }))
      .function("tag", optional_override([](ModelHandle& h, std::string tokens) {
                  return guarded([&] {
                    if (!h.m->predictor) wrong_task("tag", "tag");
                    return json_val(h.m->predictor->tag(tokens_arg(tokens)));
                  });
                }))
      .function("evaluate", optional_override([](ModelHandle& h, uintptr_t text, size_t len, int ek, uintptr_t ep,
                                                 size_t el, double max_tokens) {
                  return guarded([&] {
                    const rnn::TrainingData d = training_data(text, len, ek, ep, el, 0, 0, 0);
                    return json_val(rnn::evaluate_loaded_model(*h.m, d, (int64_t)max_tokens));
                  });
                }))
      .function("translate", optional_override([](ModelHandle& h, std::string source, std::string o) {
                  return guarded([&] { return json_val(h.m->translate(source, translate_options(o))); });
                }))
      .function("evaluatePairs", optional_override([](ModelHandle& h, int ek, uintptr_t ep, size_t el, std::string o) {
                  return guarded([&] {
                    const rnn::TrainingData d = training_data(0, 0, ek, ep, el, 0, 0, 0);
                    return json_val(rnn::evaluate_loaded_seq2seq(*h.m, d, eval_options(o)));
                  });
                }));

  class_<GeneratorHandle>("Generator")
      .function("next", &GeneratorHandle::next);
}
