// The decision log on SQLite: one table, prepared statements reused, WAL journal.

#include "decision_log.hpp"

#include <sqlite3.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <ctime>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

#include <fmt/format.h>

namespace fundcheck::app {

namespace {

constexpr const char* schema_sql = R"(
CREATE TABLE IF NOT EXISTS decisions (
  id TEXT PRIMARY KEY,
  time TEXT NOT NULL,
  ruleset TEXT NOT NULL,
  ruleset_sha256 TEXT NOT NULL,
  proposal_sha256 TEXT NOT NULL,
  proposal_type TEXT NOT NULL,
  params TEXT NOT NULL,
  result TEXT NOT NULL,
  errors INTEGER NOT NULL,
  warnings INTEGER NOT NULL,
  notes INTEGER NOT NULL,
  checks INTEGER NOT NULL,
  findings TEXT NOT NULL
) WITHOUT ROWID;
)";

}  // namespace

// A decision waiting for a commit, on the stack of the thread that records it.
struct pending_decision {
  const decision_record* record = nullptr;
  bool done = false;
  std::string error;  // empty: committed
};

struct decision_log::impl {
  sqlite3* db = nullptr;
  sqlite3_stmt* insert = nullptr;
  sqlite3_stmt* select = nullptr;
  sqlite3_stmt* count = nullptr;
  std::mutex mutex;  // the connection `db`

  // Group commit: decisions queue here; the first thread that finds no commit running commits
  // every queued decision in one transaction and wakes the others. Each caller still returns
  // only once its own decision is committed.
  std::mutex queue_mutex;
  std::condition_variable committed;
  std::vector<pending_decision*> queue;
  bool committing = false;

  // Checkpoints run on their own thread and connection, so that no request waits for the
  // checkpoint's fsyncs (SQLite otherwise checkpoints in the commit that crosses 1,000 pages).
  sqlite3* checkpoint_db = nullptr;
  std::thread checkpointer;
  std::mutex checkpoint_mutex;
  std::condition_variable checkpoint_wanted;
  bool stopping = false;
  std::atomic<int> wal_pages{0};

  [[noreturn]] void fail(const std::string& what) const {
    throw decision_log_error(fmt::format("{}: {}", what, db ? sqlite3_errmsg(db) : "out of memory"));
  }
  void exec(const char* sql) {
    char* message = nullptr;
    if (sqlite3_exec(db, sql, nullptr, nullptr, &message) != SQLITE_OK) {
      std::string text = message ? message : "unknown error";
      sqlite3_free(message);
      throw decision_log_error(text);
    }
  }
  sqlite3_stmt* prepare(const char* sql) {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, nullptr) != SQLITE_OK) fail("prepare");
    return s;
  }
  void bind(const decision_record& r);
  void commit(std::vector<pending_decision*>& batch);
  void checkpoint_loop();

  ~impl() {
    {
      std::lock_guard lock(checkpoint_mutex);
      stopping = true;
    }
    checkpoint_wanted.notify_all();
    if (checkpointer.joinable()) checkpointer.join();
    if (checkpoint_db) sqlite3_close_v2(checkpoint_db);
    sqlite3_finalize(insert);
    sqlite3_finalize(select);
    sqlite3_finalize(count);
    if (db) sqlite3_close_v2(db);
  }
};

