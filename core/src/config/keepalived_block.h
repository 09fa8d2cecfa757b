#pragma once
// Groups the keepalived token stream into statements: a keyword, its
// arguments up to the end of the line, and an optional `{ ... }` block of
// child statements. A `{` alone on the next line opens the previous
// statement's block, as keepalived accepts.

#include <vector>

#include "keepalived_lexer.h"

namespace lvs::config::detail {

struct Statement {
  Token keyword;
  std::vector<Token> args;
  bool has_block = false;
  Token open;
  std::vector<Statement> children;
};

std::vector<Statement> parse_blocks(const TokenStream& stream);

}  // namespace lvs::config::detail
