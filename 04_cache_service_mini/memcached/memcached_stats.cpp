// `stats` and its groups (settings, slabs, items, sizes, conns, reset) in memcached 1.6's shape:
// the same names in the same order, so tools that read them (memcstat, memcached-tool, exporters)
// find what they expect. A field is reported only where it means the same thing here; slab-
// allocator, LRU-segment, extstore and TLS internals have no counterpart and are left out (the 04
// README lists them). The cache has shards where memcached has slab classes: `stats slabs` and
// `stats items` number the shards 1..N in that place, with the per-class fields that map.
// Our own fields (eviction_policy, bytes_in_flight, ...) follow memcached's.
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <climits>
#include <cstdio>
#include <string>

#include "04_cache_service_mini/memcached/memcached_session.hpp"
#include "core/base/decimal.hpp"

namespace cache {

using memcached::Tokens;

namespace {

void Stat(std::string& out, std::string_view name, std::uint64_t value) {
  out.append("STAT ").append(name).push_back(' ');
  core::AppendDecimal(out, value);
  out.append("\r\n");
}

void Stat(std::string& out, std::string_view name, std::string_view value) {
  out.append("STAT ").append(name).push_back(' ');
  out.append(value).append("\r\n");
}

// "STAT <prefix><index>:<name> <value>": memcached's per-slab-class form.
void ClassStat(std::string& out, std::string_view prefix, std::size_t index, std::string_view name,
               std::uint64_t value) {
  out.append("STAT ").append(prefix);
  core::AppendDecimal(out, index);
  out.push_back(':');
  out.append(name).push_back(' ');
  core::AppendDecimal(out, value);
  out.append("\r\n");
}

void ClassStatText(std::string& out, std::size_t index, std::string_view name,
                   std::string_view text) {
  out.append("STAT ");
  core::AppendDecimal(out, index);
  out.push_back(':');
  out.append(name).push_back(' ');
  out.append(text).append("\r\n");
}

std::string Seconds(const timeval& tv) {
  char text[32];
  std::snprintf(text, sizeof(text), "%ld.%06ld", static_cast<long>(tv.tv_sec),
                static_cast<long>(tv.tv_usec));
  return text;
}

std::uint64_t Minus(std::uint64_t value, std::uint64_t base) {
  return value > base ? value - base : 0;
}

}  // namespace

void MemcachedSession::Stats(const Tokens& tokens, std::string& out) {
  // Like memcached, only the first argument counts ("stats reset now" resets).
  if (tokens.count == 1) {
    GeneralStats(out);
    return;
  }
  const std::string_view group = tokens[1];
  if (group == "reset") {
    service_.ResetStats();
    out.append("RESET\r\n");
    return;
  }
  if (group == "settings") {
    SettingsStats(out);
  } else if (group == "slabs") {
    SlabsStats(out);
  } else if (group == "items") {
    ItemsStats(out);
  } else if (group == "sizes") {
    // memcached's answer while its size histogram (-o track_sizes) is off; we keep none.
    Stat(out, "sizes_status", "disabled");
  } else if (group == "conns") {
    ConnsStats(out);
  } else {
    out.append("ERROR\r\n");  // detail, cachedump, extstore, proxy: not here
    return;
  }
  out.append("END\r\n");
}

void MemcachedSession::GeneralStats(std::string& out) {
  const MemcachedService::StatsBaseline base = service_.Baseline();
  CacheStats stats = service_.cache_.Stats();
  stats.SubtractCounters(base.cache);
  const MemcachedService::TrafficCounters traffic = service_.Traffic();
  const MemcachedOptions& options = service_.options_;
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  const std::uint64_t curr_connections = service_.curr_connections();

  // memcached 1.6.18's order. `emitted` remembers the names so that the extras below skip them.
  std::string_view emitted[64];
  std::size_t emitted_count = 0;
  const auto stat = [&](std::string_view name, auto value) {
    Stat(out, name, value);
    emitted[emitted_count++] = name;
  };
  stat("pid", static_cast<std::uint64_t>(service_.pid_));
  stat("uptime", static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                                service_.clock_.Now() - service_.started_)
                                                .count()));
  stat("time", static_cast<std::uint64_t>(service_.wall_.UnixSeconds()));
  stat("version", std::string_view(options.version));
  stat("pointer_size", std::uint64_t{sizeof(void*) * CHAR_BIT});
  const std::string user = Seconds(usage.ru_utime);
  const std::string system = Seconds(usage.ru_stime);
  stat("rusage_user", std::string_view(user));
  stat("rusage_system", std::string_view(system));
  stat("max_connections", std::uint64_t{options.max_connections});
  stat("curr_connections", curr_connections);
  stat("total_connections", Minus(traffic.total_connections, base.traffic.total_connections));
  stat("rejected_connections",
       Minus(traffic.rejected_connections, base.traffic.rejected_connections));
  stat("connection_structures", curr_connections);  // one session per open connection
  stat("cmd_get", stats.cmd_get());
  stat("cmd_set", stats.cmd_set);
  stat("cmd_flush", stats.cmd_flush);
  stat("cmd_touch", stats.cmd_touch());
  stat("cmd_meta", std::uint64_t{0});  // the meta commands (mg, ms, ...) are not spoken here
  stat("get_hits", stats.get_hits);
  stat("get_misses", stats.get_misses);
  stat("get_expired", stats.get_expired);
  stat("get_flushed", stats.get_flushed);
  stat("delete_misses", stats.delete_misses);
  stat("delete_hits", stats.delete_hits);
  stat("incr_misses", stats.incr_misses);
  stat("incr_hits", stats.incr_hits);
  stat("decr_misses", stats.decr_misses);
  stat("decr_hits", stats.decr_hits);
  stat("cas_misses", stats.cas_misses);
  stat("cas_hits", stats.cas_hits);
  stat("cas_badval", stats.cas_badval);
  stat("touch_hits", stats.touch_hits);
  stat("touch_misses", stats.touch_misses);
  stat("store_too_large", stats.store_too_large);
  stat("store_no_memory", stats.store_no_memory);
  stat("auth_cmds", std::uint64_t{0});  // no SASL, no ascii auth
  stat("auth_errors", std::uint64_t{0});
  stat("bytes_read", Minus(traffic.bytes_read, base.traffic.bytes_read));
  stat("bytes_written", Minus(traffic.bytes_written, base.traffic.bytes_written));
  stat("limit_maxbytes", stats.limit_maxbytes);
  stat("accepting_conns", std::uint64_t{service_.accepting_.load(std::memory_order_relaxed)});
  stat("listen_disabled_num", Minus(traffic.listen_disabled_num, base.traffic.listen_disabled_num));
  stat("time_in_listen_disabled_us",
       Minus(traffic.time_in_listen_disabled_us, base.traffic.time_in_listen_disabled_us));
  stat("threads", std::uint64_t{options.threads});
  stat("conn_yields", std::uint64_t{0});  // a connection is never made to yield mid-batch
  stat("bytes", stats.bytes);
  stat("curr_items", stats.curr_items);
  stat("total_items", stats.total_items);
  stat("expired_unfetched", stats.expired_unfetched);
  stat("evicted_unfetched", stats.evicted_unfetched);
  stat("evictions", stats.evictions);
  stat("reclaimed", stats.reclaimed);
  // memcached's LRU crawler reclaims expired items in the background: our active expiry.
  stat("crawler_reclaimed", stats.expired_active);
  stat("crawler_items_checked", stats.expiry_sampled);

  // Ours, after memcached's: every other cache stat (bytes_in_flight, policy counters, ...).
  const auto already = [&](std::string_view name) {
    return std::find(emitted, emitted + emitted_count, name) != emitted + emitted_count ||
           name == "expired_active" || name == "expiry_sampled";  // reported as crawler_*
  };
  stats.ForEach([&](std::string_view name, std::uint64_t value) {
    if (!already(name)) Stat(out, name, value);
  });
  Stat(out, "eviction_policy", stats.policy);
  out.append("END\r\n");
}

