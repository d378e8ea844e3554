// One PostgreSQL result, owned (PQclear on destruction) and cheap to move. A statement the server
// refused is a result too — ok() false, with its SQLSTATE — so that callers can tell "the code is
// taken" (23505, unique_violation) from "the database is away" (an Error from PgPool); what they
// do not tell apart becomes StatementError.
#pragma once

#include <libpq-fe.h>

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/base/error.hpp"

namespace core::pg {

// SQLSTATEs callers branch on.
inline constexpr std::string_view kUniqueViolation = "23505";
inline constexpr std::string_view kSerializationFailure = "40001";

class PgResult {
 public:
  PgResult() = default;
  explicit PgResult(PGresult* result) : result_(result, &PQclear) {}

  // The statement succeeded (with or without rows).
  bool ok() const noexcept {
    const auto status = PQresultStatus(result_.get());
    return status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK;
  }
  // Five characters ("23505") when the server reported an error, else "".
  std::string_view sqlstate() const noexcept {
    const char* s = PQresultErrorField(result_.get(), PG_DIAG_SQLSTATE);
    return s != nullptr ? std::string_view(s) : std::string_view();
  }
  // The failure is about the server or the connection, not the statement: connection exceptions
  // (class 08), operator intervention such as a shutdown (57), insufficient resources (53), system
  // errors (58). Callers treat these as "unavailable", not as a bug in their SQL.
  bool ServerUnavailable() const noexcept {
    const std::string_view s = sqlstate();
    return s.starts_with("08") || s.starts_with("57") || s.starts_with("53") || s.starts_with("58");
  }
  // The server's message, or "" when ok().
  std::string error() const { return PQresultErrorMessage(result_.get()); }

  int rows() const noexcept { return PQntuples(result_.get()); }
  int columns() const noexcept { return PQnfields(result_.get()); }
  // Rows an INSERT/UPDATE/DELETE touched.
  std::int64_t affected() const noexcept {
    const char* n = PQcmdTuples(result_.get());
    return (n != nullptr && *n != '\0') ? std::strtoll(n, nullptr, 10) : 0;
  }

  bool IsNull(int row, int column) const noexcept {
    return PQgetisnull(result_.get(), row, column) != 0;
  }
  // The value in text format (empty for NULL). Valid while this result lives.
  std::string_view Text(int row, int column) const noexcept {
    return std::string_view(PQgetvalue(result_.get(), row, column),
                            static_cast<std::size_t>(PQgetlength(result_.get(), row, column)));
  }
  std::int64_t Int(int row, int column) const noexcept {
    return std::strtoll(PQgetvalue(result_.get(), row, column), nullptr, 10);
  }
  std::optional<std::int64_t> OptionalInt(int row, int column) const noexcept {
    if (IsNull(row, column)) return std::nullopt;
    return Int(row, column);
  }
  // PostgreSQL's text form of a boolean is "t" / "f".
  bool Bool(int row, int column) const noexcept { return Text(row, column) == "t"; }

 private:
  std::shared_ptr<PGresult> result_;
};

// A statement the server refused (`!result.ok()`) as an Error in the API's vocabulary, for stores
// that have no more specific meaning for it: kUnavailable when the server or the connection is the
// trouble (ServerUnavailable: retrying later may work), otherwise kInternal (our SQL or our data).
// The detail reads "postgres: SQLSTATE message".
inline Error StatementError(const PgResult& result) {
  return Error(result.ServerUnavailable() ? Code::kUnavailable : Code::kInternal,
               "postgres: " + std::string(result.sqlstate()) + " " + result.error());
}

}  // namespace core::pg
