#pragma once
// printf-style column padding without printf: "%-Ns" and "%Ns" for the
// ipvsadm formatters, so every width is explicit and type-safe.

#include <cstddef>
#include <string>
#include <string_view>

namespace lvs::format_detail {

// "%-Ns": left-aligned, padded with spaces to at least `width`.
inline void put_left(std::string& out, std::string_view text, std::size_t width) {
  out.append(text);
  if (text.size() < width) out.append(width - text.size(), ' ');
}

// "%Ns": right-aligned, padded with spaces to at least `width`.
inline void put_right(std::string& out, std::string_view text, std::size_t width) {
  if (text.size() < width) out.append(width - text.size(), ' ');
  out.append(text);
}

// "%02u".
inline std::string two_digits(unsigned value) {
  std::string s = std::to_string(value);
  return s.size() < 2 ? "0" + s : s;
}

}  // namespace lvs::format_detail
