// Liveness and readiness, the two probes an orchestrator asks every service.
//
// GET /healthz: the process is up and serving (always 200 while it answers at all).
// GET /readyz: it should get traffic: 200 when every registered check passes, 503 (problem+json
// naming the failing check) while starting, draining on shutdown, or when a dependency is down.
#pragma once

#include <atomic>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "core/base/error.hpp"
#include "core/http/router.hpp"

namespace core {

class Readiness {
 public:
  using Check = std::function<Result<void>()>;

  // Adds a named dependency check, run on every /readyz. Register before serving.
  void AddCheck(std::string name, Check check) {
    checks_.emplace_back(std::move(name), std::move(check));
  }
  // Serving state, flipped by the service runner: true once listening, false when draining.
  void SetServing(bool serving) noexcept { serving_.store(serving); }

  // OK, or the first failing reason. Thread-safe if the checks are.
  Result<void> Evaluate() const;

 private:
  std::atomic<bool> serving_{false};
  std::vector<std::pair<std::string, Check>> checks_;
};

// Registers GET /healthz and GET /readyz; `readiness` must outlive the router.
void AddHealthRoutes(Router& router, const Readiness& readiness);

}  // namespace core
