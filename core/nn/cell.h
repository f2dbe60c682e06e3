// The three recurrent cells and their gate counts (rows of W_ih / W_hh per hidden unit).
#pragma once
#include <string>

namespace rnn {

enum class CellType { Rnn, Lstm, Gru };
const char* cell_name(CellType c);
CellType parse_cell(const std::string& name);  // "rnn" | "lstm" | "gru"
int cell_gates(CellType c);                    // 1 | 4 [i f g o] | 3 [r z n]

}  // namespace rnn
