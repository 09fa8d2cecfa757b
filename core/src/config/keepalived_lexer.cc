#include "keepalived_lexer.h"

#include <map>

namespace lvs::config::detail {
namespace {

constexpr std::size_t kMaxExpandedLine = 1u << 20;
constexpr int kMaxSubstitutionPasses = 32;

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\v' || c == '\f' || c == '\r'; }
bool is_name_start(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}
bool is_name_char(char c) { return is_name_start(c) || (c >= '0' && c <= '9'); }

class Lexer {
 public:
  Lexer(const KeepalivedOptions& options, TokenStream& out) : options_(options), out_(out) {}

  void lex_file(std::string_view text, const std::string& name, unsigned depth) {
    const int file = static_cast<int>(out_.files.size());
    out_.files.push_back(name);
    int lineno = 0;
    std::size_t start = 0;
    while (start <= text.size()) {
      std::size_t end = text.find('\n', start);
      if (end == std::string_view::npos) end = text.size();
      ++lineno;
      handle_line(std::string(text.substr(start, end - start)), file, lineno, depth);
      start = end + 1;
    }
    pending_def_.clear();
  }

 private:
  SourcePos pos(int file, int line, int column) const {
    return SourcePos{out_.files[static_cast<std::size_t>(file)], line, column};
  }

  void handle_line(std::string line, int file, int lineno, unsigned depth) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!pending_def_.empty()) {
      continue_definition(line);
      return;
    }
    std::size_t p = 0;
    while (p < line.size() && is_space(line[p])) ++p;
    if (p < line.size() && line[p] == '@') {
      if (!conditional_applies(line, p, file, lineno)) return;
    }
    while (p < line.size() && is_space(line[p])) ++p;
    if (p < line.size() && line[p] == '$' && try_definition(line, p)) return;
    if (line.find('$') != std::string::npos) {
      const std::string expanded = substitute(line, file, lineno);
      std::size_t s = 0;
      while (s <= expanded.size()) {
        std::size_t e = expanded.find('\n', s);
        if (e == std::string::npos) e = expanded.size();
        tokenize_line(expanded.substr(s, e - s), file, lineno, depth);
        s = e + 1;
      }
      return;
    }
    tokenize_line(line, file, lineno, depth);
  }

  // `@id rest` / `@^id rest`: blank the prefix (keeping columns) when the
  // line applies, or report that it is to be skipped.
  bool conditional_applies(std::string& line, std::size_t at, int file, int lineno) {
    std::size_t p = at + 1;
    const bool negate = p < line.size() && line[p] == '^';
    if (negate) ++p;
    const std::size_t id_start = p;
    while (p < line.size() && !is_space(line[p])) ++p;
    if (p == id_start) {
      throw ConfigError(pos(file, lineno, static_cast<int>(at) + 1),
                        "expected a config id after '@'");
    }
    const std::string id = line.substr(id_start, p - id_start);
    const bool match = options_.config_id && *options_.config_id == id;
    if (match == negate) return false;
    for (std::size_t i = at; i < p; ++i) line[i] = ' ';
    return true;
  }

  bool try_definition(const std::string& line, std::size_t at) {
    std::size_t p = at + 1;
    if (p >= line.size() || !is_name_start(line[p])) return false;
    while (p < line.size() && is_name_char(line[p])) ++p;
    if (p >= line.size() || line[p] != '=') return false;
    const std::string name = line.substr(at + 1, p - at - 1);
    std::string value = line.substr(p + 1);
    while (!value.empty() && is_space(value.back())) value.pop_back();
    if (!value.empty() && value.back() == '\\') {
      value.pop_back();
      pending_def_ = name;
    }
    defs_[name] = value;
    return true;
  }

  void continue_definition(std::string line) {
    while (!line.empty() && is_space(line.back())) line.pop_back();
    const bool more = !line.empty() && line.back() == '\\';
    if (more) line.pop_back();
    std::string& value = defs_[pending_def_];
    if (value.find_first_not_of(" \t") == std::string::npos) {
      value = line;
    } else {
      value += '\n';
      value += line;
    }
    if (!more) pending_def_.clear();
  }