void MemcachedSession::SettingsStats(std::string& out) {
  const MemcachedOptions& options = service_.options_;
  const Cache& cache = service_.cache_;
  Stat(out, "maxbytes", cache.shard_capacity_bytes() * cache.options().shards);
  Stat(out, "maxconns", options.max_connections);
  Stat(out, "tcpport", std::uint64_t{service_.port_.load(std::memory_order_relaxed)});
  Stat(out, "udpport", std::uint64_t{0});
  Stat(out, "inter", options.host);
  Stat(out, "verbosity", service_.verbosity_.load(std::memory_order_relaxed));
  Stat(out, "evictions", "on");
  Stat(out, "domain_socket", "NULL");
  Stat(out, "shutdown_command", "no");
  Stat(out, "num_threads", std::uint64_t{options.threads});
  Stat(out, "detail_enabled", "no");
  Stat(out, "cas_enabled", "yes");
  Stat(out, "binding_protocol", "ascii");
  Stat(out, "auth_enabled_sasl", "no");
  Stat(out, "auth_enabled_ascii", "no");
  Stat(out, "item_size_max", cache.options().max_value_bytes);
  Stat(out, "maxconns_fast", "yes");  // past the cap a client is refused at once, with an error
  Stat(out, "flush_enabled", "yes");
  Stat(out, "dump_enabled", "no");  // no cachedump / metadump
  Stat(out, "lru_maintainer_thread", "no");
  Stat(out, "lru_segmented", "no");
  Stat(out, "temp_lru", "no");
  Stat(out, "idle_timeout", static_cast<std::uint64_t>(options.idle_timeout.count()));
  Stat(out, "track_sizes", "no");
  Stat(out, "ssl_enabled", "no");
  // Ours.
  Stat(out, "eviction_policy", cache.policy_name());
  Stat(out, "num_shards", cache.options().shards);
  Stat(out, "max_line_bytes", options.max_line_bytes);
  Stat(out, "max_get_line_bytes", options.max_retrieval_line_bytes);
}

