#include "core/http/exchange.hpp"

#include <boost/url/parse.hpp>

#include "core/http/problem.hpp"

namespace core {

std::string_view Exchange::Path() const noexcept {
  std::string_view target = request.target();
  if (auto q = target.find('?'); q != std::string_view::npos) target = target.substr(0, q);
  return target;
}

std::optional<std::string> Exchange::Query(std::string_view name) const {
  auto url = boost::urls::parse_origin_form(request.target());
  if (!url) return std::nullopt;
  auto query = url->params();  // decoded view
  auto it = query.find(name);
  if (it == query.end()) return std::nullopt;
  return std::string((*it).value);
}

void Exchange::Json(http::status status, std::string body) {
  Text(status, std::move(body), "application/json");
}

void Exchange::Text(http::status status, std::string body, std::string_view content_type) {
  response.result(status);
  response.set(http::field::content_type, content_type);
  response.body() = std::move(body);
}

void Exchange::Fail(const Error& error) {
  const std::string* id = attributes.Get(kRequestId);
  SetProblem(response, error, Path(), id ? std::string_view(*id) : std::string_view());
}

}  // namespace core
