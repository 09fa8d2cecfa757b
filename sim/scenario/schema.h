#pragma once
// The shape of a scenario file: which keys each mapping may hold and which
// fields are lists. The parser rejects keys not listed here, and --set walks
// the same table, so the two can never disagree. Sections are named by their
// dotted path with list indices written as `*` ("topology.routers.*").

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lvs::scenario {

// The keys a mapping at `pattern` may hold; nullptr when `pattern` is not a mapping.
const std::vector<std::string_view>* schema_keys(std::string_view pattern);
// True when the field at `pattern` is a list whose items are indexed.
bool schema_is_list(std::string_view pattern);

// "workloads.0.rate" -> "workloads.*.rate".
std::string schema_pattern(std::string_view path);

// Levenshtein distance, for "did you mean" hints.
std::size_t edit_distance(std::string_view a, std::string_view b);
// The closest candidate within a distance that still looks like a typo.
std::optional<std::string_view> closest_key(std::string_view key,
                                            const std::vector<std::string_view>& candidates);
// " (did you mean 'X'?)" or "".
std::string did_you_mean(std::string_view key, const std::vector<std::string_view>& candidates);

}  // namespace lvs::scenario
