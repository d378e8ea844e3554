// libFuzzer: arbitrary bytes, delivered in arbitrary chunks, through the server's request reader,
// the router and the query parser — everything the server does with a client's bytes before a
// handler runs. Must never crash, hang, or buffer past the limits.
#include <cstdint>
#include <cstring>
#include <string_view>

#include "core/http/exchange.hpp"
#include "core/http/request_reader.hpp"
#include "core/http/router.hpp"

namespace {

const core::Router& TheRouter() {
  static core::Router* router = [] {
    auto* r = new core::Router();
    r->Get("/hello", {});  // handlers never run here; no coroutines in this TU (see CMakeLists)
    r->Get("/r/{code}", {});
    r->Put("/v1/cache/{key}", {});
    r->Get("/api/{rest...}", {});
    return r;
  }();
  return *router;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  core::ServerOptions options;
  options.max_header_bytes = 1024;
  options.max_body_bytes = 4096;
  core::RequestReader reader(options);
  const std::size_t chunk = 1 + data[0] % 64;  // the first byte picks the delivery pattern
  std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  for (int rounds = 0; rounds < 100000; ++rounds) {
    auto status = reader.Parse();
    if (status == core::RequestReader::Status::kError) break;
    if (status == core::RequestReader::Status::kRequest) {
      core::Request req = reader.Take();
      core::Exchange ex(req, {}, 0);
      core::PathParams params;
      TheRouter().Find(req.method(), ex.Path(), params);
      (void)ex.Query("key");
      continue;
    }
    if (input.empty()) break;
    auto buf = reader.Prepare();
    if (buf.size() == 0) __builtin_trap();  // Parse must have reported the full buffer
    std::size_t n = std::min({chunk, input.size(), buf.size()});
    std::memcpy(buf.data(), input.data(), n);
    reader.Commit(n);
    input.remove_prefix(n);
  }
  if (reader.buffered() > options.max_header_bytes + 16 * 1024) __builtin_trap();
  return 0;
}
