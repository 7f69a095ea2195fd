// Boost.Graph stays in this file: the rest of the engine sees dependency_graph.hpp only.

#include "dependency_graph.hpp"

#include <algorithm>
#include <functional>
#include <map>
#include <queue>
#include <set>

#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/strong_components.hpp>

namespace fundcheck::engine {

using graph_t = boost::adjacency_list<boost::setS, boost::vecS, boost::directedS>;

struct dependency_graph::impl {
  graph_t g;
  explicit impl(std::size_t n) : g(n) {}
};

dependency_graph::dependency_graph(std::size_t vertices) : impl_(new impl(vertices)) {}
dependency_graph::~dependency_graph() { delete impl_; }

void dependency_graph::add_edge(std::size_t from, std::size_t to) { boost::add_edge(from, to, impl_->g); }

std::vector<std::vector<std::size_t>> dependency_graph::cycles() const {
  const auto& g = impl_->g;
  const std::size_t n = boost::num_vertices(g);
  std::vector<int> component(n);
  const int count = n == 0 ? 0 : boost::strong_components(g, component.data());
  std::vector<std::vector<std::size_t>> members(static_cast<std::size_t>(count));
  for (std::size_t v = 0; v < n; ++v) members[static_cast<std::size_t>(component[v])].push_back(v);

  std::vector<std::vector<std::size_t>> result;
  for (const auto& m : members) {
    const std::size_t start = m.front();  // members are in increasing vertex order
    if (m.size() == 1 && !boost::edge(start, start, g).second) continue;
    if (m.size() == 1) {
      result.push_back({start});
      continue;
    }
    // Shortest path from start back to start inside the component (BFS), for a readable cycle.
    const int comp = component[start];
    std::map<std::size_t, std::size_t> prev;
    std::queue<std::size_t> q;
    q.push(start);
    std::set<std::size_t> seen{start};
    std::size_t last = start;
    bool closed = false;
    while (!q.empty() && !closed) {
      const auto v = q.front();
      q.pop();
      std::vector<std::size_t> next;
      for (auto [ei, ee] = boost::out_edges(v, g); ei != ee; ++ei) next.push_back(boost::target(*ei, g));
      std::sort(next.begin(), next.end());
      for (auto w : next) {
        if (component[w] != comp) continue;
        if (w == start) {
          last = v;
          closed = true;
          break;
        }
        if (seen.insert(w).second) {
          prev[w] = v;
          q.push(w);
        }
      }
    }
    std::vector<std::size_t> path;
    for (std::size_t v = last; v != start; v = prev[v]) path.push_back(v);
    path.push_back(start);
    std::reverse(path.begin(), path.end());
    result.push_back(std::move(path));
  }
  std::sort(result.begin(), result.end());
  return result;
}

std::vector<std::size_t> dependency_graph::topological_order() const {
  // Kahn's algorithm with a min-heap: deterministic, and source order among independent vertices.
  const auto& g = impl_->g;
  const std::size_t n = boost::num_vertices(g);
  std::vector<std::size_t> indegree(n, 0);
  for (auto [ei, ee] = boost::edges(g); ei != ee; ++ei) ++indegree[boost::target(*ei, g)];
  std::priority_queue<std::size_t, std::vector<std::size_t>, std::greater<>> ready;
  for (std::size_t v = 0; v < n; ++v)
    if (indegree[v] == 0) ready.push(v);
  std::vector<std::size_t> order;
  order.reserve(n);
  while (!ready.empty()) {
    const auto v = ready.top();
    ready.pop();
    order.push_back(v);
    for (auto [ei, ee] = boost::out_edges(v, g); ei != ee; ++ei) {
      const auto w = boost::target(*ei, g);
      if (--indegree[w] == 0) ready.push(w);
    }
  }
  return order;
}

}  // namespace fundcheck::engine
