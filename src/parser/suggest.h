// "did you mean ...?" hints from edit distance.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ms {

// Edits (insert, delete, replace, swap neighbours) from a to b, ignoring case.
size_t edit_distance(std::string_view a, std::string_view b);

// The closest candidate if it is close enough to be a likely typo, else "".
std::string closest_match(std::string_view word, const std::vector<std::string>& candidates);

// "did you mean 'count'?" or "" when nothing is close.
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace ms
