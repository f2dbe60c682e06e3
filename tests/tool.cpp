// Native command-line twin of the JS API, used by the Node tests to compare native and WebAssembly
// runs (loss curves, model files).
//   rnn_tool train <corpus> <options.json|-> <steps> [--resume ckpt] [--out file] [--model-out file]
//       prints one JSON line per step: {"step":..,"loss":..,"gradNorm":..}
//   rnn_tool generate <model> <generate-options-json> [count]   prints the text (with a count: a
//       JSON array of that many texts, seeds seed, seed + 1, …; a conditional model takes "label")
//   rnn_tool classify <model> <file>   one text a line → a JSON array of classify() results
//   rnn_tool tag <model> <tagged-file>  → a JSON array of each sentence's predicted tags
//   rnn_tool logits <model> <text>     prints {"ids": [...], "logits": [[...], ...]}: the model's
//       output at every position of the encoded text, from a zero state (for the PyTorch check);
//       a tagger: its logits per token (the text split on whitespace); a classifier: one row, the
//       log-probabilities of the labels (logits up to a constant)
//   rnn_tool task <options.json|-> <examples-file> [--validation file] [--steps N] [--epochs E]
//       [--seconds S] [--threads N] [--log-every N] [--model-out file] [--checkpoint-out file]
//       trains a run on examples (classify, tag, lm by category, seq2seq pairs) until the first limit is reached,
//       prints {"step",…,"loss",…,"seconds",…} every --log-every steps and last one line
//       {"done": true, "steps", "epochs", "seconds", "info", "evaluation"} (evaluation: the
//       validation examples, i.e. --validation when given)
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <iostream>

#include "decode/generate.h"
#include "io/json_text.h"
#include "io/safetensors.h"
#include "kernels/threads.h"
#include "models/classifier.h"
#include "models/tagger.h"
#include "tasks/loaded_model.h"
#include "tasks/session.h"

using nlohmann::json;

// Options as JSON, through the core's nesting-checked parse.
static json parse_options(const std::string& text) {
  json j = rnn::parse_json_text(text, "options");
  if (j.is_discarded()) throw rnn::Error("options are not valid JSON");
  return j;
}

static int usage() {
  std::fprintf(stderr,
               "usage: rnn_tool train <corpus> <options-json> <steps> [--resume ckpt] [--out ckpt] [--model-out model]\n"
               "       rnn_tool generate <model> <generate-options-json> [count]\n"
               "       rnn_tool classify <model> <file>\n"
               "       rnn_tool tag <model> <tagged-file>\n"
               "       rnn_tool logits <model> <text>\n"
               "       rnn_tool task <options-json> <examples-file> [--validation file] [--steps N] [--epochs E]\n"
               "                [--seconds S] [--threads N] [--log-every N] [--model-out file] [--checkpoint-out file]\n");
  return 2;
}

