// The encoder–decoder task: pairs files, a tokenizer per side, the split by source, the metrics
// (exact match, token error rate, BLEU) against hand-computed values, exact resume, and the model
// file (round trip, and damaged or hostile files refused with a message naming the problem).
#include <gtest/gtest.h>

#include <cmath>
#include <set>
#include <string>

#include "io/safetensors.h"
#include "tasks/evaluation.h"
#include "tasks/loaded_model.h"
#include "tasks/seq2seq_task.h"
#include "tasks/session.h"
#include "tasks/translation_metrics.h"
#include "test_util.h"

using namespace rnn;
using nlohmann::json;

namespace {

std::string message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

// Reversal pairs over a 10-letter alphabet: "abc<TAB>cba".
std::string reversal_tsv(int n, int lo, int hi, uint64_t seed) {
  Rng rng(seed);
  std::string out = "source\ttarget\n";
  for (int i = 0; i < n; ++i) {
    std::string s(lo + rng.below(hi - lo + 1), 'a');
    for (char& c : s) c = (char)('a' + rng.below(10));
    out += s + "\t" + std::string(s.rbegin(), s.rend()) + "\n";
  }
  return out;
}

json small_options(json extra = json::object()) {
  json o = {{"task", "seq2seq"}, {"hidden", 24}, {"embedding", 8}, {"layers", 1}, {"batchSize", 8},
            {"learningRate", 0.01}, {"validationFraction", 0.2}, {"seed", 3}};
  for (auto& [k, v] : extra.items()) o[k] = v;
  return o;
}

}  // namespace

// ---- pairs files ----

TEST(Seq2SeqPairs, ParsesTsvWithHeaderExtraColumnsAndRepeatedSources) {
  const auto pairs = parse_pairs_tsv("Source\tTarget\tlicence\n\nread\tR IY D\tCC-BY\r\nread\tR EH D\nab\tb a\n");
  ASSERT_EQ(pairs.size(), 3u);
  EXPECT_EQ(pairs[0].source, "read");
  EXPECT_EQ(pairs[0].target, "R IY D");
  EXPECT_EQ(pairs[0].line, 3);
  EXPECT_EQ(pairs[1].target, "R EH D");
  EXPECT_EQ(pairs[2].line, 5);
}

TEST(Seq2SeqPairs, BadLinesNamedOrSkippedAndCounted) {
  const std::string text = "a\tb\nno tab here\nc\t \n\t d\ne\tf\n";
  EXPECT_EQ(message_of([&] { parse_pairs_tsv(text); }), "line 2: missing tab between source and target");
  ParseReport report;
  ParseOptions skip;
  skip.skip_bad_lines = true;
  const auto pairs = parse_pairs_tsv(text, skip, &report);
  ASSERT_EQ(pairs.size(), 2u);
  EXPECT_EQ(pairs[1].line, 5);
  EXPECT_EQ(report.skipped, 3);
  EXPECT_EQ(report.problems, (std::vector<std::string>{"line 2: missing tab between source and target",
                                                        "line 3: empty target", "line 4: empty source"}));
  EXPECT_EQ(message_of([&] { parse_pairs_tsv("source\ttarget\n\n"); }),
            "no examples: only the header line, no source<TAB>target lines");
  EXPECT_EQ(message_of([&] { parse_pairs_tsv("x\n", skip); }),
            "no examples: all 1 line were bad (first: line 1: missing tab between source and target)");
  EXPECT_NE(message_of([&] { parse_pairs_tsv("a\t\xff\n"); }).find("line 1: invalid UTF-8"), std::string::npos);
}

TEST(Seq2SeqPairs, JsonArraysAndObjects) {
  const auto pairs = pair_examples_from_json(json::parse(R"([["ab", "ba"], {"source": "c", "target": "C"}])"));
  ASSERT_EQ(pairs.size(), 2u);
  EXPECT_EQ(pairs[1].source, "c");
  EXPECT_EQ(pairs[1].line, 2);
  EXPECT_EQ(message_of([] { pair_examples_from_json(json::parse(R"([["a", "b", "c"]])")); }),
            "examples[0] must be [source, target] or {source, target} (got an array of 3)");
  EXPECT_EQ(message_of([] { pair_examples_from_json(json::parse(R"([["a", 3]])")); }),
            "examples[0][1] must be a non-empty string (got number)");
  EXPECT_EQ(message_of([] { pair_examples_from_json(json::parse(R"([{"source": "a", "taget": "b"}])")); }),
            "examples[0]: unknown key 'taget'");
  EXPECT_EQ(message_of([] { pair_examples_from_json(json::parse(R"(["ab"])")); }),
            "examples[0] must be [source, target] or {source, target} (got string)");
}