  // One pass replaces every defined $NAME / ${NAME}; passes repeat while
  // something changed so definitions may use other definitions.
  std::string substitute(const std::string& line, int file, int lineno) const {
    std::string current = line;
    for (int pass = 0; pass < kMaxSubstitutionPasses; ++pass) {
      bool changed = false;
      std::string next;
      for (std::size_t i = 0; i < current.size();) {
        if (current[i] != '$') {
          next += current[i++];
          continue;
        }
        std::size_t name_start = i + 1;
        const bool braced = name_start < current.size() && current[name_start] == '{';
        if (braced) ++name_start;
        std::size_t p = name_start;
        if (p < current.size() && is_name_start(current[p])) {
          while (p < current.size() && is_name_char(current[p])) ++p;
        }
        const bool closed = !braced || (p < current.size() && current[p] == '}');
        auto it = defs_.find(current.substr(name_start, p - name_start));
        if (p == name_start || !closed || it == defs_.end()) {
          next += current[i++];
          continue;
        }
        next += it->second;
        changed = true;
        i = braced ? p + 1 : p;
        if (next.size() > kMaxExpandedLine) {
          throw ConfigError(pos(file, lineno, 1), "parameter substitution grows beyond 1 MiB");
        }
      }
      if (!changed) return current;
      current = std::move(next);
    }
    throw ConfigError(pos(file, lineno, 1),
                      "parameter substitution does not terminate (recursive definition?)");
  }

  void tokenize_line(const std::string& line, int file, int lineno, unsigned depth) {
    std::vector<Token> tokens;
    std::size_t i = 0;
    while (i < line.size()) {
      if (is_space(line[i])) {
        ++i;
        continue;
      }
      const char c = line[i];
      if (c == '!' || c == '#') break;
      Token t;
      t.file = file;
      t.line = lineno;
      t.column = static_cast<int>(i) + 1;
      if (c == '{' || c == '}') {
        t.kind = c == '{' ? TokenKind::kOpen : TokenKind::kClose;
        t.text = std::string(1, c);
        ++i;
      } else if (c == '"') {
        t.quoted = true;
        i = read_quoted(line, i, t);
      } else {
        const std::size_t start = i;
        while (i < line.size() && !is_space(line[i]) && line[i] != '{' && line[i] != '}' &&
               line[i] != '"') {
          ++i;
        }
        t.text = line.substr(start, i - start);
      }
      tokens.push_back(std::move(t));
    }
    if (tokens.empty()) return;
    if (tokens[0].kind == TokenKind::kWord && !tokens[0].quoted && tokens[0].text == "include") {
      include(tokens, depth);
      return;
    }
    Token eol;
    eol.kind = TokenKind::kEol;
    eol.file = file;
    eol.line = lineno;
    eol.column = static_cast<int>(line.size()) + 1;
    for (auto& t : tokens) out_.tokens.push_back(std::move(t));
    out_.tokens.push_back(std::move(eol));
  }

  std::size_t read_quoted(const std::string& line, std::size_t i, Token& t) const {
    const std::size_t open = i++;
    while (i < line.size() && line[i] != '"') {
      if (line[i] == '\\' && i + 1 < line.size() && (line[i + 1] == '"' || line[i + 1] == '\\')) {
        t.text += line[i + 1];
        i += 2;
      } else {
        t.text += line[i++];
      }
    }
    if (i >= line.size()) {
      throw ConfigError(pos(t.file, t.line, static_cast<int>(open) + 1),
                        "unterminated quoted string: expected '\"' before end of line");
    }
    return i + 1;
  }

  void include(const std::vector<Token>& tokens, unsigned depth) {
    const Token& kw = tokens[0];
    const std::string& from = out_.files[static_cast<std::size_t>(kw.file)];
    if (tokens.size() < 2 || tokens[1].kind != TokenKind::kWord) {
      throw ConfigError(pos(kw.file, kw.line, kw.column + 7), "expected a file pattern after 'include'");
    }
    if (!options_.include_resolver) {
      throw ConfigError(pos(kw.file, kw.line, kw.column), "'include' needs an include resolver");
    }
    if (depth + 1 > options_.max_include_depth) {
      throw ConfigError(pos(kw.file, kw.line, kw.column),
                        "includes nested deeper than " + std::to_string(options_.max_include_depth));
    }
    const auto files = options_.include_resolver(tokens[1].text, from);
    if (files.empty()) {
      out_.warnings.push_back(Warning{pos(kw.file, kw.line, kw.column), "include",
                                      "no file matches include pattern '" + tokens[1].text + "'"});
    }
    for (const auto& f : files) lex_file(f.text, f.path, depth + 1);
  }

  const KeepalivedOptions& options_;
  TokenStream& out_;
  std::map<std::string, std::string> defs_;
  std::string pending_def_;
};

}  // namespace

TokenStream tokenize_keepalived(std::string_view text, const std::string& file,
                                const KeepalivedOptions& options) {
  TokenStream out;
  Lexer lexer(options, out);
  lexer.lex_file(text, file, 0);
  return out;
}

}  // namespace lvs::config::detail
