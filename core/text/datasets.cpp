#include "text/datasets.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <sstream>
#include <string_view>

#include "common.h"
#include "rng.h"
#include "text/utf8.h"

namespace rnn {

using nlohmann::json;

namespace {

struct Line {
  std::string_view text;  // without the line ending
  int64_t number = 0;     // 1-based
};

// Lines ending in LF or CRLF; the last one may lack it. A UTF-8 byte order mark (as Windows
// editors write) is dropped so it cannot hide a header or start the first text.
std::vector<Line> split_lines(const std::string& s) {
  std::vector<Line> lines;
  std::string_view all(s);
  if (all.substr(0, 3) == "\xEF\xBB\xBF") all.remove_prefix(3);
  int64_t number = 1;
  size_t start = 0;
  while (start < all.size()) {
    size_t end = all.find('\n', start);
    if (end == std::string_view::npos) end = all.size();
    std::string_view line = all.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back({line, number++});
    start = end + 1;
  }
  return lines;
}

bool is_blank_char(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }

bool is_blank(std::string_view s) {
  return std::all_of(s.begin(), s.end(), is_blank_char);
}

// Throws "line N: invalid UTF-8 at byte B (reason)" for the first invalid sequence.
void check_utf8(const std::string& s) {
  const auto bad = validate_utf8(s);
  if (!bad) return;
  const int64_t line = 1 + std::count(s.begin(), s.begin() + static_cast<std::ptrdiff_t>(*bad), '\n');
  std::string what = "invalid UTF-8 at byte " + std::to_string(*bad);
  try {
    decode_utf8(s);  // its message adds the reason
  } catch (const Error& e) {
    what = e.what();
  }
  fail("line " + std::to_string(line) + ": " + what);
}

// A token or line as quoted in a message: at most 40 bytes, cut at a character boundary.
std::string quoted(std::string_view s) {
  if (s.size() <= 40) return "'" + std::string(s) + "'";
  size_t cut = 40;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  return "'" + std::string(s.substr(0, cut)) + "…'";
}

std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  return out;
}

// Bad lines: thrown, or (skip_bad_lines) counted and the first kMaxProblems kept.
struct Problems {
  const ParseOptions& options;
  ParseReport* report;
  int64_t skipped = 0;
  std::string first;

  Problems(const ParseOptions& o, ParseReport* r) : options(o), report(r) {
    if (report) *report = {};
  }
  void bad(int64_t line, const std::string& what) {
    const std::string msg = "line " + std::to_string(line) + ": " + what;
    if (!options.skip_bad_lines) fail(msg);
    if (skipped++ == 0) first = msg;
    if (report) {
      report->skipped = skipped;
      if (report->problems.size() < ParseReport::kMaxProblems) report->problems.push_back(msg);
    }
  }
  // Throws "no examples: …" when nothing was parsed. `unit` is what a skip skips.
  void require_some(size_t parsed, bool any_content, const char* unit, const std::string& empty_reason) const {
    if (parsed) return;
    if (skipped)
      fail("no examples: all " + std::to_string(skipped) + " " + unit + (skipped == 1 ? "" : "s") +
           " were bad (first: " + first + ")");
    fail(std::string("no examples: ") + (any_content ? empty_reason : "the input is empty"));
  }
};

struct Pair {
  std::string first, second;
  int64_t line = 0;
};

// `first<TAB>second` lines; `headers` are the accepted header lines, lower case.
std::vector<Pair> parse_two_columns(const std::string& text, const char* first, const char* second,
                                    std::initializer_list<const char*> headers, const ParseOptions& options,
                                    ParseReport* report) {
  check_utf8(text);
  Problems problems(options, report);
  std::vector<Pair> out;
  bool seen_content = false;
  for (const Line& line : split_lines(text)) {
    if (is_blank(line.text)) continue;
    if (!seen_content) {
      seen_content = true;
      const std::string lower = ascii_lower(line.text);
      if (std::any_of(headers.begin(), headers.end(), [&](const char* h) { return lower == h; })) continue;
    }
    const size_t tab = line.text.find('\t');
    if (tab == std::string_view::npos) {
      problems.bad(line.number, std::string("missing tab between ") + first + " and " + second);
      continue;
    }
    const size_t columns = 1 + static_cast<size_t>(std::count(line.text.begin(), line.text.end(), '\t'));
    if (columns > 2) {
      problems.bad(line.number, std::to_string(columns) + " tab-separated columns, expected 2 (" + first + "<TAB>" +
                                    second + "; the text may not contain a tab)");
      continue;
    }
    const std::string_view a = line.text.substr(0, tab), b = line.text.substr(tab + 1);
    if (is_blank(a)) {
      problems.bad(line.number, std::string("empty ") + first);
      continue;
    }
    if (is_blank(b)) {
      problems.bad(line.number, std::string("empty ") + second);
      continue;
    }
    out.push_back({std::string(a), std::string(b), line.number});
  }
  problems.require_some(out.size(), seen_content, "line",
                        std::string("only the header line, no ") + first + "<TAB>" + second + " lines");
  return out;
}

std::vector<std::string_view> split_tabs(std::string_view s) {
  std::vector<std::string_view> out;
  size_t start = 0;
  for (;;) {
    const size_t tab = s.find('\t', start);
    if (tab == std::string_view::npos) {
      out.push_back(s.substr(start));
      return out;
    }
    out.push_back(s.substr(start, tab - start));
    start = tab + 1;
  }
}

// A tab after the first non-blank character (the Brown corpus indents with one).
bool has_inner_tab(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && is_blank_char(s[i])) ++i;
  return s.find('\t', i) != std::string_view::npos;
}

