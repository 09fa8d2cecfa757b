#pragma once
// keepalived.conf preprocessing and tokenizing: comments, quotes, `@id`
// conditional lines, `$NAME` parameters and `include`. The result is a flat
// token stream with end-of-line markers, positions pointing into the file
// each token came from.

#include <string>
#include <string_view>
#include <vector>

#include "lvs/config/diagnostics.h"
#include "lvs/config/keepalived.h"

namespace lvs::config::detail {

enum class TokenKind : unsigned char { kWord, kOpen, kClose, kEol };

struct Token {
  TokenKind kind = TokenKind::kWord;
  std::string text;
  int file = 0;  // index into TokenStream::files
  int line = 0;
  int column = 0;
  bool quoted = false;
};

struct TokenStream {
  std::vector<std::string> files;
  std::vector<Token> tokens;
  std::vector<Warning> warnings;
};

TokenStream tokenize_keepalived(std::string_view text, const std::string& file,
                                const KeepalivedOptions& options);

}  // namespace lvs::config::detail
