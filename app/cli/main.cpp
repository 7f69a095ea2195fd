// fundcheck: checks public-budget allocation proposals against rule files.
// The subcommands live in cmd_*.cpp (commands.hpp); this file dispatches to them.

#include <algorithm>
#include <iostream>
#include <new>
#include <string_view>

#include <fmt/format.h>

#include "commands.hpp"
#include "common.hpp"

using namespace fundcheck;

namespace {

const char* const main_help = R"(fundcheck - checks budget allocation proposals against rules

Usage:
  fundcheck check [OPTIONS] PROPOSAL...   check proposals (JSON or CSV files, or directories)
  fundcheck compile [OPTIONS] RULES...    load and check rule files only
  fundcheck import [OPTIONS] TABLE.csv    turn a spreadsheet table into proposal JSON
  fundcheck fmt [OPTIONS] RULES...        lay out rule files in the canonical style
  fundcheck lint [OPTIONS] [RULES...]     warn about probable mistakes in rule files
  fundcheck doc [RULES...] > rules.md     a catalogue of the rules, in Markdown
  fundcheck graph [OPTIONS]               the dependency graph (Graphviz dot or JSON)
  fundcheck impact [OPTIONS] FIELD        the definitions and rules that read a proposal field
  fundcheck explain RULE-ID PROPOSAL      how a rule came to its result, value by value
  fundcheck test [OPTIONS] [PATH...]      run rule tests (*.test.json), with --coverage
  fundcheck serve [OPTIONS]               the HTTP validation service (docs/server.md)
  fundcheck decisions verify ID PROPOSAL  re-check a decision the service recorded
  fundcheck version                       print the version
  fundcheck help [COMMAND]                show help

Exit codes: 0 no errors found; 1 rule errors found (lint: warnings found; test: a case
failed); 2 input or rules could not be read, or the command line is wrong.

Documentation: docs/language.md (rules), docs/proposal-format.md (allocation tables),
docs/budget-form-format.md (budget proposal forms), docs/csv-import.md (spreadsheet
tables), docs/report-format.md (every report format), docs/diagnostics.md (every message code),
docs/ci.md (batch checks in CI: JUnit, SARIF, GitHub annotations, TAP), docs/tools.md (lint,
doc, graph, impact, explain, test), docs/rules.md (the shipped rules), docs/server.md
(fundcheck serve and decisions).
)";

struct command {
  std::string_view name;
  int (*run)(const std::vector<std::string>&);
};

// Every subcommand, in the order of the help text.
constexpr command commands[] = {
    {"check", app::run_check},
    {"compile", app::run_compile},
    {"import", app::run_import},
    {"fmt", app::run_fmt},
    {"lint", app::run_lint},
    {"doc", app::run_doc},
    {"graph", app::run_graph},
    {"impact", app::run_impact},
    {"explain", app::run_explain},
    {"test", app::run_test},
    {"serve", app::run_serve},
    {"decisions", app::run_decisions},
};

const command* find_command(std::string_view name) {
  for (const auto& c : commands)
    if (c.name == name) return &c;
  return nullptr;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  try {
    if (args.empty()) {
      std::cerr << main_help;
      return app::exit_usage;
    }
    const std::string name = args.front();
    std::vector<std::string> rest(args.begin() + 1, args.end());
    if (const command* c = find_command(name)) return c->run(rest);
    if (name == "version" || name == "--version" || name == "-V") {
      std::cout << "fundcheck " << FUNDCHECK_VERSION << '\n';
      return 0;
    }
    if (name == "help" || name == "--help" || name == "-h") {
      if (!rest.empty()) {
        if (const command* c = find_command(rest.front())) return c->run({"--help"});
      }
      std::cout << main_help;
      return 0;
    }
    std::cerr << fmt::format("fundcheck: error: unknown command '{}'\n", name) << main_help;
    return app::exit_usage;
  } catch (const std::bad_alloc&) {
    std::cerr << "fundcheck: error: out of memory\n";
    return 3;
  } catch (const std::exception& e) {
    // A bug: say so plainly instead of a stack trace, and never report success.
    std::cerr << "fundcheck: internal error: " << e.what() << "\nPlease report this with the input that caused it.\n";
    return 3;
  }
}