std::vector<TagExample> parse_conll(const std::vector<Line>& lines, Problems& problems) {
  std::vector<TagExample> out;
  TagExample sentence;
  bool bad = false;
  const auto end_sentence = [&] {
    if (!bad && !sentence.tokens.empty()) out.push_back(std::move(sentence));
    sentence = {};
    bad = false;
  };
  for (const Line& line : lines) {
    if (is_blank(line.text)) {
      end_sentence();
      continue;
    }
    const auto columns = split_tabs(line.text);
    if (columns[0] == "-DOCSTART-") {
      end_sentence();
      continue;
    }
    if (bad) continue;  // the rest of a sentence already skipped
    const char* what = nullptr;
    if (columns.size() < 2) what = "missing tab between token and tag";
    else if (is_blank(columns.front())) what = "empty token";
    else if (is_blank(columns.back())) what = "empty tag";
    if (what) {
      problems.bad(line.number, what);
      bad = true;
      continue;
    }
    if (sentence.tokens.empty()) sentence.line = line.number;
    sentence.tokens.emplace_back(columns.front());
    sentence.tags.emplace_back(columns.back());
  }
  end_sentence();
  return out;
}

std::vector<TagExample> parse_word_tag(const std::vector<Line>& lines, Problems& problems) {
  std::vector<TagExample> out;
  for (const Line& line : lines) {
    if (is_blank(line.text)) continue;
    TagExample sentence;
    sentence.line = line.number;
    std::string what;
    const std::string_view s = line.text;
    size_t i = 0;
    while (what.empty()) {
      while (i < s.size() && is_blank_char(s[i])) ++i;
      if (i == s.size()) break;
      size_t end = i;
      while (end < s.size() && !is_blank_char(s[end])) ++end;
      const std::string_view token = s.substr(i, end - i);
      i = end;
      const size_t slash = token.rfind('/');
      if (slash == std::string_view::npos) what = "token " + quoted(token) + " has no tag (expected word/tag)";
      else if (slash + 1 == token.size()) what = "empty tag in token " + quoted(token);
      else if (slash == 0) what = "empty word in token " + quoted(token);
      else {
        sentence.tokens.emplace_back(token.substr(0, slash));
        sentence.tags.emplace_back(token.substr(slash + 1));
      }
    }
    if (!what.empty()) {
      problems.bad(line.number, what);
      continue;
    }
    out.push_back(std::move(sentence));
  }
  return out;
}

// ---- JSON ----

std::string at_index(size_t i) { return "examples[" + std::to_string(i) + "]"; }

const json& example_array(const json& j) {
  if (!j.is_array()) fail(std::string("examples must be an array (got ") + j.type_name() + ")");
  if (j.empty()) fail("no examples: the array is empty");
  return j;
}

void check_object(const json& e, size_t i, std::initializer_list<const char*> keys) {
  if (!e.is_object()) fail(at_index(i) + " must be an object (got " + e.type_name() + ")");
  for (auto it = e.begin(); it != e.end(); ++it)
    if (std::none_of(keys.begin(), keys.end(), [&](const char* k) { return it.key() == k; }))
      fail(at_index(i) + ": unknown key '" + it.key() + "'");
}

void check_utf8_field(const std::string& s, const std::string& name) {
  if (!validate_utf8(s)) return;
  try {
    decode_utf8(s);
  } catch (const Error& e) {
    fail(name + ": " + e.what());
  }
}

// A non-empty (not only spaces), valid UTF-8 string; `name` is how the message calls it.
std::string read_string(const json* v, const std::string& name) {
  if (!v) fail(name + " must be a non-empty string (missing)");
  if (!v->is_string()) fail(name + " must be a non-empty string (got " + v->type_name() + ")");
  std::string s = v->get<std::string>();
  if (is_blank(s)) fail(name + " must be a non-empty string");
  check_utf8_field(s, name);
  return s;
}

