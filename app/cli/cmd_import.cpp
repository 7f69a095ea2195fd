// fundcheck import: a CSV table (and its mapping) to proposal JSON, for review and keeping.

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>

#include <fmt/format.h>

#include "fundcheck/engine/csv_import.hpp"
#include "fundcheck/engine/proposal_json.hpp"

#include "commands.hpp"
#include "common.hpp"

namespace fs = std::filesystem;

namespace fundcheck::app {
namespace {

const std::vector<option_spec> import_options = {
    {"mapping", 'm', true, false, "FILE", "the mapping file (default: TABLE.mapping.json beside the table, if any)"},
    {"output", 'o', true, false, "FILE", "write the JSON to FILE instead of standard output"},
    {"force", 0, false, false, "", "overwrite FILE if it exists (never the table or the mapping)"},
    {"color", 0, true, false, "auto|always|never", "colour in diagnostics (default: auto)"},
    {"help", 'h', false, false, "", "show this help"},
};

}  // namespace

int run_import(const std::vector<std::string>& argv) {
  std::string error;
  auto args = parse_args(argv, import_options, error);
  if (!args) return usage_error("import", error);
  if (args->has("help")) {
    std::cout << "Usage: fundcheck import [OPTIONS] TABLE.csv\n\n"
                 "Reads a spreadsheet table exported as CSV, with TABLE.mapping.json beside it when there\n"
                 "is one, and prints the proposal as JSON (docs/proposal-format.md). Every place where the\n"
                 "table's structure had to be guessed is reported as a warning. Exit 0 when the JSON was\n"
                 "written, 2 when the table or the mapping could not be read. See docs/csv-import.md.\n\n"
                 "Options:\n"
              << options_help(import_options);
    return 0;
  }
  const bool color = want_color(args->last("color"), STDERR_FILENO, error);
  if (!error.empty()) return usage_error("import", error);
  if (args->positional.empty()) return usage_error("import", "no table given");
  if (args->positional.size() > 1) return usage_error("import", "give one table (TABLE.csv)");
  const fs::path table = args->positional.front();
  if (!engine::is_csv_path(table)) return usage_error("import", fmt::format("'{}' is not a .csv table", table.string()));
  const auto mapping_arg = args->last("mapping");
  const fs::path mapping = mapping_arg ? fs::path(*mapping_arg) : engine::mapping_path_for(table);
  const auto output = args->last("output");
  std::error_code ec;
  if (output) {
    // Nothing the user gave is overwritten: the inputs never, another file only with --force.
    for (const fs::path& input : {table, mapping}) {
      if (fs::exists(input, ec) && fs::equivalent(*output, input, ec))
        return usage_error("import", fmt::format("'{}' is an input of this import; write the JSON elsewhere", *output));
    }
    if (fs::exists(*output, ec) && !args->has("force"))
      return usage_error("import", fmt::format("'{}' exists; use --force to overwrite it", *output));
  }

  const auto loaded = engine::load_proposal_csv_file(table, mapping_arg ? &mapping : nullptr);
  dsl::render_options ro;
  ro.color = color;
  if (!loaded.diagnostics.empty()) dsl::render_text(std::cerr, loaded.diagnostics, ro);
  if (!loaded.ok()) return 2;
  const std::string json = engine::proposal_to_json(*loaded.value);
  if (!output) {
    std::cout << json;
    return 0;
  }
  // "x": fail rather than replace a file that appeared since the check above.
  std::FILE* file = std::fopen(output->c_str(), args->has("force") ? "wb" : "wbx");
  if (file == nullptr) {
    std::cerr << fmt::format("fundcheck import: error: cannot write '{}': {}\n", *output, std::strerror(errno));
    return 2;
  }
  const bool written = std::fwrite(json.data(), 1, json.size(), file) == json.size();
  if (std::fclose(file) != 0 || !written) {
    std::cerr << fmt::format("fundcheck import: error: cannot write '{}'\n", *output);
    return 2;
  }
  return 0;
}

}  // namespace fundcheck::app
