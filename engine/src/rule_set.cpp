// Grouping rule files by the proposal format they check, and compiling each group.

#include "fundcheck/engine/rule_set.hpp"

#include <algorithm>
#include <map>
#include <set>

#include <fmt/format.h>

namespace fundcheck::engine {

namespace fs = std::filesystem;
namespace ast = dsl::ast;

const program* rule_set::for_format(std::string_view format) const noexcept {
  for (const auto& p : programs)
    if (p->schema_def->format == format) return p.get();
  return nullptr;
}

std::string rule_set::formats() const {
  std::string out;
  for (const auto& p : programs) {
    if (!out.empty()) out += ", ";
    out += p->schema_def->format;
  }
  return out;
}

namespace {

constexpr std::string_view default_format = "fundcheck/allocation@1";

fs::path key_of(const fs::path& p) {
  std::error_code ec;
  fs::path k = fs::weakly_canonical(p, ec);
  return ec ? fs::absolute(p, ec).lexically_normal() : k;
}


}  // namespace

rule_set_result compile_rule_set(const dsl::rule_set_sources& sources) {
  rule_set_result result;
  const auto& files = sources.files;
  const std::size_t n = files.size();

  // Declared formats.
  std::vector<const ast::format_decl*> declared(n, nullptr);
  for (std::size_t i = 0; i < n; ++i) {
    for (const auto& decl : files[i].ast.declarations) {
      const auto* f = std::get_if<ast::format_decl>(&decl);
      if (!f) continue;
      if (declared[i]) {
        auto d = dsl::make_diagnostic(dsl::level::error, "E2017", files[i].source, f->where, "a rule file declares its format once");
        d.notes.push_back(dsl::make_note(files[i].source, declared[i]->where, "the format is declared here"));
        result.diagnostics.push_back(std::move(d));
        continue;
      }
      declared[i] = f;
      if (!find_schema(f->value)) {
        std::string known;
        for (const schema* s : all_schemas()) known += (known.empty() ? "" : ", ") + std::string(s->format);
        result.diagnostics.push_back(dsl::make_diagnostic(dsl::level::error, "E2018", files[i].source, f->value_span,
                                          fmt::format("unknown proposal format \"{}\" (known: {})", f->value, known)));
      }
    }
  }

  // Import edges: importer -> imported, by canonical path.
  std::map<fs::path, std::size_t> index;
  for (std::size_t i = 0; i < n; ++i) index[key_of(files[i].source->path())] = i;
  std::vector<std::vector<std::pair<std::size_t, const ast::import_decl*>>> imports(n);
  for (std::size_t i = 0; i < n; ++i) {
    const fs::path dir = fs::path(files[i].source->path()).parent_path();
    for (const auto& decl : files[i].ast.declarations) {
      const auto* imp = std::get_if<ast::import_decl>(&decl);
      if (!imp) continue;
      const fs::path target = fs::path(imp->path).is_absolute() ? fs::path(imp->path) : dir / imp->path;
      if (auto it = index.find(key_of(target)); it != index.end()) imports[i].push_back({it->second, imp});
    }
  }

  // Formats per file: its declaration; else those of its importers (importers come after the
  // files they import, so walk backwards); else the default.
  std::vector<std::set<std::string>> formats(n);
  for (std::size_t i = n; i-- > 0;) {
    if (declared[i]) {
      formats[i] = {declared[i]->value};
    } else if (formats[i].empty()) {
      formats[i] = {std::string(default_format)};
    }
    for (const auto& [j, imp] : imports[i]) {
      if (declared[j]) {
        if (formats[i].size() != 1 || *formats[i].begin() != declared[j]->value) {
          auto d = dsl::make_diagnostic(dsl::level::error, "E2019", files[i].source, imp->path_span,
                        fmt::format("'{}' checks proposals of format \"{}\", this file those of \"{}\"",
                                    files[j].source->path(), declared[j]->value, fmt::join(formats[i], "\", \"")));
          d.notes.push_back(dsl::make_note(files[j].source, declared[j]->where, "its format is declared here"));
          result.diagnostics.push_back(std::move(d));
        }
      } else {
        formats[j].insert(formats[i].begin(), formats[i].end());
      }
    }
  }
  if (dsl::has_errors(result.diagnostics)) {
    dsl::sort_diagnostics(result.diagnostics);
    return result;
  }

  auto set = std::make_shared<rule_set>();
  for (const schema* s : all_schemas()) {
    std::vector<const dsl::loaded_file*> group;
    for (std::size_t i = 0; i < n; ++i)
      if (formats[i].count(std::string(s->format))) group.push_back(&files[i]);
    if (group.empty()) continue;
    auto compiled = compile(std::move(group), *s);
    for (auto& d : compiled.diagnostics) result.diagnostics.push_back(std::move(d));
    for (const auto& t : compiled.timings) {
      auto it = std::find_if(result.timings.begin(), result.timings.end(),
                             [&](const stage_timing& x) { return x.stage == t.stage; });
      if (it == result.timings.end())
        result.timings.push_back(t);
      else
        it->milliseconds += t.milliseconds;
    }
    if (compiled.value) set->programs.push_back(std::move(compiled.value));
  }
  // A file compiled for two formats reports the same problem twice: keep one.
  dsl::sort_diagnostics(result.diagnostics);
  result.diagnostics.erase(std::unique(result.diagnostics.begin(), result.diagnostics.end(),
                                       [](const dsl::diagnostic& a, const dsl::diagnostic& b) {
                                         return a.source == b.source && a.where == b.where && a.code == b.code &&
                                                a.message == b.message;
                                       }),
                           result.diagnostics.end());
  if (!dsl::has_errors(result.diagnostics)) result.value = std::move(set);
  return result;
}

rule_set_result compile_rule_set(const std::vector<fs::path>& roots, const dsl::parse_limits& limits) {
  auto sources = dsl::load_rule_sources(roots, limits);
  if (!sources.ok()) {
    rule_set_result r;
    r.diagnostics = std::move(sources.diagnostics);
    dsl::sort_diagnostics(r.diagnostics);
    return r;
  }
  auto r = compile_rule_set(sources);
  r.diagnostics.insert(r.diagnostics.begin(), sources.diagnostics.begin(), sources.diagnostics.end());
  return r;
}

}  // namespace fundcheck::engine
