// `npm start` (for now): train a small LSTM language model on the bytes of a text file and print
// the loss as it falls, then a greedy sample.  usage: rnn_demo [file] [steps]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

#include "trainer.h"

int main(int argc, char** argv) {
  const std::string path = argc > 1 ? argv[1] : "README.md";
  const int steps = argc > 2 ? std::atoi(argv[2]) : 300;
  std::ifstream f(path, std::ios::binary);
  if (!f) {
    std::cerr << "rnn_demo: cannot read " << path << "\n";
    return 1;
  }
  std::stringstream ss;
  ss << f.rdbuf();
  const std::string text = ss.str();
  // Byte-level vocabulary: the distinct bytes of the file.
  std::vector<int32_t> byte_to_id(256, -1);
  std::string id_to_byte;
  std::vector<int32_t> ids;
  for (unsigned char c : text) {
    if (byte_to_id[c] < 0) {
      byte_to_id[c] = (int32_t)id_to_byte.size();
      id_to_byte += (char)c;
    }
    ids.push_back(byte_to_id[c]);
  }
  try {
    rnn::TrainerConfig tc;
    tc.model.vocab_size = (int)id_to_byte.size();
    tc.model.embedding_size = 32;
    tc.model.hidden_size = 128;
    tc.model.layers = 2;
    tc.batch_size = 16;
    tc.seq_length = 32;
    tc.clip.norm = 5.0f;
    tc.optimizer.learning_rate = 3e-3f;
    rnn::Trainer tr(tc, ids);
    std::printf("rnn_demo: %zu bytes of %s, vocabulary %d, %zu parameters, %d batches per epoch\n", text.size(),
                path.c_str(), tc.model.vocab_size, tr.model.params.total, tr.train_batches.n_batches);
    const auto t0 = std::chrono::steady_clock::now();
    double avg = 0;
    for (int i = 1; i <= steps; ++i) {
      auto r = tr.train_step();
      avg = i == 1 ? r.loss : 0.9 * avg + 0.1 * r.loss;
      if (i % 25 == 0 || i == 1) {
        double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        std::printf("step %4d  epoch %3lld  loss %.4f  (smoothed %.4f)  %.0f tokens/s\n", i, (long long)r.epoch, r.loss,
                    avg, (double)i * tc.batch_size * tc.seq_length / s);
      }
    }
    // Greedy continuation, one step of the network per byte.
    rnn::ModelState s = tr.model.zero_state(1);
    std::vector<float> logits(tc.model.vocab_size);
    int32_t tok = ids[0];
    std::string out(1, id_to_byte[tok]);
    for (int i = 0; i < 200; ++i) {
      tr.model.step(&tok, 1, s, logits.data());
      tok = (int32_t)(std::max_element(logits.begin(), logits.end()) - logits.begin());
      out += id_to_byte[tok];
    }
    std::printf("sample: %s\n", out.c_str());
  } catch (const rnn::Error& e) {
    std::cerr << "rnn_demo: " << e.what() << "\n";
    return 1;
  }
}
