#pragma once
// Parsing rule files into ASTs, and loading a rule set (files plus their imports).

#include <filesystem>
#include <string>
#include <vector>

#include "fundcheck/dsl/ast.hpp"
#include "fundcheck/dsl/diagnostic.hpp"
#include "fundcheck/dsl/source.hpp"

namespace fundcheck::dsl {

struct parse_limits {
  std::size_t max_file_bytes = 4u << 20;  // 4 MiB
  std::size_t max_nesting = 256;          // expression nesting depth
  std::size_t max_errors = 50;
};

struct parse_result {
  ast::rule_file file;
  std::vector<diagnostic> diagnostics;  // syntax errors (E1xxx); empty on success
  bool ok() const noexcept { return !has_errors(diagnostics); }
};

// Parses one rule file. Never throws for bad input: syntax errors become diagnostics, with
// recovery at declaration boundaries so several errors are reported in one run. Declarations
// that failed to parse are left out of the returned tree.
parse_result parse_rules(const source_ptr& source, const parse_limits& limits = {});

struct loaded_file {
  source_ptr source;
  ast::rule_file ast;
};

struct rule_set_sources {
  std::vector<loaded_file> files;  // dependency order: a file comes after the files it imports
  std::vector<diagnostic> diagnostics;
  bool ok() const noexcept { return !has_errors(diagnostics); }
};

// Reads the given rule files and directories (every *.rules file below a directory, sorted by
// path) and, transitively, the files they import (paths relative to the importing file). Each
// file is read once; an import cycle, a missing file or an unreadable file is a diagnostic.
rule_set_sources load_rule_sources(const std::vector<std::filesystem::path>& roots,
                                   const parse_limits& limits = {});

}  // namespace fundcheck::dsl
