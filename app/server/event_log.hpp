#pragma once
// Operational logs of `fundcheck serve` (access log and events: start, reload, shutdown), as
// text lines or, with --log-format json, one JSON object per line. spdlog does the writing.

#include <memory>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

namespace spdlog {
class logger;
}

namespace fundcheck::app {

enum class log_level { debug, info, warn, error };

class event_log {
 public:
  // Writes to standard error. `json`: one object per line {"time","level","event","message",…}.
  explicit event_log(bool json);
  // `fields`: a JSON object (may be null) of extra fields; in text they follow as key=value.
  void write(log_level level, std::string_view event, std::string_view message, const nlohmann::json& fields);
  void write(log_level level, std::string_view event, std::string_view message);
  void flush();

 private:
  bool json_;
  std::shared_ptr<spdlog::logger> logger_;
};

}  // namespace fundcheck::app
