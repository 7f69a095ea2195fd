// load_rule_sources: reads rule files and directories and, depth first, the files they import.
#include "fundcheck/dsl/parse.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>

#include "codes.hpp"
#include "utf8.hpp"

namespace fundcheck::dsl {

namespace {

namespace fs = std::filesystem;

std::string display(const fs::path& path) { return path.lexically_normal().generic_string(); }

using utf8::single_quoted;

// "No such file or directory" -> "no such file or directory", as diagnostics are worded.
std::string reason(const std::error_code& ec) {
  std::string text = ec.message();
  if (!text.empty()) text[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[0])));
  return text;
}

// Where a file was asked for: by the user (no source), or by an import declaration.
struct request {
  source_ptr importer;
  span where;
};

class loader {
 public:
  explicit loader(const parse_limits& limits) : limits_(limits) {}

  void load_root(const fs::path& root) {
    std::error_code ec;
    const fs::file_status status = fs::status(root, ec);
    if (!fs::exists(status)) {
      error({}, codes::cannot_read,
            "cannot read " + single_quoted(display(root)) + ": " +
                (ec && ec != std::errc::no_such_file_or_directory ? reason(ec)
                                                                  : "no such file or directory"));
      return;
    }
    if (!fs::is_directory(status)) {
      load(root, {});
      return;
    }
    std::vector<fs::path> files;
    fs::recursive_directory_iterator it(root, fs::directory_options::skip_permission_denied, ec);
    for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      std::error_code type_ec;
      if (it->path().extension() == ".rules" && it->is_regular_file(type_ec)) {
        files.push_back(it->path());
      }
    }
    if (ec) {
      error({}, codes::cannot_read,
            "cannot read directory " + single_quoted(display(root)) + ": " + reason(ec));
    }
    std::sort(files.begin(), files.end());
    for (const fs::path& file : files) load(file, {});
  }

  rule_set_sources result() && { return std::move(result_); }

 private:
  enum class state : std::uint8_t { loading, done };

  struct open_file {
    fs::path key;
    std::string name;
    source_ptr source;
    span current_import;  // the import being followed, for the notes of a cycle
  };

  void error(const request& from, const char* code, std::string message) {
    diagnostic d;
    d.code = code;
    d.message = std::move(message);
    d.source = from.importer;
    d.where = from.where;
    result_.diagnostics.push_back(std::move(d));
  }

  void load(const fs::path& path, const request& from) {
    std::error_code ec;
    fs::path key = fs::weakly_canonical(path, ec);
    if (ec) key = fs::absolute(path, ec).lexically_normal();
    const std::string name = display(path);

    if (const auto seen = states_.find(key); seen != states_.end()) {
      if (seen->second == state::loading) report_cycle(key, name, from);
      return;
    }

    auto text = read(path, name, from);
    if (!text) return;
    auto source = std::make_shared<const source_file>(name, std::move(*text));
    parse_result parsed = parse_rules(source, limits_);
    for (auto& d : parsed.diagnostics) result_.diagnostics.push_back(std::move(d));

    states_.emplace(key, state::loading);
    stack_.push_back({key, name, source, {}});
    for (const ast::declaration& decl : parsed.file.declarations) {
      const auto* import = std::get_if<ast::import_decl>(&decl);
      if (import == nullptr) continue;
      const fs::path target = fs::path(import->path).is_absolute()
                                  ? fs::path(import->path)
                                  : path.parent_path() / fs::path(import->path);
      stack_.back().current_import = import->path_span;
      load(target.lexically_normal(), {source, import->path_span});
    }
    stack_.pop_back();
    states_[key] = state::done;
    result_.files.push_back({std::move(source), std::move(parsed.file)});
  }

  std::optional<std::string> read(const fs::path& path, const std::string& name,
                                  const request& from) {
    std::error_code ec;
    const fs::file_status status = fs::status(path, ec);
    if (!fs::exists(status)) {
      if (from.importer) {
        error(from, codes::import_not_found, "imported file " + single_quoted(name) + " not found");
      } else {
        error(from, codes::cannot_read,
              "cannot read " + single_quoted(name) + ": no such file or directory");
      }
      return std::nullopt;
    }
    if (fs::is_directory(status)) {
      error(from, codes::cannot_read, "cannot read " + single_quoted(name) + ": is a directory");
      return std::nullopt;
    }
    const std::uintmax_t size = fs::file_size(path, ec);
    if (!ec && size > limits_.max_file_bytes) {
      error(from, codes::file_too_large,
            "file too large: " + single_quoted(name) + " is " + std::to_string(size) +
                " bytes (the limit is " + std::to_string(limits_.max_file_bytes) + ")");
      return std::nullopt;
    }
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    if (in) text << in.rdbuf();
    if (!in || in.bad()) {
      const std::error_code cause(errno, std::generic_category());
      error(from, codes::cannot_read,
            "cannot read " + single_quoted(name) + (errno != 0 ? ": " + reason(cause) : ""));
      return std::nullopt;
    }
    return std::move(text).str();
  }

  // `from` imports `key`, which is still being loaded: the chain on the stack from `key` to
  // the importer is a cycle.
  void report_cycle(const fs::path& key, const std::string& name, const request& from) {
    const auto first = std::find_if(stack_.begin(), stack_.end(),
                                    [&](const open_file& f) { return f.key == key; });
    std::string chain;
    for (auto it = first; it != stack_.end(); ++it) chain += it->name + " -> ";
    chain += name;
    diagnostic d;
    d.code = codes::import_cycle;
    d.message = "import cycle: " + chain;
    d.source = from.importer;
    d.where = from.where;
    for (auto it = first; it != stack_.end() && std::next(it) != stack_.end(); ++it) {
      diagnostic note;
      note.severity = level::note;
      note.message =
          single_quoted(it->name) + " imports " + single_quoted(std::next(it)->name) + " here";
      note.source = it->source;
      note.where = it->current_import;
      d.notes.push_back(std::move(note));
    }
    result_.diagnostics.push_back(std::move(d));
  }

  const parse_limits& limits_;
  rule_set_sources result_;
  std::map<fs::path, state> states_;
  std::vector<open_file> stack_;
};

}  // namespace

rule_set_sources load_rule_sources(const std::vector<std::filesystem::path>& roots,
                                   const parse_limits& limits) {
  loader load(limits);
  for (const auto& root : roots) {
    try {
      load.load_root(root);
    } catch (const std::filesystem::filesystem_error& e) {
      // The std::error_code overloads are used throughout; this is a safety net.
      rule_set_sources partial = std::move(load).result();
      diagnostic d;
      d.code = codes::cannot_read;
      d.message = std::string("cannot read rule files: ") + e.what();
      partial.diagnostics.push_back(std::move(d));
      return partial;
    }
  }
  return std::move(load).result();
}

}  // namespace fundcheck::dsl
