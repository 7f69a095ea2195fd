#pragma once
// The fundcheck subcommands. Each takes its arguments (without the program and command names)
// and returns the process exit code; `run_X({"--help"})` prints its help.

#include <string>
#include <vector>

namespace fundcheck::app {

int run_check(const std::vector<std::string>& argv);    // cmd_check.cpp
int run_compile(const std::vector<std::string>& argv);  // cmd_compile.cpp
int run_import(const std::vector<std::string>& argv);   // cmd_import.cpp
int run_fmt(const std::vector<std::string>& argv);      // cmd_fmt.cpp
int run_lint(const std::vector<std::string>& argv);     // cmd_lint.cpp
int run_doc(const std::vector<std::string>& argv);      // cmd_doc.cpp
int run_graph(const std::vector<std::string>& argv);    // cmd_graph.cpp
int run_impact(const std::vector<std::string>& argv);   // cmd_impact.cpp
int run_explain(const std::vector<std::string>& argv);  // cmd_explain.cpp
int run_test(const std::vector<std::string>& argv);     // cmd_test.cpp
int run_serve(const std::vector<std::string>& argv);    // cmd_serve.cpp
int run_decisions(const std::vector<std::string>& argv);  // cmd_decisions.cpp

}  // namespace fundcheck::app