// ---- options and tokenizers ----

TEST(Seq2SeqOptions, TokenizersPerSideAndTheirChecks) {
  RunConfig c = parse_run_config({{"task", "seq2seq"}, {"targetTokenizer", "whitespace"}, {"attention", "none"}});
  EXPECT_EQ(c.tokenizer.kind, TokenizerKind::Char);
  EXPECT_EQ(c.target_tokenizer.kind, TokenizerKind::Whitespace);
  EXPECT_FALSE(c.model.attention);
  EXPECT_FALSE(c.model.input_feeding);
  c = parse_run_config({{"task", "seq2seq"}, {"tokenizer", "word"}, {"attention", "dot"}});
  EXPECT_EQ(c.target_tokenizer.kind, TokenizerKind::Word);
  EXPECT_EQ(c.model.attention_score, AttentionScore::Dot);
  EXPECT_TRUE(c.model.input_feeding);  // the default with attention
  // Round trip through the model file's JSON.
  const RunConfig back = parse_run_config(run_config_to_json(c));
  EXPECT_EQ(run_config_to_json(back), run_config_to_json(c));
  EXPECT_EQ(message_of([] { parse_run_config({{"task", "classify"}, {"attention", "dot"}}); }),
            "option 'attention' is for task 'seq2seq'");
  EXPECT_EQ(message_of([] { parse_run_config({{"task", "seq2seq"}, {"attention", "luong"}}); }),
            "option 'attention' must be 'general', 'dot' or 'none' (got 'luong')");
  EXPECT_EQ(message_of([] { parse_run_config({{"task", "seq2seq"}, {"attention", "none"}, {"inputFeeding", true}}); }),
            "option 'inputFeeding' needs attention: it feeds the attentional state to the next step");
  EXPECT_EQ(message_of([] {
              parse_run_config({{"task", "seq2seq"}, {"targetTokenizer", "word"}, {"sharedVocabulary", true}});
            }),
            "option 'sharedVocabulary' needs the same tokenizer on both sides (source 'char', target 'word')");
  EXPECT_NE(message_of([] { parse_run_config({{"task", "seq2seq"}, {"scheduledSampling", 2}}); }).find("scheduledSampling"),
            std::string::npos);
}

TEST(Seq2SeqTask, SeparateVocabulariesWithStartAndEndTokens) {
  const RunConfig c = parse_run_config(small_options({{"targetTokenizer", "whitespace"}, {"validationFraction", 0}}));
  const Seq2SeqTask task(c, {parse_pairs_tsv("ab\tB A\nbc\tC B\nab\tA B\n")});
  EXPECT_EQ(task.source_tokenizer.vocab.entries(), (std::vector<std::string>{"b", "a", "c"}));  // no "\n" from joining
  EXPECT_EQ(task.target_tokenizer.vocab.entries(), (std::vector<std::string>{"B", "A", "C"}));
  EXPECT_EQ(task.start_token(), 3);
  EXPECT_EQ(task.end_token(), 4);
  EXPECT_EQ(task.config.model.target_vocab_size, 5);
  EXPECT_EQ(task.train.size(), 3);
  EXPECT_EQ(task.train_sources, 2);
  EXPECT_EQ(task.multi_reference_sources, 1);
  // Pair 0: source [a b] → decoder reads [<s> B A], predicts [B A </s>].
  EXPECT_EQ(std::vector<int32_t>(task.train.tokens.begin(), task.train.tokens.begin() + 2), (std::vector<int32_t>{1, 0}));
  EXPECT_EQ(std::vector<int32_t>(task.train.decoder_inputs.begin(), task.train.decoder_inputs.begin() + 3),
            (std::vector<int32_t>{3, 0, 1}));
  EXPECT_EQ(std::vector<int32_t>(task.train.decoder_targets.begin(), task.train.decoder_targets.begin() + 3),
            (std::vector<int32_t>{0, 1, 4}));
}

TEST(Seq2SeqTask, SharedVocabularyAndLengthCap) {
  const RunConfig c = parse_run_config(small_options({{"sharedVocabulary", true}, {"maxLength", 3}, {"validationFraction", 0}}));
  const Seq2SeqTask task(c, {parse_pairs_tsv("abcd\tdcba\nxy\tyx\n")});
  EXPECT_EQ(task.source_tokenizer.vocab.entries(), task.target_tokenizer.vocab.entries());
  EXPECT_EQ(task.source_tokenizer.vocab_size(), 6);
  EXPECT_EQ(task.config.model.target_vocab_size, 8);
  EXPECT_EQ(task.truncated_sources, 1);
  EXPECT_EQ(task.truncated_targets, 1);
  EXPECT_EQ(task.train.length(0), 3);
  EXPECT_EQ(task.train.target_length(0), 4);  // 3 tokens and the end token
  const json info = task.info();
  EXPECT_EQ(info["truncatedSources"], 1);
  EXPECT_EQ(info["sourceLengthHistogram"]["counts"], json({0, 0, 1, 1}));
}

