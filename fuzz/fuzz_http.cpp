// libFuzzer target: one HTTP request through the service's route function (service::handle),
// with the shipped rules and no decision log. The input is
//   METHOD TARGET\n CONTENT-TYPE\n BODY
// (missing lines are empty), so the fuzzer reaches every route, query and body parser.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "service.hpp"

namespace {

fundcheck::app::service& the_service() {
  static fundcheck::app::service* s = [] {
    fundcheck::app::service_options options;
    options.roots = {std::filesystem::path(FUNDCHECK_SOURCE_DIR) / "rules"};
    options.version = "fuzz";
    options.max_body = 1u << 20;
    options.max_records = 10'000;
    options.max_steps = 5'000'000;
    auto* created = new fundcheck::app::service(options, nullptr);
    if (!created->reload().ok) __builtin_trap();  // the shipped rules must load
    return created;
  }();
  return *s;
}

std::string_view next_line(std::string_view& rest) {
  const auto nl = rest.find('\n');
  const auto line = rest.substr(0, nl);
  rest = nl == std::string_view::npos ? std::string_view{} : rest.substr(nl + 1);
  return line;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  fundcheck::app::http_request request;
  const auto first = next_line(rest);
  const auto space = first.find(' ');
  request.method = std::string(first.substr(0, space));
  request.target = space == std::string_view::npos ? "/" : std::string(first.substr(space + 1));
  request.content_type = std::string(next_line(rest));
  request.body = std::string(rest);
  const auto response = the_service().handle(request);
  if (response.status < 100 || response.status > 599) __builtin_trap();
  return 0;
}
