// Beast sessions for `fundcheck serve`: read a request (headers, then body, each with its own
// timeout and size limit), answer it with service::handle, keep the connection alive if asked.

#include "server.hpp"

#include <csignal>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace fundcheck::app {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

class session;

// What every session shares: the service, the options, the registry used at shutdown.
struct server_state {
  service& svc;
  const server_options& options;
  event_log& log;
  std::atomic<bool> stopping{false};
  std::atomic<std::size_t> connections{0};
  std::mutex mutex;
  std::set<std::weak_ptr<session>, std::owner_less<std::weak_ptr<session>>> sessions;
};

std::string header_value(const http::request<http::string_body>& req, http::field f) {
  const auto it = req.find(f);
  return it == req.end() ? std::string() : std::string(it->value());
}

class session : public std::enable_shared_from_this<session> {
 public:
  session(tcp::socket&& socket, server_state& state) : stream_(std::move(socket)), state_(state) {
    beast::error_code ec;
    const auto ep = stream_.socket().remote_endpoint(ec);
    if (!ec) remote_ = fmt::format("{}:{}", ep.address().to_string(), ep.port());
  }
  ~session() {
    state_.connections.fetch_sub(1);
    state_.svc.connection_closed();
  }

  void start() {
    asio::dispatch(stream_.get_executor(), beast::bind_front_handler(&session::read_header, shared_from_this()));
  }

  // At shutdown: an idle connection closes now, a busy one after its answer.
  void stop() {
    asio::post(stream_.get_executor(), [self = shared_from_this()] {
      if (!self->busy_) {
        beast::error_code ec;
        self->stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
        self->stream_.close();
      }
    });
  }

 private:
  void read_header() {
    busy_ = false;
    if (state_.stopping) return close();
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(state_.options.max_header));
    // The body limit is enforced while reading, so an oversized body is refused without being
    // held in memory; one byte over the service's limit lets the service name the limit.
    parser_->body_limit(state_.svc.options().max_body + 1);
    stream_.expires_after(state_.options.header_timeout);
    http::async_read_header(stream_, buffer_, *parser_,
                            beast::bind_front_handler(&session::on_header, shared_from_this()));
  }

  void on_header(beast::error_code ec, std::size_t) {
    if (ec) return on_read_error(ec);
    busy_ = true;
    start_ = std::chrono::steady_clock::now();
    stream_.expires_after(state_.options.body_timeout);
    const auto& req = parser_->get();
    const auto expect = req.find(http::field::expect);
    if (expect != req.end() && beast::iequals(expect->value(), "100-continue")) {
      // curl and others wait for this before sending a body.
      auto cont = std::make_shared<http::response<http::empty_body>>(http::status::continue_, 11);
      http::async_write(stream_, *cont, [self = shared_from_this(), cont](beast::error_code wec, std::size_t) {
        if (wec) return self->close();
        self->read_body();
      });
      return;
    }
    read_body();
  }

  void read_body() {
    http::async_read(stream_, buffer_, *parser_, beast::bind_front_handler(&session::on_body, shared_from_this()));
  }

  void on_read_error(beast::error_code ec) {
    if (ec == http::error::end_of_stream || ec == asio::error::operation_aborted ||
        ec == asio::error::connection_reset || ec == asio::error::eof)
      return close();
    if (ec == beast::error::timeout) {
      // The socket is closed already: a slow or silent client gives its worker back.
      if (busy_) {
        state_.svc.count("", "", 408, std::chrono::steady_clock::now() - start_);
        state_.log.write(log_level::info, "timeout", "a client was too slow sending its request",
                         {{"remote", remote_}});
      }
      return close();
    }
    // Bad HTTP: answer once, then close (the stream cannot be trusted after a parse error).
    http_response r;
    if (ec == http::error::body_limit) {
      r = error_response(413, "E5006",
                         fmt::format("the body is larger than the limit of {} bytes", state_.svc.options().max_body),
                         R"({"in": "body"})");
    } else if (ec == http::error::header_limit) {
      r = error_response(431, "E5008",
                         fmt::format("the request line and headers are larger than {} bytes", state_.options.max_header),
                         R"({"in": "header"})");
    } else {
      r = error_response(400, "E5014", fmt::format("malformed HTTP request: {}", ec.message()), R"({"in": "request"})");
    }
    state_.svc.count("", "", r.status, std::chrono::nanoseconds(0));
    send(std::move(r), false, "-", "-", 11);
  }

  void on_body(beast::error_code ec, std::size_t) {
    if (ec) return on_read_error(ec);
    auto req = parser_->release();
    http_request in;
    in.method = std::string(req.method_string());
    in.target = std::string(req.target());
    in.content_type = header_value(req, http::field::content_type);
    in.authorization = header_value(req, http::field::authorization);
    in.body = std::move(req.body());
    http_response out = state_.svc.handle(in);
    const bool keep = req.keep_alive() && !state_.stopping;
    if (req.method() == http::verb::head) out.body.clear();
    send(std::move(out), keep, in.method, in.target, req.version());
  }

  void send(http_response r, bool keep_alive, const std::string& method, const std::string& target, unsigned version) {
    auto res = std::make_shared<http::response<http::string_body>>(static_cast<http::status>(r.status), version);
    res->set(http::field::server, "fundcheck");
    res->set(http::field::content_type, r.content_type);
    res->set(http::field::cache_control, "no-store");
    res->set("X-Content-Type-Options", "nosniff");
    for (auto& [k, v] : r.headers) res->set(k, v);
    res->body() = std::move(r.body);
    res->keep_alive(keep_alive);
    res->prepare_payload();
    if (state_.options.access_log)
      state_.log.write(log_level::info, "request", fmt::format("{} {} {}", method, target.substr(0, 256), r.status),
                       {{"remote", remote_},
                        {"method", method},
                        {"target", target.substr(0, 256)},
                        {"status", r.status},
                        {"bytes", res->body().size()},
                        {"ms", std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start_).count()}});
    stream_.expires_after(state_.options.body_timeout);  // a client that does not read its answer
    http::async_write(stream_, *res, [self = shared_from_this(), res](beast::error_code ec, std::size_t) {
      if (ec || !res->keep_alive()) return self->close();
      self->read_header();
    });
  }

  void close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.close();
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  server_state& state_;
  std::string remote_ = "-";
  bool busy_ = false;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

