// Fuzz target: run options as JSON text, as the JS API and the CLI pass them to the core.
// An accepted configuration must be valid and keep its meaning through its own JSON form.
#include "fuzz_common.h"
#include "io/config.h"
#include "io/json_text.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return fuzz_guarded(data, size, [](const std::string& text) {
    rnn::RunConfig c = rnn::parse_run_config(rnn::parse_json_text(text, "run options"));
    // What the data would add (vocabularies, labels), so that the sizes are checked together.
    rnn::ModelConfig m = c.model;
    m.vocab_size = 50;
    if (m.kind == rnn::ModelKind::Seq2Seq) m.target_vocab_size = 40;
    if (m.kind == rnn::ModelKind::Classifier || m.kind == rnn::ModelKind::Tagger) m.labels = 3;
    m.validate();
    const nlohmann::json j = rnn::run_config_to_json(c);
    FUZZ_CHECK(rnn::run_config_to_json(rnn::parse_run_config(j)) == j);
  });
}