const json* field(const json& e, const char* key) {
  const auto it = e.find(key);
  return it == e.end() ? nullptr : &*it;
}

std::vector<std::string> read_strings(const json* v, const std::string& name) {
  const std::string want = name + " must be a non-empty array of strings";
  if (!v) fail(want + " (missing)");
  if (!v->is_array()) fail(want + " (got " + v->type_name() + ")");
  if (v->empty()) fail(want);
  std::vector<std::string> out;
  out.reserve(v->size());
  for (size_t k = 0; k < v->size(); ++k) out.push_back(read_string(&(*v)[k], name + "[" + std::to_string(k) + "]"));
  return out;
}

// floor(count · fraction), tolerant of the last bit of rounding (100 × 0.29 = 28.999999999999996).
int64_t share(int64_t count, double fraction) {
  return static_cast<int64_t>(std::floor(static_cast<double>(count) * fraction + 1e-9));
}

template <typename T>
void shuffle(std::vector<T>& v, Rng& rng) {
  for (size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[rng.below(static_cast<uint32_t>(i))]);
}

}  // namespace

std::vector<ClassifyExample> parse_classify_tsv(const std::string& text, const ParseOptions& options,
                                                ParseReport* report) {
  std::vector<ClassifyExample> out;
  for (Pair& p : parse_two_columns(text, "text", "label", {"text\tlabel"}, options, report))
    out.push_back({std::move(p.first), std::move(p.second), p.line});
  return out;
}

std::vector<CategoryExample> parse_category_tsv(const std::string& text, const ParseOptions& options,
                                                ParseReport* report) {
  std::vector<CategoryExample> out;
  for (Pair& p : parse_two_columns(text, "category", "text", {"category\ttext", "label\ttext"}, options, report))
    out.push_back({std::move(p.first), std::move(p.second), p.line});
  return out;
}

std::vector<PairExample> parse_pairs_tsv(const std::string& text, const ParseOptions& options, ParseReport* report) {
  check_utf8(text);
  Problems problems(options, report);
  std::vector<PairExample> out;
  bool seen_content = false;
  for (const Line& line : split_lines(text)) {
    if (is_blank(line.text)) continue;
    const std::vector<std::string_view> columns = split_tabs(line.text);
    if (!seen_content) {
      seen_content = true;
      if (columns.size() >= 2 && ascii_lower(columns[0]) == "source" && ascii_lower(columns[1]) == "target") continue;
    }
    const char* what = nullptr;
    if (columns.size() < 2) what = "missing tab between source and target";
    else if (is_blank(columns[0])) what = "empty source";
    else if (is_blank(columns[1])) what = "empty target";
    if (what) {
      problems.bad(line.number, what);
      continue;
    }
    out.push_back({std::string(columns[0]), std::string(columns[1]), line.number});
  }
  problems.require_some(out.size(), seen_content, "line", "only the header line, no source<TAB>target lines");
  return out;
}

std::vector<TagExample> parse_tagged(const std::string& text, const ParseOptions& options, ParseReport* report) {
  check_utf8(text);
  Problems problems(options, report);
  const std::vector<Line> lines = split_lines(text);
  const bool conll = std::any_of(lines.begin(), lines.end(), [](const Line& l) { return has_inner_tab(l.text); });
  const bool any_content = std::any_of(lines.begin(), lines.end(), [](const Line& l) { return !is_blank(l.text); });
  std::vector<TagExample> out = conll ? parse_conll(lines, problems) : parse_word_tag(lines, problems);
  problems.require_some(out.size(), any_content, "sentence", "no tokens outside -DOCSTART- lines");
  return out;
}

std::vector<ClassifyExample> classify_examples_from_json(const json& j) {
  std::vector<ClassifyExample> out;
  const json& a = example_array(j);
  for (size_t i = 0; i < a.size(); ++i) {
    const json& e = a[i];
    check_object(e, i, {"text", "label"});
    ClassifyExample ex;
    ex.text = read_string(field(e, "text"), at_index(i) + ".text");
    ex.label = read_string(field(e, "label"), at_index(i) + ".label");
    ex.line = static_cast<int64_t>(i) + 1;
    out.push_back(std::move(ex));
  }
  return out;
}

std::vector<TagExample> tag_examples_from_json(const json& j) {
  std::vector<TagExample> out;
  const json& a = example_array(j);
  for (size_t i = 0; i < a.size(); ++i) {
    const json& e = a[i];
    check_object(e, i, {"tokens", "tags"});
    TagExample ex;
    ex.tokens = read_strings(field(e, "tokens"), at_index(i) + ".tokens");
    ex.tags = read_strings(field(e, "tags"), at_index(i) + ".tags");
    if (ex.tokens.size() != ex.tags.size())
      fail(at_index(i) + ": " + std::to_string(ex.tokens.size()) + " token" + (ex.tokens.size() == 1 ? "" : "s") +
           " but " + std::to_string(ex.tags.size()) + " tag" + (ex.tags.size() == 1 ? "" : "s"));
    ex.line = static_cast<int64_t>(i) + 1;
    out.push_back(std::move(ex));
  }
  return out;
}

