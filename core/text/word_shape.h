// The shape of a word (its signature), for words the vocabulary does not know: "<unk:Cing>" for
// "Walking", "<unk:ld>" for "1960", … — so a tagger still sees that an unknown word is capitalised,
// a number, hyphenated or ends like a verb form, instead of one undifferentiated <unk>.
//   capitalisation: A (all capitals, 2+ letters), C (first letter capital), l (lower), o (other)
//   digits:         d (only digits and . , : / -) or dx (digits mixed with letters)
//   hyphen:         -
//   suffix:         the first of 's s' ing ed ly tion ness ment able ible ous ive al er est ful less
//                   ist ism ity ic ian y s that ends the (ASCII lower-cased) word
// A simplified form of the unknown-word signatures of the Berkeley parser (Petrov et al. 2006);
// nothing in it is specific to one tag set. English-centred suffixes; other scripts get 'o'.
#pragma once
#include <string>

namespace rnn {

// "<unk:" + signature + ">"
std::string word_shape(const std::string& word);

}  // namespace rnn
