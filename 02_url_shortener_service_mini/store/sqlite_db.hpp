// A thin RAII layer over the SQLite C API for the shortener's store: one connection, its prepared
// statements (compiled once, reused), and SQLite's result codes turned into core::Error values.
//
// Not thread-safe: a SqliteDb belongs to one thread at a time (the store gives each of its
// threads its own connection; SQLite itself is built serialized, so this is about our caches).
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/base/error.hpp"

namespace shortener {

// The error for SQLite result code `rc` on `db` (null before the connection exists), as the API
// vocabulary sees it: a UNIQUE or PRIMARY KEY violation is kConflict; a busy or locked database,
// a full disk, an I/O error, a read-only or corrupt file are kUnavailable (the store cannot do its
// job now: readiness turns false); anything else is kInternal. `what` prefixes the detail.
core::Error SqliteError(sqlite3* db, int rc, std::string_view what);

// A prepared statement owned by its connection's cache. Bind parameters (1-based), Step through
// the rows, and Reset (done automatically by SqliteDb::Prepare before it hands the statement out).
class SqliteStatement {
 public:
  SqliteStatement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  ~SqliteStatement() { sqlite3_finalize(stmt_); }
  SqliteStatement(const SqliteStatement&) = delete;
  SqliteStatement& operator=(const SqliteStatement&) = delete;

  void Bind(int index, std::int64_t value) { sqlite3_bind_int64(stmt_, index, value); }
  // The text is copied (SQLITE_TRANSIENT): `value` need not outlive the statement.
  void Bind(int index, std::string_view value) {
    sqlite3_bind_text(stmt_, index, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT);
  }
  void Bind(int index, const std::optional<std::int64_t>& value) {
    if (value) {
      Bind(index, *value);
    } else {
      sqlite3_bind_null(stmt_, index);
    }
  }

  // True when a row is ready, false when the statement is done. Errors as SqliteError.
  core::Result<bool> Step();
  // Steps to completion (for statements that return no rows). Errors as SqliteError.
  core::Result<void> Run();
  // sqlite3_changes() after the last Run/Step.
  int Changes() const { return sqlite3_changes(db_); }

  std::int64_t Int(int column) const { return sqlite3_column_int64(stmt_, column); }
  bool IsNull(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }
  std::optional<std::int64_t> OptionalInt(int column) const {
    if (IsNull(column)) return std::nullopt;
    return Int(column);
  }
  std::string Text(int column) const;

  void Reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_;
};

class SqliteDb {
 public:
  // Opens (creating when `create`) the database at `path`. Errors: kUnavailable naming the path
  // (a missing directory, no permission, not a database).
  static core::Result<std::unique_ptr<SqliteDb>> Open(const std::string& path, bool create);
  ~SqliteDb();
  SqliteDb(const SqliteDb&) = delete;
  SqliteDb& operator=(const SqliteDb&) = delete;

  // Runs one or more statements that return nothing (schema, pragmas, BEGIN/COMMIT).
  core::Result<void> Exec(std::string_view sql);
  // The cached statement for `sql` (compiled on first use), reset and with no bindings.
  // Errors as SqliteError (a syntax error is kInternal: a bug).
  core::Result<SqliteStatement*> Prepare(const std::string& sql);
  // A single integer a query returns (PRAGMA values, counts).
  core::Result<std::int64_t> QueryInt(const std::string& sql);

  sqlite3* raw() noexcept { return db_; }

 private:
  explicit SqliteDb(sqlite3* db) : db_(db) {}

  sqlite3* db_;
  std::map<std::string, std::unique_ptr<SqliteStatement>, std::less<>> statements_;
};

}  // namespace shortener