std::vector<CategoryExample> category_examples_from_json(const json& j) {
  std::vector<CategoryExample> out;
  const json& a = example_array(j);
  for (size_t i = 0; i < a.size(); ++i) {
    const json& e = a[i];
    check_object(e, i, {"label", "text"});
    CategoryExample ex;
    ex.label = read_string(field(e, "label"), at_index(i) + ".label");
    ex.text = read_string(field(e, "text"), at_index(i) + ".text");
    ex.line = static_cast<int64_t>(i) + 1;
    out.push_back(std::move(ex));
  }
  return out;
}

std::vector<PairExample> pair_examples_from_json(const json& j) {
  std::vector<PairExample> out;
  const json& a = example_array(j);
  for (size_t i = 0; i < a.size(); ++i) {
    const json& e = a[i];
    PairExample ex;
    if (e.is_array()) {
      if (e.size() != 2)
        fail(at_index(i) + " must be [source, target] or {source, target} (got an array of " + std::to_string(e.size()) +
             ")");
      ex.source = read_string(&e[0], at_index(i) + "[0]");
      ex.target = read_string(&e[1], at_index(i) + "[1]");
    } else {
      if (!e.is_object())
        fail(at_index(i) + " must be [source, target] or {source, target} (got " + e.type_name() + ")");
      check_object(e, i, {"source", "target"});
      ex.source = read_string(field(e, "source"), at_index(i) + ".source");
      ex.target = read_string(field(e, "target"), at_index(i) + ".target");
    }
    ex.line = static_cast<int64_t>(i) + 1;
    out.push_back(std::move(ex));
  }
  return out;
}

SplitIndices split_examples(int64_t n, double fraction, uint64_t seed, const std::vector<int32_t>* strata) {
  if (!(fraction >= 0.0 && fraction <= 0.5)) {
    std::ostringstream msg;
    msg << "validationFraction must be in [0, 0.5] (got " << fraction << ")";
    fail(msg.str());
  }
  if (n < 0 || n > static_cast<int64_t>(UINT32_MAX))
    fail("split_examples: n must be between 0 and 4294967295 (got " + std::to_string(n) + ")");
  if (strata && static_cast<int64_t>(strata->size()) != n)
    fail("split_examples: " + std::to_string(strata->size()) + " strata for " + std::to_string(n) + " examples");
  Rng rng(seed);
  const int64_t total = share(n, fraction);
  SplitIndices out;
  // Each group is shuffled and gives its first quota[g] examples to validation.
  std::vector<std::vector<int64_t>> groups;
  std::vector<int64_t> quota;
  if (!strata) {
    groups.emplace_back(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) groups[0][static_cast<size_t>(i)] = i;
    quota.push_back(total);
    shuffle(groups[0], rng);
  } else {
    std::map<int32_t, std::vector<int64_t>> by_value;  // ascending stratum value, indices ascending
    for (int64_t i = 0; i < n; ++i) by_value[(*strata)[static_cast<size_t>(i)]].push_back(i);
    int64_t given = 0;
    std::vector<double> remainder;
    for (auto& [value, members] : by_value) {
      shuffle(members, rng);
      const int64_t count = static_cast<int64_t>(members.size());
      quota.push_back(share(count, fraction));
      remainder.push_back(static_cast<double>(count) * fraction - static_cast<double>(quota.back()));
      given += quota.back();
      groups.push_back(std::move(members));
    }
    // Largest remainders take the leftover slots; equal ones in a seeded random order.
    std::vector<size_t> order(groups.size());
    for (size_t g = 0; g < order.size(); ++g) order[g] = g;
    shuffle(order, rng);
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return remainder[a] > remainder[b]; });
    for (size_t g : order) {
      if (given >= total) break;
      if (groups[g].size() >= 2 && remainder[g] > 1e-9) {
        ++quota[g];
        ++given;
      }
    }
  }
  for (size_t g = 0; g < groups.size(); ++g) {
    const auto cut = groups[g].begin() + static_cast<std::ptrdiff_t>(quota[g]);
    out.validation.insert(out.validation.end(), groups[g].begin(), cut);
    out.train.insert(out.train.end(), cut, groups[g].end());
  }
  std::sort(out.validation.begin(), out.validation.end());
  std::sort(out.train.begin(), out.train.end());
  return out;
}

}  // namespace rnn