TEST(Seq2SeqTask, SplitBySourceKeepsReferencesTogether) {
  // 40 sources, each with 1-3 targets.
  std::string tsv;
  for (int s = 0; s < 40; ++s)
    for (int k = 0; k <= s % 3; ++k) tsv += "w" + std::to_string(s) + "\tt" + std::to_string(s) + "_" + std::to_string(k) + "\n";
  const RunConfig c = parse_run_config(small_options({{"validationFraction", 0.25}}));
  const Seq2SeqTask task(c, {parse_pairs_tsv(tsv)});
  EXPECT_EQ(task.validation_sources.size(), 10u);  // a quarter of the 40 sources
  EXPECT_EQ(task.train_sources, 30);
  int64_t validation_pairs = 0;
  std::set<std::string> held_out;
  for (const auto& s : task.validation_sources) {
    held_out.insert(s.text);
    const int n = std::stoi(s.text.substr(1)) % 3 + 1;
    EXPECT_EQ((int)s.references.size(), n) << s.text;  // every target of the source, none left in training
    validation_pairs += n;
  }
  EXPECT_EQ(task.validation.size(), validation_pairs);
  EXPECT_EQ(task.train.size() + task.validation.size(), 79);  // 14 sources with 1 target, 13 with 2, 13 with 3
  // The same seed gives the same split.
  const Seq2SeqTask again(c, {parse_pairs_tsv(tsv)});
  for (size_t i = 0; i < task.validation_sources.size(); ++i)
    EXPECT_EQ(again.validation_sources[i].text, task.validation_sources[i].text);
}

// ---- metrics, by hand ----

TEST(TranslationMetrics, EditDistance) {
  EXPECT_EQ(edit_distance({}, {}), 0);
  EXPECT_EQ(edit_distance({1, 2, 3}, {}), 3);
  EXPECT_EQ(edit_distance({1, 2, 3}, {1, 3}), 1);
  EXPECT_EQ(edit_distance({1, 2, 3, 4}, {2, 1, 3, 5}), 3);  // kitten/sitting-like: sub, sub, sub... or del+ins+sub
  EXPECT_EQ(edit_distance({5, 1, 2, 3}, {1, 2, 3, 6}), 2);  // delete 5, insert 6
}

TEST(TranslationMetrics, ExactMatchAndTokenErrorRateAgainstTheClosestReference) {
  TranslationMetrics m;
  m.add({1, 2, 3}, {{1, 2, 4}, {1, 2, 3, 5, 6}});  // distances 1 (of 3) and 2 (of 5): the first is closest
  m.add({7}, {{7, 8, 9}});                         // 2 of 3
  m.add({1, 2}, {{1, 2}});                         // exact: 0 of 2
  m.add({5, 5}, {{5}, {5, 5, 5}});                 // 1 from both: the longer reference (3) counts
  EXPECT_EQ(m.sources(), 4);
  EXPECT_EQ(m.exact(), 1);
  EXPECT_DOUBLE_EQ(m.exact_match(), 0.25);
  EXPECT_DOUBLE_EQ(m.token_error_rate(), 4.0 / 11.0);  // (1 + 2 + 0 + 1) / (3 + 3 + 2 + 3)
  TranslationMetrics any;
  any.add({4, 4}, {{3}, {4, 4}});  // right if it equals any reference
  EXPECT_EQ(any.exact(), 1);
  EXPECT_DOUBLE_EQ(any.token_error_rate(), 0.0);
}