decision_log::decision_log(const std::filesystem::path& file, durability d) : impl_(std::make_unique<impl>()) {
  auto& m = *impl_;
  // The connection is used under our mutex only: SQLite's own per-connection mutex is not needed.
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  if (sqlite3_open_v2(file.c_str(), &m.db, flags, nullptr) != SQLITE_OK)
    m.fail(fmt::format("cannot open the decision log '{}'", file.string()));
  sqlite3_busy_timeout(m.db, 5000);  // `decisions verify` may read while the server writes
  try {
    m.exec("PRAGMA journal_mode=WAL");
    m.exec(d == durability::full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL");
    m.exec(schema_sql);
    m.exec("PRAGMA user_version=1");
  } catch (const decision_log_error& e) {
    throw decision_log_error(fmt::format("'{}' cannot be used as a decision log: {}", file.string(), e.what()));
  }
  m.insert = m.prepare(
      "INSERT INTO decisions (id, time, ruleset, ruleset_sha256, proposal_sha256, proposal_type, params, "
      "result, errors, warnings, notes, checks, findings) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13)");
  m.select = m.prepare(
      "SELECT id, time, ruleset, ruleset_sha256, proposal_sha256, proposal_type, params, result, errors, "
      "warnings, notes, checks, findings FROM decisions WHERE id = ?1");
  m.count = m.prepare("SELECT count(*) FROM decisions");

  m.exec("PRAGMA wal_autocheckpoint=0");
  sqlite3_wal_hook(
      m.db,
      [](void* arg, sqlite3*, const char*, int pages) {
        static_cast<impl*>(arg)->wal_pages.store(pages, std::memory_order_relaxed);
        return SQLITE_OK;
      },
      &m);
  if (sqlite3_open_v2(file.c_str(), &m.checkpoint_db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr) !=
      SQLITE_OK)
    throw decision_log_error(fmt::format("cannot open the decision log '{}' a second time for checkpoints: {}",
                                         file.string(), m.checkpoint_db ? sqlite3_errmsg(m.checkpoint_db) : "out of memory"));
  sqlite3_busy_timeout(m.checkpoint_db, 5000);
  m.checkpointer = std::thread([&m] { m.checkpoint_loop(); });
}

decision_log::~decision_log() = default;

void decision_log::impl::bind(const decision_record& r) {
  sqlite3_stmt* s = insert;
  const auto text = [s](int i, const std::string& v) {
    sqlite3_bind_text(s, i, v.data(), static_cast<int>(v.size()), SQLITE_STATIC);
  };
  text(1, r.id);
  text(2, r.time);
  text(3, r.ruleset);
  text(4, r.ruleset_sha256);
  text(5, r.proposal_sha256);
  text(6, r.proposal_type);
  text(7, r.params_json);
  text(8, r.result);
  sqlite3_bind_int64(s, 9, static_cast<sqlite3_int64>(r.errors));
  sqlite3_bind_int64(s, 10, static_cast<sqlite3_int64>(r.warnings));
  sqlite3_bind_int64(s, 11, static_cast<sqlite3_int64>(r.notes));
  sqlite3_bind_int64(s, 12, static_cast<sqlite3_int64>(r.checks));
  text(13, r.findings_json);
}

// Commits the batch in one transaction; when that fails, each decision alone, so that one bad
// decision (or a full disk) fails only the calls it concerns, each with SQLite's message.
void decision_log::impl::commit(std::vector<pending_decision*>& batch) {
  std::lock_guard lock(mutex);
  const auto insert_one = [this](pending_decision& p) {
    bind(*p.record);
    const int rc = sqlite3_step(insert);
    sqlite3_reset(insert);
    sqlite3_clear_bindings(insert);
    return rc == SQLITE_DONE;
  };
  if (batch.size() > 1) {
    bool ok = sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr) == SQLITE_OK;
    for (std::size_t i = 0; ok && i < batch.size(); ++i) ok = insert_one(*batch[i]);
    if (ok && sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr) == SQLITE_OK) return;
    if (!sqlite3_get_autocommit(db)) sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
  }
  for (pending_decision* p : batch)
    if (!insert_one(*p)) p->error = fmt::format("cannot record the decision: {}", sqlite3_errmsg(db));
}

