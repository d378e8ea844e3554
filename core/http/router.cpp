#include "core/http/router.hpp"

#include <algorithm>
#include <stdexcept>

namespace core {
namespace {

// Splits "/a/b/c" into {"a","b","c"}; "/" gives {}. A trailing slash is a distinct empty segment.
std::vector<std::string_view> Split(std::string_view path) {
  std::vector<std::string_view> out;
  if (path.empty() || path == "/") return out;
  if (path.front() == '/') path.remove_prefix(1);
  for (;;) {
    auto slash = path.find('/');
    out.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return out;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

bool PercentDecode(std::string_view in, std::string& out) {
  out.clear();
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      out.push_back(in[i]);
      continue;
    }
    if (i + 2 >= in.size()) return false;
    int hi = HexValue(in[i + 1]);
    int lo = HexValue(in[i + 2]);
    if (hi < 0 || lo < 0) return false;
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return true;
}

void Router::Add(http::verb method, std::string_view pattern, Handler handler) {
  if (pattern.empty() || pattern.front() != '/') {
    throw std::invalid_argument("route pattern must start with '/': " + std::string(pattern));
  }
  Route route{std::string(pattern), {}, method, std::move(handler)};
  auto parts = Split(pattern);
  for (std::size_t i = 0; i < parts.size(); ++i) {
    std::string_view p = parts[i];
    if (p.size() >= 2 && p.front() == '{' && p.back() == '}') {
      std::string_view name = p.substr(1, p.size() - 2);
      Segment::Kind kind = Segment::Kind::kParam;
      if (name.size() > 3 && name.substr(name.size() - 3) == "...") {
        if (i + 1 != parts.size()) {
          throw std::invalid_argument("{rest...} must be the last segment: " + route.pattern);
        }
        name.remove_suffix(3);
        kind = Segment::Kind::kRest;
      }
      if (name.empty()) throw std::invalid_argument("empty parameter name: " + route.pattern);
      route.segments.push_back({kind, std::string(name)});
    } else if (p.find_first_of("{}") != std::string_view::npos) {
      throw std::invalid_argument("malformed segment in route: " + route.pattern);
    } else {
      route.segments.push_back({Segment::Kind::kLiteral, std::string(p)});
    }
  }
  for (const auto& r : routes_) {
    if (r.method == method && r.pattern == route.pattern) {
      throw std::invalid_argument("duplicate route: " + route.pattern);
    }
  }
  routes_.push_back(std::move(route));
  // Literal segments win over parameters at the first position where two routes differ.
  std::stable_sort(routes_.begin(), routes_.end(), [](const Route& a, const Route& b) {
    std::size_t n = std::min(a.segments.size(), b.segments.size());
    for (std::size_t i = 0; i < n; ++i) {
      auto ka = a.segments[i].kind, kb = b.segments[i].kind;
      if (ka != kb) return ka < kb;  // kLiteral < kParam < kRest
    }
    return false;
  });
}

bool Router::MatchPath(const Route& route, std::string_view path, PathParams* params) {
  if (path.empty() || path.front() != '/') return false;
  path.remove_prefix(1);
  const auto& segs = route.segments;
  if (segs.empty()) return path.empty();
  for (std::size_t i = 0; i < segs.size(); ++i) {
    const Segment& s = segs[i];
    if (s.kind == Segment::Kind::kRest) {
      std::string decoded;
      if (!PercentDecode(path, decoded)) return false;
      if (params) params->Add(s.text, std::move(decoded));
      return true;
    }
    auto slash = path.find('/');
    std::string_view part = path.substr(0, slash);
    bool last = i + 1 == segs.size();
    if (last != (slash == std::string_view::npos)) return false;  // too many or too few segments
    if (s.kind == Segment::Kind::kLiteral) {
      if (part != s.text) return false;
    } else {
      if (part.empty()) return false;
      std::string decoded;  // a malformed escape never matches, whether or not we keep the value
      if (!PercentDecode(part, decoded)) return false;
      if (params) params->Add(s.text, std::move(decoded));
    }
    if (!last) path.remove_prefix(slash + 1);
  }
  return true;
}

namespace {

// OPTIONS * (RFC 9110 §9.3.7): what the server as a whole supports, named in Allow.
Task<void> AnswerServerOptions(Exchange& ex) {
  ex.response.result(http::status::no_content);
  ex.response.set(http::field::allow, ex.allow);
  co_return;
}

const Handler kServerOptions = AnswerServerOptions;

}  // namespace

Router::Match Router::Find(http::verb method, std::string_view path, PathParams& params) const {
  Match m;
  if (path == "*" && method == http::verb::options) {  // asterisk-form (RFC 9112 §3.2.4)
    m.kind = Match::Kind::kFound;
    m.handler = &kServerOptions;
    m.route = "*";
    for (const auto& r : routes_) {
      std::string_view name = http::to_string(r.method);
      if (m.allow.find(name) != std::string::npos) continue;
      if (!m.allow.empty()) m.allow += ", ";
      m.allow += name;
      if (r.method == http::verb::get) m.allow += ", HEAD";
    }
    m.allow += m.allow.empty() ? "OPTIONS" : ", OPTIONS";
    return m;
  }
  const http::verb wanted = method == http::verb::head ? http::verb::get : method;
  for (const auto& r : routes_) {
    if (r.method != wanted && !(method == http::verb::head && r.method == http::verb::head)) {
      continue;
    }
    params.Clear();
    if (MatchPath(r, path, &params)) {
      m.kind = Match::Kind::kFound;
      m.handler = &r.handler;
      m.route = r.pattern;
      return m;
    }
  }
  params.Clear();
  // No route for this method: is the path known under another one?
  for (const auto& r : routes_) {
    if (!MatchPath(r, path, nullptr)) continue;
    m.kind = Match::Kind::kMethodNotAllowed;
    m.route = r.pattern;
    std::string_view name = http::to_string(r.method);
    if (m.allow.find(name) == std::string::npos) {
      if (!m.allow.empty()) m.allow += ", ";
      m.allow += name;
      if (r.method == http::verb::get) m.allow += ", HEAD";
    }
  }
  return m;
}

}  // namespace core