int main(int argc, char** argv) {
  if (argc < 2) return usage();
  const std::string cmd = argv[1];
  try {
    if (cmd == "train" && argc >= 5) {
      rnn::TrainingData data{rnn::safetensors::read_file(argv[2]), {}, {}};
      const int steps = std::atoi(argv[4]);
      std::string resume, out, model_out;
      for (int i = 5; i + 1 < argc; i += 2) {
        if (!std::strcmp(argv[i], "--resume")) resume = argv[i + 1];
        else if (!std::strcmp(argv[i], "--out")) out = argv[i + 1];
        else if (!std::strcmp(argv[i], "--model-out")) model_out = argv[i + 1];
        else return usage();
      }
      std::unique_ptr<rnn::Session> s;
      if (!resume.empty()) {
        const std::string ck = rnn::safetensors::read_file(resume);
        s = std::make_unique<rnn::Session>(data, reinterpret_cast<const uint8_t*>(ck.data()), ck.size());
      } else {
        s = std::make_unique<rnn::Session>(data, rnn::parse_run_config(parse_options(argv[3])));
      }
      data = {};  // the session holds the corpus as its token ids: the text can go
      for (int i = 0; i < steps; ++i) {
        rnn::StepResult r = s->step();
        std::printf("%s\n", json{{"step", r.step}, {"loss", r.loss}, {"gradNorm", r.grad_norm}}.dump().c_str());
      }
      if (!out.empty()) rnn::safetensors::write_file_atomic(out, [&](rnn::safetensors::ByteSink& k) { s->save_checkpoint(&k); });
      if (!model_out.empty()) rnn::safetensors::write_file_atomic(model_out, [&](rnn::safetensors::ByteSink& k) { s->save_model(&k); });
      return 0;
    }
    if (cmd == "generate" && argc >= 4) {
      const std::string bytes = rnn::safetensors::read_file(argv[2]);
      rnn::LoadedModel m(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
      const json options = parse_options(argv[3]);
      if (argc >= 5) {  // count: a JSON array of texts, seeds seed, seed + 1, …
        json texts = json::array();
        rnn::GenerateOptions o = rnn::parse_generate_options(options);
        const uint64_t seed = o.seed;
        for (int i = 0; i < std::atoi(argv[4]); ++i) {
          o.seed = seed + (uint64_t)i;
          texts.push_back(m.generate(o));
        }
        std::cout << texts.dump() << "\n";
        return 0;
      }
      std::cout << m.generate(rnn::parse_generate_options(options));
      return 0;
    }
    if (cmd == "tag" && argc >= 4) {  // a tagged file (word/tag or CoNLL) → a JSON array of each sentence's predicted tags
      const std::string bytes = rnn::safetensors::read_file(argv[2]);
      rnn::LoadedModel m(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
      if (!m.predictor) throw rnn::Error("not a tagger");
      json out = json::array();
      for (const rnn::TagExample& e : rnn::parse_tagged(rnn::safetensors::read_file(argv[3]))) {
        json tags = json::array();
        for (const json& t : m.predictor->tag(e.tokens)) tags.push_back(t["tag"]);
        out.push_back(tags);
      }
      std::cout << out.dump() << "\n";
      return 0;
    }
    if (cmd == "classify" && argc >= 4) {  // one text a line of the file → a JSON array of classify() results
      const std::string bytes = rnn::safetensors::read_file(argv[2]);
      rnn::LoadedModel m(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
      if (!m.predictor) throw rnn::Error("not a classifier");
      const std::string text = rnn::safetensors::read_file(argv[3]);
      json out = json::array();
      size_t from = 0;
      while (from < text.size()) {
        size_t end = text.find('\n', from);
        if (end == std::string::npos) end = text.size();
        if (end > from) out.push_back(m.predictor->classify(text.substr(from, end - from)));
        from = end + 1;
      }
      std::cout << out.dump() << "\n";
      return 0;
    }
    if (cmd == "task" && argc >= 4) {
      const std::string opt = argv[2];
      const json options = parse_options(opt == "-" ? std::string(std::istreambuf_iterator<char>(std::cin), {})
                                                  : (opt.size() && opt[0] == '{' ? opt : rnn::safetensors::read_file(opt)));
      rnn::TrainingData data;
      data.examples = rnn::safetensors::read_file(argv[3]);
      double max_steps = 1e18, max_epochs = 1e18, max_seconds = 1e18;
      int threads = 0, log_every = 100;
      std::string model_out, checkpoint_out;
      for (int i = 4; i + 1 < argc; i += 2) {
        const std::string k = argv[i], v = argv[i + 1];
        if (k == "--validation") data.validation = rnn::safetensors::read_file(v);
        else if (k == "--steps") max_steps = std::atof(v.c_str());
        else if (k == "--epochs") max_epochs = std::atof(v.c_str());
        else if (k == "--seconds") max_seconds = std::atof(v.c_str());
        else if (k == "--threads") threads = std::atoi(v.c_str());
        else if (k == "--log-every") log_every = std::atoi(v.c_str());
        else if (k == "--model-out") model_out = v;
        else if (k == "--checkpoint-out") checkpoint_out = v;
        else return usage();
      }
      if (threads > 0) rnn::threads::set_count(threads);
      const auto t0 = std::chrono::steady_clock::now();
      rnn::Session s(data, rnn::parse_run_config(options));
      const double setup = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      const auto t1 = std::chrono::steady_clock::now();
      if (!s.example_task && !s.seq2seq_task) throw rnn::Error("rnn_tool task: the options' task trains on a text; use rnn_tool train");
      const int64_t per_epoch = s.example_source().batches_per_epoch();
      int64_t steps = 0;
      double seconds = 0, loss_sum = 0;
      int loss_n = 0;
      while (steps < max_steps && (double)steps / per_epoch < max_epochs && seconds < max_seconds) {
        const rnn::StepResult r = s.step();
        ++steps;
        loss_sum += r.loss;
        ++loss_n;
        seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t1).count();
        if (log_every > 0 && steps % log_every == 0) {
          std::printf("%s\n", json{{"step", r.step}, {"epoch", (double)steps / per_epoch}, {"loss", loss_sum / loss_n},
                                   {"learningRate", r.learning_rate}, {"seconds", seconds}}.dump().c_str());
          std::fflush(stdout);
          loss_sum = 0;
          loss_n = 0;
        }
      }
      const auto t2 = std::chrono::steady_clock::now();
      const json evaluation = s.evaluate_json();
      const double eval_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t2).count();
      if (!model_out.empty()) rnn::safetensors::write_file_atomic(model_out, [&](rnn::safetensors::ByteSink& k) { s.save_model(&k); });
      const json info = s.info();
      if (!checkpoint_out.empty()) rnn::safetensors::write_file_atomic(checkpoint_out, [&](rnn::safetensors::ByteSink& k) { s.save_checkpoint(&k); });
      std::printf("%s\n", json{{"done", true}, {"steps", steps}, {"epochs", (double)steps / per_epoch},
                               {"seconds", seconds}, {"setupSeconds", setup}, {"evalSeconds", eval_seconds},
                               {"threads", rnn::threads::count()}, {"info", info}, {"evaluation", evaluation}}
                              .dump()
                              .c_str());
      return 0;
    }
    if (cmd == "logits" && argc >= 4) {
      const std::string bytes = rnn::safetensors::read_file(argv[2]);
      rnn::LoadedModel m(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
      if (m.predictor) {
        rnn::ExampleTask& p = *m.predictor;
        const int K = p.labels.size();
        std::vector<int32_t> ids;
        if (auto* tagger = dynamic_cast<rnn::SequenceTagger*>(m.file.model.get())) {
          for (const std::string& w : p.tokenizer.split(argv[3])) {
            const int32_t id = p.tokenizer.id_of(w);
            ids.push_back(id >= 0 ? id : p.tokenizer.unk);
          }
          if (ids.empty()) throw rnn::Error("no tokens in the text");
          const std::vector<int32_t> targets(ids.size(), 0);
          rnn::Batch b;
          b.B = 1;
          b.T = (int)ids.size();
          b.inputs = ids.data();
          b.targets = targets.data();
          tagger->evaluate_batch(b);
          json rows = json::array();
          for (size_t t = 0; t < ids.size(); ++t)
            rows.push_back(std::vector<float>(tagger->last_logits().begin() + t * K, tagger->last_logits().begin() + (t + 1) * K));
          std::cout << json{{"ids", ids}, {"logits", rows}, {"labels", p.labels.entries()}}.dump();
          return 0;
        }
        auto* classifier = dynamic_cast<rnn::SequenceClassifier*>(m.file.model.get());
        ids = p.tokenizer.encode(argv[3]);
        if (ids.empty()) throw rnn::Error("no known tokens in the text");
        const int32_t label = 0;
        rnn::Batch b;
        b.B = 1;
        b.T = (int)ids.size();
        b.inputs = ids.data();
        b.labels = &label;
        classifier->evaluate_batch(b);
        std::vector<float> logp(K);
        for (int k = 0; k < K; ++k) logp[k] = std::log(classifier->probabilities()[k]);
        std::cout << json{{"ids", ids}, {"logits", json::array({logp})}, {"labels", p.labels.entries()}}.dump();
        return 0;
      }
      const std::vector<int32_t> ids = m.file.tokenizer.encode(argv[3]);
      if (ids.empty()) throw rnn::Error("no known tokens in the text");
      rnn::ModelState s = m.file.model->zero_state(1);
      m.file.model->evaluate_batch(rnn::Batch::carrying(1, (int)ids.size(), ids.data(), ids.data(), s));
      const std::vector<float>& z = m.file.language_model().last_logits();
      const size_t V = m.file.tokenizer.vocab_size();
      json rows = json::array();
      for (size_t t = 0; t < ids.size(); ++t) rows.push_back(std::vector<float>(z.begin() + t * V, z.begin() + (t + 1) * V));
      std::cout << json{{"ids", ids}, {"logits", rows}}.dump();
      return 0;
    }
    return usage();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "rnn_tool: %s\n", e.what());
    return 1;
  }
}
