// Native command-line twin of the JS API, used by the Node tests to compare native and WebAssembly
// runs (loss curves, model files).
//   rnn_tool train <corpus> <options.json|-> <steps> [--resume ckpt] [--out file] [--model-out file]
//       prints one JSON line per step: {"step":..,"loss":..,"gradNorm":..}
//   rnn_tool generate <model> <generate-options-json>      prints the text
//   rnn_tool logits <model> <text>     prints {"ids": [...], "logits": [[...], ...]}: the model's
//       output at every position of the encoded text, from a zero state (for the PyTorch check)
#include <cstdio>
#include <cstring>
#include <iostream>

#include "decode/generate.h"
#include "io/safetensors.h"
#include "tasks/loaded_model.h"
#include "tasks/session.h"

using nlohmann::json;

static int usage() {
  std::fprintf(stderr,
               "usage: rnn_tool train <corpus> <options-json> <steps> [--resume ckpt] [--out ckpt] [--model-out model]\n"
               "       rnn_tool generate <model> <generate-options-json>\n"
               "       rnn_tool logits <model> <text>\n");
  return 2;
}

int main(int argc, char** argv) {
  if (argc < 2) return usage();
  const std::string cmd = argv[1];
  try {
    if (cmd == "train" && argc >= 5) {
      const std::string text = rnn::safetensors::read_file(argv[2]);
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
        s = std::make_unique<rnn::Session>(text, reinterpret_cast<const uint8_t*>(ck.data()), ck.size());
      } else {
        s = std::make_unique<rnn::Session>(text, rnn::parse_run_config(json::parse(argv[3])));
      }
      for (int i = 0; i < steps; ++i) {
        rnn::StepResult r = s->step();
        std::printf("%s\n", json{{"step", r.step}, {"loss", r.loss}, {"gradNorm", r.grad_norm}}.dump().c_str());
      }
      if (!out.empty()) rnn::safetensors::write_file_atomic(out, s->save_checkpoint());
      if (!model_out.empty()) rnn::safetensors::write_file_atomic(model_out, s->save_model());
      return 0;
    }
    if (cmd == "generate" && argc >= 4) {
      const std::string bytes = rnn::safetensors::read_file(argv[2]);
      rnn::LoadedModel m(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
      std::cout << rnn::generate(m.file.language_model(), m.file.tokenizer, rnn::parse_generate_options(json::parse(argv[3])));
      return 0;
    }
    if (cmd == "logits" && argc >= 4) {
      const std::string bytes = rnn::safetensors::read_file(argv[2]);
      rnn::LoadedModel m(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
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
