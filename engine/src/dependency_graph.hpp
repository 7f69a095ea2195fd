#pragma once
// The dependency graph of a rule set on Boost.Graph: vertices are parameters, definitions and
// rules; an edge runs from a dependency to its dependent. Cycles are found with
// strong_components before the topological sort.

#include <cstddef>
#include <vector>

namespace fundcheck::engine {

class dependency_graph {
 public:
  explicit dependency_graph(std::size_t vertices);
  ~dependency_graph();
  dependency_graph(const dependency_graph&) = delete;
  dependency_graph& operator=(const dependency_graph&) = delete;

  void add_edge(std::size_t from, std::size_t to);

  // Each cycle as its vertices in path order (a -> b -> … -> a), starting at its smallest
  // vertex; cycles sorted by that vertex. A self-loop is a cycle of one.
  std::vector<std::vector<std::size_t>> cycles() const;
  // Dependencies before dependents; ties broken by vertex number. Requires no cycles.
  std::vector<std::size_t> topological_order() const;

 private:
  struct impl;
  impl* impl_;
};

}  // namespace fundcheck::engine