void MemcachedSession::SlabsStats(std::string& out) {
  const std::vector<CacheStats> shards = service_.ShardStatsSinceReset();
  std::uint64_t active = 0;
  std::uint64_t malloced = 0;
  for (std::size_t i = 0; i < shards.size(); ++i) {
    const CacheStats& shard = shards[i];
    malloced += shard.bytes + shard.bytes_in_flight;
    if (shard.curr_items == 0) continue;  // memcached lists the classes that hold memory
    ++active;
    const std::size_t id = i + 1;  // memcached's class ids start at 1
    ClassStat(out, "", id, "used_chunks", shard.curr_items);
    ClassStat(out, "", id, "get_hits", shard.get_hits);
    ClassStat(out, "", id, "cmd_set", shard.cmd_set);
    ClassStat(out, "", id, "delete_hits", shard.delete_hits);
    ClassStat(out, "", id, "incr_hits", shard.incr_hits);
    ClassStat(out, "", id, "decr_hits", shard.decr_hits);
    ClassStat(out, "", id, "cas_hits", shard.cas_hits);
    ClassStat(out, "", id, "cas_badval", shard.cas_badval);
    ClassStat(out, "", id, "touch_hits", shard.touch_hits);
  }
  Stat(out, "active_slabs", active);
  Stat(out, "total_malloced", malloced);  // charged bytes, stored and in flight
}

void MemcachedSession::ItemsStats(std::string& out) {
  const std::vector<CacheStats> shards = service_.ShardStatsSinceReset();
  for (std::size_t i = 0; i < shards.size(); ++i) {
    const CacheStats& shard = shards[i];
    if (shard.curr_items == 0) continue;
    const std::size_t id = i + 1;
    ClassStat(out, "items:", id, "number", shard.curr_items);
    ClassStat(out, "items:", id, "mem_requested", shard.bytes);
    ClassStat(out, "items:", id, "evicted", shard.evictions);
    ClassStat(out, "items:", id, "reclaimed", shard.reclaimed);
    ClassStat(out, "items:", id, "expired_unfetched", shard.expired_unfetched);
    ClassStat(out, "items:", id, "evicted_unfetched", shard.evicted_unfetched);
    ClassStat(out, "items:", id, "crawler_reclaimed", shard.expired_active);
    ClassStat(out, "items:", id, "crawler_items_checked", shard.expiry_sampled);
  }
}

void MemcachedSession::ConnsStats(std::string& out) {
  const std::int64_t now_ns = ToNs(service_.clock_.Now());
  const auto seconds_since = [now_ns](std::int64_t ns) {
    return static_cast<std::uint64_t>(std::max<std::int64_t>(0, now_ns - ns) / 1'000'000'000);
  };
  std::string listen_addr;
  if (const std::uint16_t port = service_.port_.load(std::memory_order_relaxed); port != 0) {
    listen_addr = "tcp:" + service_.options_.host + ":" + std::to_string(port);
    // The listener first, as memcached lists its listening socket; it is number 0 here.
    ClassStatText(out, 0, "addr", listen_addr);
    ClassStatText(out, 0, "state", "conn_listening");
    ClassStat(out, "", 0, "secs_since_last_cmd", seconds_since(ToNs(service_.started_)));
  }
  service_.ForEachConnection([&](const ConnectionInfo& connection) {
    if (!connection.peer.empty()) ClassStatText(out, connection.id, "addr", connection.peer);
    if (!listen_addr.empty()) ClassStatText(out, connection.id, "listen_addr", listen_addr);
    // The connection asking is parsing this very command, as memcached reports itself.
    const ConnState state = &connection == &info_
                                ? ConnState::kParseCmd
                                : connection.state.load(std::memory_order_relaxed);
    ClassStatText(out, connection.id, "state", NameOf(state));
    ClassStat(out, "", connection.id, "secs_since_last_cmd",
              seconds_since(connection.last_active_ns.load(std::memory_order_relaxed)));
  });
}

}  // namespace cache
