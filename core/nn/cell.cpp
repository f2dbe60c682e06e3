#include "nn/cell.h"

#include "common.h"

namespace rnn {

const char* cell_name(CellType c) {
  switch (c) {
    case CellType::Rnn: return "rnn";
    case CellType::Lstm: return "lstm";
    case CellType::Gru: return "gru";
  }
  return "?";
}

CellType parse_cell(const std::string& name) {
  if (name == "rnn") return CellType::Rnn;
  if (name == "lstm") return CellType::Lstm;
  if (name == "gru") return CellType::Gru;
  fail("option 'cell' must be 'lstm', 'gru' or 'rnn' (got '" + name + "')");
}

int cell_gates(CellType c) { return c == CellType::Lstm ? 4 : c == CellType::Gru ? 3 : 1; }

}  // namespace rnn
