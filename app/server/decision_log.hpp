#pragma once
// The decision log of `fundcheck serve`: every check the service answers, kept in an embedded
// SQLite database (WAL mode) so that a case file can cite a decision by its id and
// `fundcheck decisions verify` can re-check it. Knows nothing about rules or HTTP.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace fundcheck::app {

struct decision_record {
  std::string id;               // 32 lowercase hex digits, time-ordered (see new_decision_id)
  std::string time;             // UTC, RFC 3339 with milliseconds: "2026-11-22T10:04:05.123Z"
  std::string ruleset;          // the rule set's name ("allocation")
  std::string ruleset_sha256;   // the program's content hash
  std::string proposal_sha256;  // of the request body's bytes
  std::string proposal_type;    // "json" or "csv"
  std::string params_json;      // the parameter overrides, a JSON object of strings
  std::string result;           // "passed" or "failed"
  std::uint64_t errors = 0, warnings = 0, notes = 0, checks = 0;
  std::string findings_json;    // the report's findings array (compact JSON)
};

// How hard a commit waits for the disk. `normal` (WAL + synchronous=NORMAL) loses nothing when
// the process dies (kill -9): a committed transaction is in the WAL file, which the kernel holds;
// only an operating-system crash or power loss can lose the last commits. `full` also survives
// those, at the cost of an fsync per decision.
enum class durability { normal, full };

class decision_log_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// One database file. Thread-safe. Concurrent record() calls are committed together (group
// commit: one transaction, and with durability::full one fsync, for all decisions waiting), and
// each call returns only once its own decision is committed. WAL checkpoints run on a thread of
// the log's own, off the path of record().
class decision_log {
 public:
  // Opens or creates the database (WAL mode, schema version 1). Throws decision_log_error
  // with SQLite's message when the file cannot be opened or is not a decision log.
  explicit decision_log(const std::filesystem::path& file, durability d = durability::normal);
  ~decision_log();
  decision_log(const decision_log&) = delete;
  decision_log& operator=(const decision_log&) = delete;

  // Commits the record; when this returns, the decision is in the database file.
  // Throws decision_log_error when it cannot be written (disk full, read-only file).
  void record(const decision_record& r);
  // The decision with this id, or nullopt. Throws decision_log_error on a database error.
  std::optional<decision_record> find(std::string_view id);
  std::uint64_t count();

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

// A fresh decision id: the current time in milliseconds (12 hex digits, so ids sort by time)
// followed by 80 random bits (20 hex digits).
std::string new_decision_id();
// True for 32 lowercase hex digits.
bool valid_decision_id(std::string_view id) noexcept;
// The current UTC time as RFC 3339 with milliseconds.
std::string utc_now_rfc3339();

}  // namespace fundcheck::app
