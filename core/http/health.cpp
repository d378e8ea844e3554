#include "core/http/health.hpp"

namespace core {
namespace {

Task<void> Healthz(Exchange& ex) {
  ex.Json(http::status::ok, R"({"status":"ok"})");
  co_return;
}

Task<void> Readyz(const Readiness* readiness, Exchange& ex) {
  auto r = readiness->Evaluate();
  if (r) {
    ex.Json(http::status::ok, R"({"status":"ready"})");
  } else {
    ex.Fail(r.error());
  }
  co_return;
}

}  // namespace

Result<void> Readiness::Evaluate() const {
  if (!serving_.load()) return Error(Code::kUnavailable, "not serving (starting or shutting down)");
  for (const auto& [name, check] : checks_) {
    auto r = check();
    if (!r) return Error(Code::kUnavailable, name + ": " + r.error().detail);
  }
  return {};
}

void AddHealthRoutes(Router& router, const Readiness& readiness) {
  router.Get("/healthz", Healthz);
  router.Get("/readyz", [r = &readiness](Exchange& ex) { return Readyz(r, ex); });
}

}  // namespace core
