#pragma once
// The HTTP transport of `fundcheck serve`: Boost.Beast sessions over Asio, answering with
// service::handle. The only translation unit with Beast in it (server.cpp).

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

#include "event_log.hpp"
#include "service.hpp"

namespace fundcheck::app {

struct server_options {
  std::string address = "127.0.0.1";
  std::uint16_t port = 8080;             // 0: an ephemeral port
  unsigned threads = 1;
  std::size_t max_connections = 512;     // more are answered 503 and closed
  std::size_t max_header = 16u << 10;    // bytes of request line and headers (431)
  std::chrono::milliseconds header_timeout{10'000};  // to read a request's headers (idle keep-alive too)
  std::chrono::milliseconds body_timeout{30'000};    // to read its body
  std::chrono::milliseconds shutdown_timeout{30'000};  // in-flight requests may finish within this
  bool access_log = true;
};

struct server_hooks {
  std::function<void(const std::string& address, std::uint16_t port)> listening;  // bound
  std::function<void()> reload;                                                // SIGHUP
};

// Binds, then serves until SIGTERM or SIGINT: the listener closes, /readyz answers 503, idle
// connections close, requests being read or answered finish (up to shutdown_timeout).
// Returns 0, or 2 when the address cannot be bound (logged).
int run_server(service& svc, const server_options& options, event_log& log, const server_hooks& hooks);

}  // namespace fundcheck::app
