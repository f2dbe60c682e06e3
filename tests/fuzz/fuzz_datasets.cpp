// Fuzz target: the task data files (classify and by-category TSV, source–target pairs, word/tag
// and CoNLL tagged text). The first byte picks the format and skip_bad_lines; the rest is the
// file. What must hold: every example it returns is non-empty where the format says so, and with
// skip_bad_lines the problems listed never exceed the cap.
#include "fuzz_common.h"
#include "text/datasets.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t mode = data[0];
  return fuzz_guarded(data + 1, size - 1, [mode](const std::string& text) {
    rnn::ParseOptions o;
    o.skip_bad_lines = mode & 8;
    rnn::ParseReport report;
    switch (mode & 3) {
      case 0:
        for (const auto& e : rnn::parse_classify_tsv(text, o, &report)) FUZZ_CHECK(!e.text.empty() && !e.label.empty());
        break;
      case 1:
        for (const auto& e : rnn::parse_category_tsv(text, o, &report)) FUZZ_CHECK(!e.text.empty() && !e.label.empty());
        break;
      case 2:
        for (const auto& e : rnn::parse_pairs_tsv(text, o, &report)) FUZZ_CHECK(!e.source.empty() && !e.target.empty());
        break;
      default:
        for (const auto& e : rnn::parse_tagged(text, o, &report)) {
          FUZZ_CHECK(!e.tokens.empty() && e.tokens.size() == e.tags.size());
          for (const auto& tag : e.tags) FUZZ_CHECK(!tag.empty());
        }
    }
    FUZZ_CHECK(report.problems.size() <= rnn::ParseReport::kMaxProblems);
  });
}
