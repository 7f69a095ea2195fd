// event_log: spdlog with a pattern per format.

#include "event_log.hpp"

#include <nlohmann/json.hpp>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include "decision_log.hpp"

namespace fundcheck::app {

event_log::event_log(bool json) : json_(json) {
  auto sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  logger_ = std::make_shared<spdlog::logger>("fundcheck", sink);
  // JSON lines carry their own time and level; text lines get spdlog's.
  logger_->set_pattern(json ? "%v" : "%Y-%m-%dT%H:%M:%S.%eZ %l %v", spdlog::pattern_time_type::utc);
  logger_->set_level(spdlog::level::debug);
  logger_->flush_on(spdlog::level::warn);
}

namespace {
spdlog::level::level_enum to_spd(log_level l) {
  switch (l) {
    case log_level::debug: return spdlog::level::debug;
    case log_level::info: return spdlog::level::info;
    case log_level::warn: return spdlog::level::warn;
    case log_level::error: return spdlog::level::err;
  }
  return spdlog::level::info;
}
std::string_view level_name(log_level l) {
  switch (l) {
    case log_level::debug: return "debug";
    case log_level::info: return "info";
    case log_level::warn: return "warn";
    case log_level::error: return "error";
  }
  return "info";
}
}  // namespace

void event_log::write(log_level level, std::string_view event, std::string_view message, const nlohmann::json& fields) {
  if (json_) {
    nlohmann::json j = {{"time", utc_now_rfc3339()}, {"level", level_name(level)}, {"event", event},
                        {"message", message}};
    if (fields.is_object())
      for (const auto& [k, v] : fields.items()) j[k] = v;
    logger_->log(to_spd(level), "{}", j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    return;
  }
  std::string line = std::string(event) + ": " + std::string(message);
  if (fields.is_object())
    for (const auto& [k, v] : fields.items())
      line += " " + k + "=" + (v.is_string() ? v.get<std::string>() : v.dump(-1, ' ', false,
                                                                               nlohmann::json::error_handler_t::replace));
  logger_->log(to_spd(level), "{}", line);
}

void event_log::write(log_level level, std::string_view event, std::string_view message) {
  write(level, event, message, nlohmann::json());
}

void event_log::flush() { logger_->flush(); }

}  // namespace fundcheck::app