class listener : public std::enable_shared_from_this<listener> {
 public:
  listener(asio::io_context& ioc, tcp::acceptor&& acceptor, server_state& state)
      : ioc_(ioc), acceptor_(std::move(acceptor)), state_(state) {}

  void accept() {
    acceptor_.async_accept(asio::make_strand(ioc_), beast::bind_front_handler(&listener::on_accept, shared_from_this()));
  }
  void close() {
    asio::post(acceptor_.get_executor(), [self = shared_from_this()] {
      beast::error_code ec;
      self->acceptor_.close(ec);
    });
  }

 private:
  void on_accept(beast::error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted || !acceptor_.is_open()) return;
    if (!ec) {
      if (state_.connections.load() >= state_.options.max_connections) {
        // Over the cap: a short answer written without waiting, then close.
        static const std::string busy = [] {
          const auto r = error_response(503, "E5015", "too many connections; try again", "");
          return fmt::format("HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
                             "Content-Length: {}\r\nRetry-After: 1\r\nConnection: close\r\n\r\n{}",
                             r.body.size(), r.body);
        }();
        beast::error_code wec;
        socket.non_blocking(true, wec);
        socket.write_some(asio::buffer(busy), wec);
        socket.shutdown(tcp::socket::shutdown_both, wec);
        socket.close(wec);
        state_.svc.connection_refused();
      } else {
        state_.connections.fetch_add(1);
        state_.svc.connection_opened();
        auto s = std::make_shared<session>(std::move(socket), state_);
        {
          std::lock_guard lock(state_.mutex);
          // Drop registry entries of finished sessions now and then.
          if (state_.sessions.size() > 2 * state_.options.max_connections)
            std::erase_if(state_.sessions, [](const auto& w) { return w.expired(); });
          state_.sessions.insert(s);
        }
        s->start();
      }
    }
    accept();
  }

  asio::io_context& ioc_;
  tcp::acceptor acceptor_;
  server_state& state_;
};

}  // namespace

int run_server(service& svc, const server_options& options, event_log& log, const server_hooks& hooks) {
  tune_allocator_for_serving();
  asio::io_context ioc(static_cast<int>(options.threads));
  server_state state{svc, options, log, {false}, {0}, {}, {}};

  beast::error_code ec;
  const auto address = asio::ip::make_address(options.address, ec);
  if (ec) {
    log.write(log_level::error, "listen", fmt::format("'{}' is not an IP address", options.address));
    return 2;
  }
  tcp::acceptor acceptor(ioc);
  const tcp::endpoint endpoint(address, options.port);
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    log.write(log_level::error, "listen", fmt::format("cannot listen on {}:{}: {}", options.address, options.port,
                                                      ec.message()));
    return 2;
  }
  const auto bound = acceptor.local_endpoint();
  auto l = std::make_shared<listener>(ioc, std::move(acceptor), state);
  l->accept();

  asio::signal_set signals(ioc, SIGTERM, SIGINT, SIGHUP);
  asio::steady_timer deadline(ioc);
  std::function<void()> wait_signal;
  wait_signal = [&] {
    signals.async_wait([&](beast::error_code sec, int sig) {
      if (sec) return;
      if (sig == SIGHUP) {
        // Compiling the rules takes about a millisecond; the other workers keep answering.
        if (hooks.reload) hooks.reload();
        return wait_signal();
      }
      log.write(log_level::info, "shutdown", fmt::format("signal {}: finishing requests in flight", sig));
      state.stopping = true;
      svc.set_draining();
      l->close();
      std::vector<std::shared_ptr<session>> live;
      {
        std::lock_guard lock(state.mutex);
        for (const auto& w : state.sessions)
          if (auto s = w.lock()) live.push_back(std::move(s));
        state.sessions.clear();
      }
      for (auto& s : live) s->stop();
      deadline.expires_after(options.shutdown_timeout);
      deadline.async_wait([&](beast::error_code tec) {
        if (tec) return;
        log.write(log_level::warn, "shutdown", "requests still running after the shutdown timeout; stopping");
        ioc.stop();
      });
      signals.cancel();
    });
  };
  wait_signal();

  if (hooks.listening) hooks.listening(bound.address().to_string(), bound.port());

  std::vector<std::thread> workers;
  for (unsigned i = 1; i < options.threads; ++i) workers.emplace_back([&ioc] { ioc.run(); });
  // When the last session is gone after a shutdown, only the deadline timer is left: cancel it.
  std::thread watchdog([&] {
    while (!ioc.stopped()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      if (state.stopping && state.connections.load() == 0) {
        asio::post(ioc, [&] { deadline.cancel(); });
        break;
      }
    }
  });
  ioc.run();
  for (auto& t : workers) t.join();
  watchdog.join();
  log.write(log_level::info, "shutdown", "stopped");
  return 0;
}

}  // namespace fundcheck::app
