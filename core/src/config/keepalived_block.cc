#include "keepalived_block.h"

namespace lvs::config::detail {
namespace {

constexpr int kMaxDepth = 64;

class BlockParser {
 public:
  explicit BlockParser(const TokenStream& stream) : s_(stream) {}

  std::vector<Statement> parse_list(int depth, const Token* opener) {
    if (depth > kMaxDepth) fail(*opener, "blocks nested deeper than " + std::to_string(kMaxDepth));
    std::vector<Statement> list;
    while (i_ < s_.tokens.size()) {
      const Token& t = s_.tokens[i_];
      switch (t.kind) {
        case TokenKind::kEol:
          ++i_;
          break;
        case TokenKind::kClose:
          ++i_;
          if (opener == nullptr) fail(t, "unexpected '}': no block is open");
          return list;
        case TokenKind::kOpen:
          if (list.empty() || list.back().has_block) fail(t, "expected a keyword before '{'");
          open_block(list.back(), depth);
          break;
        case TokenKind::kWord:
          list.push_back(parse_statement(depth));
          break;
      }
    }
    if (opener != nullptr) {
      fail(*opener, "unbalanced braces: expected '}' to close this '{' before end of input");
    }
    return list;
  }

 private:
  Statement parse_statement(int depth) {
    Statement st;
    st.keyword = s_.tokens[i_++];
    while (i_ < s_.tokens.size() && s_.tokens[i_].kind == TokenKind::kWord) {
      st.args.push_back(s_.tokens[i_++]);
    }
    if (i_ < s_.tokens.size() && s_.tokens[i_].kind == TokenKind::kOpen) open_block(st, depth);
    return st;
  }

  void open_block(Statement& st, int depth) {
    st.has_block = true;
    st.open = s_.tokens[i_++];
    st.children = parse_list(depth + 1, &st.open);
  }

  [[noreturn]] void fail(const Token& t, const std::string& message) const {
    throw ConfigError(SourcePos{s_.files[static_cast<std::size_t>(t.file)], t.line, t.column},
                      message);
  }

  const TokenStream& s_;
  std::size_t i_ = 0;
};

}  // namespace

std::vector<Statement> parse_blocks(const TokenStream& stream) {
  BlockParser parser(stream);
  return parser.parse_list(0, nullptr);
}

}  // namespace lvs::config::detail