TEST(TranslationMetrics, Bleu4ByHand) {
  // hyp 1 2 3 4 5 6 against ref 1 2 3 4 5 7 8: p1 = 5/6, p2 = 4/5, p3 = 3/4, p4 = 2/3; c = 6 < r = 7.
  TranslationMetrics one;
  one.add({1, 2, 3, 4, 5, 6}, {{1, 2, 3, 4, 5, 7, 8}});
  EXPECT_DOUBLE_EQ(one.precision(1), 5.0 / 6);
  EXPECT_DOUBLE_EQ(one.precision(4), 2.0 / 3);
  EXPECT_NEAR(one.brevity_penalty(), std::exp(1 - 7.0 / 6), 1e-12);
  EXPECT_NEAR(one.bleu(), std::exp(-1.0 / 6) * std::pow(1.0 / 3, 0.25), 1e-12);  // 0.6431870
  // Corpus level: the counts add up before dividing. A perfect 4-token second source gives
  // p = 9/10, 7/8, 5/6, 3/4 and c = 10, r = 11.
  one.add({9, 9, 9, 9}, {{9, 9, 9, 9}});
  EXPECT_NEAR(one.bleu(), std::exp(1 - 11.0 / 10) * std::pow(0.9 * 0.875 * (5.0 / 6) * 0.75, 0.25), 1e-12);  // 0.7578848
  // Clipping: each n-gram counts at most as often as in one reference.
  TranslationMetrics clip;
  clip.add({1, 1, 1, 1}, {{1, 2, 3, 4}, {1, 1, 5, 6}});
  EXPECT_DOUBLE_EQ(clip.precision(1), 0.5);        // "1" ×4, at most 2 in one reference
  EXPECT_DOUBLE_EQ(clip.precision(2), 1.0 / 3);    // "1 1" ×3, once in the second
  EXPECT_DOUBLE_EQ(clip.bleu(), 0.0);              // no 3-gram matches
  // The brevity penalty's reference length is the closest, ties to the shorter.
  TranslationMetrics tie;
  tie.add({1, 2, 3, 4, 5}, {{1, 2, 3, 4}, {1, 2, 3, 4, 5, 6}});
  EXPECT_DOUBLE_EQ(tie.brevity_penalty(), 1.0);
  TranslationMetrics shorter;
  shorter.add({1, 2, 3, 4, 5}, {{1, 2, 3, 4, 5, 6}});
  EXPECT_NEAR(shorter.brevity_penalty(), std::exp(1 - 6.0 / 5), 1e-12);
}

// ---- training, evaluation, resume, model file ----

TEST(Seq2SeqSession, EvaluatesWithTheMetricsOfItsTask) {
  test::ThreadCount one(1);
  TrainingData data{"", json(reversal_tsv(60, 2, 5, 1)), nullptr};
  Session s(data, parse_run_config(small_options()));
  for (int i = 0; i < 5; ++i) s.step();
  const json e = s.evaluate_json();
  EXPECT_GT(e["loss"].get<double>(), 0);
  EXPECT_EQ(e["sources"], s.seq2seq_task->validation_sources.size());
  EXPECT_TRUE(e["bleu"].is_null());  // char-level targets
  EXPECT_EQ(e["samples"].size(), 5u);
  Seq2SeqEvalOptions o;
  o.max_examples = 3;
  o.beam = 2;
  const json few = s.evaluate_pairs(o);
  EXPECT_EQ(few["sources"], 3);
  EXPECT_EQ(few["beam"], 2);
  EXPECT_EQ(message_of([&] { s.evaluate_json(100); }),
            "an encoder–decoder is evaluated on a number of sources: use maxExamples, not maxTokens");
  const json info = s.info();
  EXPECT_EQ(info["task"], "seq2seq");
  EXPECT_EQ(info["targetTokenizer"], "char");
  EXPECT_EQ(info["attention"], "general");
}

TEST(Seq2SeqSession, ResumesBitExactly) {
  test::ThreadCount one(1);
  TrainingData data{"", json(reversal_tsv(50, 2, 6, 2)), nullptr};
  // Scheduled sampling and dropout draw from the checkpointed RNG too.
  const RunConfig c = parse_run_config(small_options({{"bidirectional", true}, {"scheduledSampling", 0.25},
                                                      {"layers", 2}, {"dropout", 0.1}}));
  Session a(data, c);
  for (int i = 0; i < 9; ++i) a.step();  // past an epoch boundary (5 batches per epoch)
  const std::string checkpoint = a.save_checkpoint();
  for (int i = 0; i < 7; ++i) a.step();
  Session b(data, reinterpret_cast<const uint8_t*>(checkpoint.data()), checkpoint.size());
  for (int i = 0; i < 7; ++i) b.step();
  EXPECT_EQ(a.save_checkpoint(), b.save_checkpoint());
  // Other pairs are refused.
  TrainingData other{"", json(reversal_tsv(50, 2, 6, 3)), nullptr};
  EXPECT_NE(message_of([&] { Session(other, reinterpret_cast<const uint8_t*>(checkpoint.data()), checkpoint.size()); })
                .find("resumeFrom: the checkpoint was trained on other examples"),
            std::string::npos);
}

