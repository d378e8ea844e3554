#include "02_url_shortener_service_mini/store/sqlite_db.hpp"

namespace shortener {

core::Error SqliteError(sqlite3* db, int rc, std::string_view what) {
  std::string detail(what);
  detail += ": ";
  detail += db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  switch (rc & 0xff) {  // the primary result code
    case SQLITE_CONSTRAINT:
      if (rc == SQLITE_CONSTRAINT_PRIMARYKEY || rc == SQLITE_CONSTRAINT_UNIQUE) {
        return core::Error(core::Code::kConflict, std::move(detail));
      }
      return core::Error(core::Code::kInternal, std::move(detail));
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_FULL:
    case SQLITE_IOERR:
    case SQLITE_READONLY:
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
    case SQLITE_NOLFS:
      return core::Error(core::Code::kUnavailable, std::move(detail));
    default:
      return core::Error(core::Code::kInternal, std::move(detail));
  }
}

core::Result<bool> SqliteStatement::Step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  core::Error error = SqliteError(db_, sqlite3_extended_errcode(db_), "sqlite step");
  sqlite3_reset(stmt_);
  return error;
}

core::Result<void> SqliteStatement::Run() {
  for (;;) {
    auto more = Step();
    if (!more) return more.error();
    if (!*more) return {};
  }
}

std::string SqliteStatement::Text(int column) const {
  const auto* text = sqlite3_column_text(stmt_, column);
  const int bytes = sqlite3_column_bytes(stmt_, column);
  if (text == nullptr) return {};
  return std::string(reinterpret_cast<const char*>(text), static_cast<std::size_t>(bytes));
}

core::Result<std::unique_ptr<SqliteDb>> SqliteDb::Open(const std::string& path, bool create) {
  sqlite3* db = nullptr;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
  if (create) flags |= SQLITE_OPEN_CREATE;
  const int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    core::Error error = SqliteError(db, rc, "sqlite open " + path);
    sqlite3_close(db);
    error.code = core::Code::kUnavailable;
    return error;
  }
  sqlite3_extended_result_codes(db, 1);
  return std::unique_ptr<SqliteDb>(new SqliteDb(db));
}

SqliteDb::~SqliteDb() {
  statements_.clear();  // finalize before close, or close fails with SQLITE_BUSY
  sqlite3_close(db_);
}

core::Result<void> SqliteDb::Exec(std::string_view sql) {
  const std::string text(sql);
  char* message = nullptr;
  const int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &message);
  sqlite3_free(message);
  if (rc != SQLITE_OK) return SqliteError(db_, sqlite3_extended_errcode(db_), "sqlite exec");
  return {};
}

core::Result<SqliteStatement*> SqliteDb::Prepare(const std::string& sql) {
  auto it = statements_.find(sql);
  if (it == statements_.end()) {
    sqlite3_stmt* stmt = nullptr;
    const int rc = sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size()),
                                      SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK) return SqliteError(db_, rc, "sqlite prepare");
    it = statements_.emplace(sql, std::make_unique<SqliteStatement>(db_, stmt)).first;
  }
  it->second->Reset();
  return it->second.get();
}

core::Result<std::int64_t> SqliteDb::QueryInt(const std::string& sql) {
  auto stmt = Prepare(sql);
  if (!stmt) return stmt.error();
  auto row = (*stmt)->Step();
  if (!row) return row.error();
  if (!*row) return core::Error(core::Code::kInternal, "sqlite: no row for " + sql);
  const std::int64_t value = (*stmt)->Int(0);
  (*stmt)->Reset();
  return value;
}

}  // namespace shortener
