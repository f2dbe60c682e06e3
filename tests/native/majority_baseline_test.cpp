// evaluate()'s majorityBaseline for task 'classify' is the accuracy of always answering the
// commonest training label: the share of validation examples whose TRUE label is that label,
// whatever the model predicts (d665207 summed the confusion matrix's column instead, i.e. the share
// *predicted* as that label).
#include <gtest/gtest.h>

#include "io/config.h"
#include "tasks/example_task.h"

using namespace rnn;

TEST(MajorityBaseline, IsTheShareOfValidationExamplesWithTheCommonestTrainingLabel) {
  ExampleData train, validation;
  // Training: 'a' six times, 'b' twice → majority 'a'. Validation: one 'a', three 'b' → 1/4.
  for (int i = 0; i < 6; ++i) train.classify.push_back({"xa" + std::string(i + 1, 'a'), "a", i + 1});
  for (int i = 0; i < 2; ++i) train.classify.push_back({"yb" + std::string(i + 1, 'b'), "b", i + 7});
  validation.classify.push_back({"xaa", "a", 1});
  for (int i = 0; i < 3; ++i) validation.classify.push_back({"ybb" + std::string(i, 'b'), "b", i + 2});
  for (int steps : {0, 30}) {  // untrained (predictions arbitrary) and after some training
    ExampleTask task(parse_run_config({{"task", "classify"}, {"tokenizer", "char"}, {"hidden", 8}, {"embedding", 4},
                                       {"layers", 1}, {"batchSize", 4}, {"learningRate", 0.05}, {"seed", 3}}),
                     train, validation);
    for (int s = 0; s < steps; ++s) task.step();
    const nlohmann::json e = task.evaluate();
    EXPECT_EQ(e["majorityLabel"], "a");
    EXPECT_DOUBLE_EQ(e["majorityBaseline"].get<double>(), 0.25) << "after " << steps << " steps";
    // The confusion matrix's row of the majority label holds its validation examples.
    int64_t row = 0;
    for (const auto& v : e["confusion"]["matrix"][0]) row += v.get<int64_t>();
    EXPECT_EQ(row, 1);
  }
}
