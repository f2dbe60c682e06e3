// Fuzz target: a model file or checkpoint as a user might load it (the safetensors header, the
// metadata JSON, the config, tokenizers, labels, tensors). An accepted file must describe itself
// and save to bytes that load again to the same description.
#include "fuzz_common.h"
#include "tasks/loaded_model.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return fuzz_guarded(data, size, [](const std::string& bytes) {
    rnn::LoadedModel m(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
    const std::string info = m.info().dump();
    const std::string saved = m.save();
    rnn::LoadedModel again(reinterpret_cast<const uint8_t*>(saved.data()), saved.size());
    FUZZ_CHECK(again.info().dump() == info);
    FUZZ_CHECK(again.save() == saved);
  });
}
