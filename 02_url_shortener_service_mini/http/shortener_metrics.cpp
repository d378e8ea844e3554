#include "02_url_shortener_service_mini/http/shortener_metrics.hpp"

#include <functional>
#include <memory>

namespace shortener {
namespace {

using obs::FamilySnapshot;
using obs::MetricType;

FamilySnapshot One(std::string name, std::string help, MetricType type, double value) {
  return {.name = std::move(name),
          .help = std::move(help),
          .type = type,
          .metrics = {{.value = value}}};
}

FamilySnapshot Labelled(std::string name, std::string help, MetricType type, std::string label,
                        std::vector<std::pair<std::string, double>> series) {
  FamilySnapshot f{.name = std::move(name),
                   .help = std::move(help),
                   .type = type,
                   .label_names = {std::move(label)}};
  for (auto& [value_label, value] : series) {
    f.metrics.push_back({.label_values = {std::move(value_label)}, .value = value});
  }
  return f;
}

class ShortenerCollector final : public obs::Collector {
 public:
  explicit ShortenerCollector(MetricSources s) : s_(s) {}

  std::vector<std::string> Describe() const override {
    std::vector<std::string> names = {
        "shortener_links_created_total",   "shortener_links_reused_total",
        "shortener_code_collisions_total", "shortener_code_space_exhausted_total",
        "shortener_resolves_total",        "shortener_visits_recorded_total",
        "shortener_visits_dropped_total",  "shortener_visits_written_total",
        "shortener_visits_lost_total",     "shortener_visits_pending",
        "shortener_cache_items",           "shortener_cache_bytes",
        "shortener_cache_evictions_total", "shortener_store_up"};
    if (s_.sqlite != nullptr) {
      names.insert(names.end(), {"shortener_sqlite_commits_total", "shortener_sqlite_writes_total",
                                 "shortener_sqlite_rejected_total", "shortener_sqlite_queued"});
    }
    if (s_.postgres != nullptr) {
      names.insert(names.end(), {"shortener_pg_connections", "shortener_pg_queries_total",
                                 "shortener_pg_timeouts_total", "shortener_pg_unavailable_total"});
    }
    return names;
  }

  void Collect(std::vector<FamilySnapshot>& out) const override {
    const ShortenerStats c = s_.service->Counters();
    out.push_back(One("shortener_links_created_total", "Links stored.", MetricType::kCounter,
                      double(c.created)));
    out.push_back(One("shortener_links_reused_total",
                      "Creates answered with an existing link (find_if_exists).",
                      MetricType::kCounter, double(c.reused)));
    out.push_back(One("shortener_code_collisions_total",
                      "Inserts refused because the generated code was taken (then retried).",
                      MetricType::kCounter, double(c.collisions)));
    out.push_back(One("shortener_code_space_exhausted_total",
                      "Creates that found no free code within --max-insert-attempts.",
                      MetricType::kCounter, double(c.exhausted)));
    out.push_back(Labelled("shortener_resolves_total",
                           "Redirect lookups by where they were answered from.",
                           MetricType::kCounter, "source",
                           {{"cache", double(c.cache_hits)},
                            {"negative_cache", double(c.negative_hits)},
                            {"store", double(c.store_lookups)}}));
    const VisitRecorderStats v = s_.visits->Stats();
    out.push_back(One("shortener_visits_recorded_total", "Visits accepted into the buffer.",
                      MetricType::kCounter, double(v.recorded)));
    out.push_back(One("shortener_visits_dropped_total",
                      "Visits not counted because the buffer was full (--visit-buffer).",
                      MetricType::kCounter, double(v.dropped)));
    out.push_back(One("shortener_visits_written_total", "Visits written to the store.",
                      MetricType::kCounter, double(v.flushed)));
    out.push_back(One("shortener_visits_lost_total", "Visits in batches the store refused.",
                      MetricType::kCounter, double(v.lost)));
    out.push_back(One("shortener_visits_pending", "Visits buffered, not yet written.",
                      MetricType::kGauge, double(s_.visits->pending())));
    const cache::CacheStats links = s_.cache->links().Stats();
    const cache::CacheStats missing = s_.cache->missing().Stats();
    out.push_back(Labelled(
        "shortener_cache_items", "Entries in the link caches.", MetricType::kGauge, "cache",
        {{"links", double(links.curr_items)}, {"missing", double(missing.curr_items)}}));
    out.push_back(Labelled("shortener_cache_bytes",
                           "Bytes charged against the link caches' budgets.", MetricType::kGauge,
                           "cache",
                           {{"links", double(links.bytes)}, {"missing", double(missing.bytes)}}));
    out.push_back(Labelled(
        "shortener_cache_evictions_total", "Live entries evicted to stay within a cache's budget.",
        MetricType::kCounter, "cache",
        {{"links", double(links.evictions)}, {"missing", double(missing.evictions)}}));
    out.push_back(One("shortener_store_up", "1 while the store answers its probe.",
                      MetricType::kGauge, s_.health->up() ? 1.0 : 0.0));
    if (s_.sqlite != nullptr) {
      const SqliteExecutorStats q = s_.sqlite->Stats();
      out.push_back(One("shortener_sqlite_commits_total",
                        "Group commits (one WAL fsync each with --sqlite-sync=full).",
                        MetricType::kCounter, double(q.commits)));
      out.push_back(One("shortener_sqlite_writes_total", "Write operations run.",
                        MetricType::kCounter, double(q.writes)));
      out.push_back(One("shortener_sqlite_rejected_total",
                        "Operations refused because a queue was full.", MetricType::kCounter,
                        double(q.rejected)));
      out.push_back(One("shortener_sqlite_queued", "Operations waiting for a SQLite thread.",
                        MetricType::kGauge, double(s_.sqlite->queued())));
    }
    if (s_.postgres != nullptr) {
      const core::pg::PgPoolStats p = s_.postgres->Stats();
      out.push_back(Labelled("shortener_pg_connections", "PostgreSQL connections.",
                             MetricType::kGauge, "state",
                             {{"open", double(p.open)}, {"idle", double(p.idle)}}));
      out.push_back(One("shortener_pg_queries_total", "Statements sent to PostgreSQL.",
                        MetricType::kCounter, double(p.queries)));
      out.push_back(One("shortener_pg_timeouts_total",
                        "Statements or connection waits that ran out of time.",
                        MetricType::kCounter, double(p.timeouts)));
      out.push_back(One("shortener_pg_unavailable_total",
                        "Connection requests refused (down, backing off, too many waiting).",
                        MetricType::kCounter, double(p.unavailable)));
    }
  }

 private:
  MetricSources s_;
};

}  // namespace

void RegisterShortenerMetrics(obs::Registry& registry, MetricSources sources) {
  registry.AddCollector(std::make_shared<ShortenerCollector>(sources));
}

}  // namespace shortener
