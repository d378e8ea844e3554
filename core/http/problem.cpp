#include "core/http/problem.hpp"

#include <boost/beast/http/status.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "core/base/utf8.hpp"

namespace core {

std::string ProblemJson(const Error& error, std::string_view instance,
                        std::string_view request_id) {
  const int status = HttpStatusOf(error.code);
  boost::json::object o;
  o["type"] = "about:blank";
  o["title"] = std::string_view(http::obsolete_reason(static_cast<http::status>(status)));
  o["status"] = status;
  // Details and paths may carry a client's bytes: JSON needs them as valid UTF-8.
  o["detail"] = ToValidUtf8(error.detail);
  o["code"] = NameOf(error.code);
  if (!instance.empty()) o["instance"] = ToValidUtf8(instance);
  if (!request_id.empty()) o["request_id"] = ToValidUtf8(request_id);
  return boost::json::serialize(o);
}

void SetProblem(Response& res, const Error& error, std::string_view instance,
                std::string_view request_id) {
  res.result(static_cast<http::status>(HttpStatusOf(error.code)));
  res.set(http::field::content_type, kProblemContentType);
  res.body() = ProblemJson(error, instance, request_id);
}

}  // namespace core