void decision_log::record(const decision_record& r) {
  auto& m = *impl_;
  pending_decision mine{&r, false, {}};
  std::unique_lock lock(m.queue_mutex);
  m.queue.push_back(&mine);
  while (!mine.done) {
    if (m.committing) {
      m.committed.wait(lock);
      continue;
    }
    // Lead: commit everything queued so far (this decision among them).
    std::vector<pending_decision*> batch;
    batch.swap(m.queue);
    m.committing = true;
    lock.unlock();
    try {
      m.commit(batch);
    } catch (...) {
      for (pending_decision* p : batch)
        if (p->error.empty()) p->error = "cannot record the decision";
    }
    lock.lock();
    for (pending_decision* p : batch) p->done = true;
    m.committing = false;
    m.committed.notify_all();
  }
  lock.unlock();
  if (!mine.error.empty()) throw decision_log_error(mine.error);
  if (m.wal_pages.load(std::memory_order_relaxed) >= 1000) m.checkpoint_wanted.notify_one();
}

void decision_log::impl::checkpoint_loop() {
  std::unique_lock lock(checkpoint_mutex);
  while (!stopping) {
    checkpoint_wanted.wait_for(lock, std::chrono::seconds(1));
    if (stopping) break;
    if (wal_pages.load() == 0) continue;
    lock.unlock();
    // PASSIVE: copies what it can without blocking the writer; the next commit after a complete
    // checkpoint starts the WAL file from its beginning again.
    int log = 0, done = 0;
    if (sqlite3_wal_checkpoint_v2(checkpoint_db, nullptr, SQLITE_CHECKPOINT_PASSIVE, &log, &done) == SQLITE_OK &&
        log == done)
      wal_pages.store(0);
    lock.lock();
  }
}

std::optional<decision_record> decision_log::find(std::string_view id) {
  std::lock_guard lock(impl_->mutex);
  sqlite3_stmt* s = impl_->select;
  sqlite3_bind_text(s, 1, id.data(), static_cast<int>(id.size()), SQLITE_TRANSIENT);
  std::optional<decision_record> out;
  const int rc = sqlite3_step(s);
  if (rc == SQLITE_ROW) {
    const auto col = [s](int i) {
      const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(s, i));
      return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(s, i))) : std::string();
    };
    decision_record r;
    r.id = col(0);
    r.time = col(1);
    r.ruleset = col(2);
    r.ruleset_sha256 = col(3);
    r.proposal_sha256 = col(4);
    r.proposal_type = col(5);
    r.params_json = col(6);
    r.result = col(7);
    r.errors = static_cast<std::uint64_t>(sqlite3_column_int64(s, 8));
    r.warnings = static_cast<std::uint64_t>(sqlite3_column_int64(s, 9));
    r.notes = static_cast<std::uint64_t>(sqlite3_column_int64(s, 10));
    r.checks = static_cast<std::uint64_t>(sqlite3_column_int64(s, 11));
    r.findings_json = col(12);
    out = std::move(r);
  }
  sqlite3_reset(s);
  sqlite3_clear_bindings(s);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) impl_->fail("cannot read the decision log");
  return out;
}

std::uint64_t decision_log::count() {
  std::lock_guard lock(impl_->mutex);
  sqlite3_stmt* s = impl_->count;
  const int rc = sqlite3_step(s);
  const auto n = rc == SQLITE_ROW ? static_cast<std::uint64_t>(sqlite3_column_int64(s, 0)) : 0;
  sqlite3_reset(s);
  if (rc != SQLITE_ROW) impl_->fail("cannot read the decision log");
  return n;
}

std::string new_decision_id() {
  thread_local std::mt19937_64 rng{std::random_device{}() ^
                                   (static_cast<std::uint64_t>(std::random_device{}()) << 32)};
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count();
  const std::uint64_t a = rng(), b = rng();
  return fmt::format("{:012x}{:016x}{:04x}", static_cast<std::uint64_t>(ms) & 0xffffffffffffULL, a, b & 0xffff);
}

bool valid_decision_id(std::string_view id) noexcept {
  if (id.size() != 32) return false;
  for (char c : id)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

std::string utc_now_rfc3339() {
  const auto now = std::chrono::system_clock::now();
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  const std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                     tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms % 1000));
}

}  // namespace fundcheck::app