TEST(Seq2SeqModelFile, RoundTripTranslatesTheSame) {
  test::ThreadCount one(1);
  TrainingData data{"", json(reversal_tsv(40, 2, 5, 4)), nullptr};
  Session s(data, parse_run_config(small_options({{"targetTokenizer", "whitespace"}})));
  for (int i = 0; i < 4; ++i) s.step();
  const std::string bytes = s.save_model();
  LoadedModel m(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  ASSERT_TRUE(m.translator);
  TranslateOptions o;
  o.beam = 3;
  o.n_best = 2;
  const json want = s.seq2seq_task->translate("abca", o), got = m.translate("abca", o);
  EXPECT_EQ(got, want);
  ASSERT_EQ(got.size(), 2u);
  const json& att = got[0]["attention"];
  EXPECT_EQ(att["source"], json({"a", "b", "c", "a"}));
  EXPECT_EQ(att["weights"].size(), att["target"].size() * 4);
  EXPECT_EQ(m.save(), bytes);
  EXPECT_EQ(m.info()["targetTokenizer"], "whitespace");
  // Scored on a file: the same metrics as the run's evaluation on the same pairs.
  TrainingData file{"", json("ab\tb a\nab\tx\ncab\tb a c\n"), nullptr};
  const json e = evaluate_loaded_model(m, file);
  EXPECT_EQ(e["sources"], 2);
  EXPECT_EQ(e["pairs"], 3);
  // Other models' calls say what the model is for.
  EXPECT_EQ(message_of([&] { m.generate({}); }), "this model was trained for task 'seq2seq', not to write text");
}

TEST(Seq2SeqModelFile, DamagedAndHostileFilesAreRefused) {
  test::ThreadCount one(1);
  TrainingData data{"", json(reversal_tsv(30, 2, 4, 5)), nullptr};
  // Without input feeding, so that turning attention off below leaves the decoder's tensors as they are.
  Session s(data, parse_run_config(small_options({{"inputFeeding", false}})));
  const std::string bytes = s.save_model();
  auto load = [](const std::string& b) { LoadedModel(reinterpret_cast<const uint8_t*>(b.data()), b.size()); };
  // Truncated.
  EXPECT_NE(message_of([&] { load(bytes.substr(0, bytes.size() - 10)); }).find("invalid model file"), std::string::npos);
  // Rewritten with one metadata entry changed, the tensors kept.
  const safetensors::File f = safetensors::parse(bytes);
  auto rewrite = [&](const std::function<void(std::map<std::string, std::string>&)>& edit) {
    std::map<std::string, std::string> meta = f.metadata;
    edit(meta);
    std::vector<std::vector<float>> store;
    std::vector<safetensors::TensorRef> refs;
    for (const auto& t : f.tensors) store.push_back(f.read_f32(t.name));
    for (size_t i = 0; i < f.tensors.size(); ++i)
      refs.push_back({f.tensors[i].name, f.tensors[i].shape, store[i].data(), store[i].size()});
    return safetensors::serialize(refs, meta);
  };
  EXPECT_EQ(message_of([&] { load(rewrite([](auto& m) { m.erase("target_tokenizer"); })); }),
            "model file of task 'seq2seq' has no 'target_tokenizer' metadata");
  EXPECT_EQ(message_of([&] {
              load(rewrite([](auto& m) {
                json t = json::parse(m["target_tokenizer"]);
                t["vocab"].erase(t["vocab"].begin());
                m["target_tokenizer"] = t.dump();
              }));
            }),
            "target vocabulary (with the start and end tokens) has " +
                std::to_string(s.seq2seq_task->target_tokenizer.vocab_size() + 1) +
                " tokens but tensor 'decoder.embedding.weight' has " +
                std::to_string(s.seq2seq_task->target_tokenizer.vocab_size() + 2) + " rows");
  EXPECT_EQ(message_of([&] {
              load(rewrite([](auto& m) {
                json c = json::parse(m["config"]);
                c["attention"] = "none";
                c["inputFeeding"] = false;
                m["config"] = c.dump();
              }));
            }),
            "model file has unexpected tensor 'attention.weight_a'");
  EXPECT_NE(message_of([&] {
              load(rewrite([](auto& m) {
                json c = json::parse(m["config"]);
                c["targetTokenizer"] = "word";
                m["config"] = c.dump();
              }));
            }).find("do not match its config"),
            std::string::npos);
  EXPECT_EQ(message_of([&] { load(rewrite([](auto& m) { m["target_tokenizer"] = "[1, 2"; })); }),
            "model file metadata 'target_tokenizer' is not valid JSON");
}
