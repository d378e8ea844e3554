#include "02_url_shortener_service_mini/http/link_json.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace shortener {
namespace {

namespace json = boost::json;

core::Error Bad(std::string detail) {
  return core::Error(core::Code::kInvalidArgument, std::move(detail));
}

// An integer member, or nullopt when absent or null. Whole-valued doubles (1e3) are refused: a
// client sending them has a bug worth hearing about.
core::Result<std::optional<std::int64_t>> IntMember(const json::object& o, std::string_view name,
                                                    std::string_view what) {
  const json::value* v = o.if_contains(name);
  if (v == nullptr || v->is_null()) return std::optional<std::int64_t>();
  if (v->is_int64()) return std::optional<std::int64_t>(v->get_int64());
  if (v->is_uint64() && v->get_uint64() <= static_cast<std::uint64_t>(INT64_MAX)) {
    return std::optional<std::int64_t>(static_cast<std::int64_t>(v->get_uint64()));
  }
  return Bad(std::string(name) + ": " + std::string(what));
}

core::Result<std::optional<std::string>> StringMember(const json::object& o,
                                                      std::string_view name) {
  const json::value* v = o.if_contains(name);
  if (v == nullptr || v->is_null()) return std::optional<std::string>();
  if (!v->is_string()) return Bad(std::string(name) + ": a string");
  return std::optional<std::string>(std::string(v->get_string()));
}

json::value OptionalInt(const std::optional<std::int64_t>& v) {
  if (!v) return nullptr;
  return *v;
}

}  // namespace

core::Result<CreateRequest> ParseCreateRequest(std::string_view body, bool seed_only) {
  boost::system::error_code ec;
  json::parse_options options;
  options.max_depth = 8;
  json::value doc = json::parse(body, ec, {}, options);
  if (ec) return Bad("body: not valid JSON (" + ec.message() + ")");
  const json::object* o = doc.if_object();
  if (o == nullptr) return Bad("body: a JSON object");
  CreateRequest r;
  auto url = StringMember(*o, "url");
  if (!url) return url.error();
  if (!*url) return Bad("url: required");
  r.url = std::move(**url);
  if (seed_only) return r;
  auto alias = StringMember(*o, "alias");
  if (!alias) return alias.error();
  r.alias = std::move(*alias);
  auto ttl = IntMember(*o, "ttl", "an integer number of seconds");
  if (!ttl) return ttl.error();
  r.ttl_seconds = *ttl;
  auto expires = IntMember(*o, "expires_at", "an integer Unix time in seconds");
  if (!expires) return expires.error();
  r.expires_at = *expires;
  auto visits = IntMember(*o, "max_visits", "an integer");
  if (!visits) return visits.error();
  r.max_visits = *visits;
  auto redirect = IntMember(*o, "redirect", "one of 301, 302, 307, 308");
  if (!redirect) return redirect.error();
  if (*redirect) {
    if (**redirect < 0 || **redirect > 999) return Bad("redirect: one of 301, 302, 307, 308");
    r.redirect = static_cast<int>(**redirect);
  }
  if (const json::value* f = o->if_contains("find_if_exists"); f != nullptr && !f->is_null()) {
    if (!f->is_bool()) return Bad("find_if_exists: true or false");
    r.find_if_exists = f->get_bool();
  }
  return r;
}

std::string LinkJson(const Link& link, std::string_view short_url, int redirect, std::int64_t now) {
  json::object o;
  o["code"] = link.code;
  o["short_url"] = short_url;
  o["url"] = link.url;
  o["created_at"] = link.created_at;
  o["expires_at"] = OptionalInt(link.expires_at);
  o["max_visits"] = OptionalInt(link.max_visits);
  o["redirect"] = redirect;
  o["custom"] = link.custom;
  o["visits"] = link.visits;
  o["state"] = NameOf(StateAt(link, now));
  o["deleted_at"] = OptionalInt(link.deleted_at);
  return json::serialize(o);
}

std::string StatsJson(std::string_view code, const LinkStats& stats) {
  json::object o;
  o["code"] = code;
  o["visits"] = stats.visits;
  o["bot_visits"] = stats.bot_visits;
  o["bot_share"] = stats.visits == 0 ? 0.0 : double(stats.bot_visits) / double(stats.visits);
  json::array days;
  for (const DayCount& d : stats.per_day) {
    days.push_back(json::object{{"day", DayText(d.day)}, {"visits", d.visits}});
  }
  o["per_day"] = std::move(days);
  json::array hosts;
  for (const HostCount& h : stats.top_referrers) {
    json::value host = nullptr;
    if (!h.host.empty()) host = h.host;
    hosts.push_back(json::object{{"host", host}, {"visits", h.visits}});
  }
  o["top_referrers"] = std::move(hosts);
  return json::serialize(o);
}

}  // namespace shortener
