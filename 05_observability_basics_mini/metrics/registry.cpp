#include "05_observability_basics_mini/metrics/registry.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <utility>

#include "05_observability_basics_mini/metrics/metric_names.hpp"
#include "05_observability_basics_mini/metrics/text_format.hpp"

namespace obs {
namespace {

[[noreturn]] void Fail(std::string_view name, std::string_view why) {
  throw std::invalid_argument("metric \"" + std::string(name) + "\": " + std::string(why));
}

// The sample names a family's lines will carry (a histogram "x" writes x_bucket, x_sum, x_count).
std::vector<std::string> SeriesNames(std::string_view name, MetricType type) {
  std::vector<std::string> names{std::string(name)};
  if (type == MetricType::kHistogram) {
    for (const char* suffix : {"_bucket", "_sum", "_count"})
      names.push_back(std::string(name) + suffix);
  }
  return names;
}

void CheckNameAndHelp(std::string_view name, std::string_view help, MetricType type) {
  if (!IsValidMetricName(name)) Fail(name, "name must match [a-zA-Z_:][a-zA-Z0-9_:]*");
  if (help.empty()) Fail(name, "help text is required");
  if (!IsValidUtf8(help)) Fail(name, "help text must be UTF-8");
  const bool total = name.ends_with("_total");
  if (type == MetricType::kCounter && !total) Fail(name, "counter names end in _total");
  if (type != MetricType::kCounter && total) Fail(name, "only counter names end in _total");
  if (type != MetricType::kHistogram &&
      (name.ends_with("_bucket") || name.ends_with("_sum") || name.ends_with("_count"))) {
    Fail(name, "_bucket, _sum and _count suffixes are reserved for histograms");
  }
}

void CheckLabels(const MetricOptions& options, MetricType type) {
  const auto& labels = options.label_names;
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if (!IsValidLabelName(labels[i])) {
      Fail(options.name, "label \"" + labels[i] + "\" must match [a-zA-Z_][a-zA-Z0-9_]*, no __");
    }
    if (labels[i] == "quantile" || (type == MetricType::kHistogram && labels[i] == "le")) {
      Fail(options.name, "label \"" + labels[i] + "\" is reserved");
    }
    if (std::find(labels.begin(), labels.begin() + static_cast<std::ptrdiff_t>(i), labels[i]) !=
        labels.begin() + static_cast<std::ptrdiff_t>(i)) {
      Fail(options.name, "label \"" + labels[i] + "\" appears twice");
    }
  }
  if (options.max_series == 0) Fail(options.name, "max_series must be at least 1");
}

std::vector<double> CheckBounds(std::string_view name, std::vector<double> bounds) {
  if (!bounds.empty() && bounds.back() == HUGE_VAL) bounds.pop_back();  // +Inf is implicit
  for (std::size_t i = 0; i < bounds.size(); ++i) {
    if (!std::isfinite(bounds[i])) Fail(name, "bucket bounds must be finite");
    if (i > 0 && !(bounds[i - 1] < bounds[i])) Fail(name, "bucket bounds must increase strictly");
  }
  return bounds;
}

}  // namespace

void Registry::CheckNewNameLocked(std::string_view name, MetricType type) const {
  for (const auto& series : SeriesNames(name, type)) {
    if (const auto it = series_names_.find(series); it != series_names_.end()) {
      Fail(name, "clashes with metric \"" + it->second + "\"");
    }
  }
}

template <class M>
Family<M>& Registry::AddFamily(MetricType type, MetricOptions options, std::vector<double> bounds) {
  CheckNameAndHelp(options.name, options.help, type);
  CheckLabels(options, type);
  if (type == MetricType::kHistogram) bounds = CheckBounds(options.name, std::move(bounds));

  core::MutexLock lock(mu_);
  if (const auto it = families_.find(options.name); it != families_.end()) {
    FamilyBase& existing = *it->second;
    const auto existing_bounds = existing.bucket_bounds();
    if (existing.type() != type || existing.help() != options.help ||
        existing.label_names() != options.label_names ||
        !std::equal(existing_bounds.begin(), existing_bounds.end(), bounds.begin(), bounds.end())) {
      Fail(options.name, "already registered with a different type, help, labels or buckets");
    }
    return static_cast<Family<M>&>(existing);
  }
  CheckNewNameLocked(options.name, type);
  const std::string name = options.name;
  auto family = std::make_unique<Family<M>>(type, std::move(options), std::move(bounds));
  Family<M>& ref = *family;
  if (ref.label_names().empty()) ref.WithLabelValues({});  // export 0 before the first update
  for (auto& series : SeriesNames(name, type)) series_names_.emplace(std::move(series), name);
  families_.emplace(name, std::move(family));
  return ref;
}

CounterFamily& Registry::AddCounter(MetricOptions options) {
  return AddFamily<Counter>(MetricType::kCounter, std::move(options), {});
}

GaugeFamily& Registry::AddGauge(MetricOptions options) {
  return AddFamily<Gauge>(MetricType::kGauge, std::move(options), {});
}

HistogramFamily& Registry::AddHistogram(MetricOptions options, std::vector<double> bounds) {
  return AddFamily<Histogram>(MetricType::kHistogram, std::move(options), std::move(bounds));
}

void Registry::AddCallback(std::string name, std::string help, MetricType type,
                           std::function<double()> read) {
  CheckNameAndHelp(name, help, type);
  if (!read) Fail(name, "callback is empty");
  core::MutexLock lock(mu_);
  CheckNewNameLocked(name, type);
  series_names_.emplace(name, name);
  callbacks_.emplace(std::move(name), Callback{type, std::move(help), std::move(read)});
}

void Registry::AddCallbackGauge(std::string name, std::string help, std::function<double()> read) {
  AddCallback(std::move(name), std::move(help), MetricType::kGauge, std::move(read));
}

void Registry::AddCallbackCounter(std::string name, std::string help,
                                  std::function<double()> read) {
  AddCallback(std::move(name), std::move(help), MetricType::kCounter, std::move(read));
}

void Registry::AddCollector(std::shared_ptr<const Collector> collector) {
  if (!collector) throw std::invalid_argument("AddCollector: null collector");
  const auto names = collector->Describe();
  core::MutexLock lock(mu_);
  for (const auto& name : names) {
    if (!IsValidMetricName(name)) Fail(name, "name must match [a-zA-Z_:][a-zA-Z0-9_:]*");
    CheckNewNameLocked(name, MetricType::kGauge);
  }
  for (const auto& name : names) series_names_.emplace(name, name);
  collectors_.push_back(std::move(collector));
}

namespace {

// The collector behind AddStats: its families come from running `fill` at scrape time.
class StatsCollector final : public Collector {
 public:
  StatsCollector(std::vector<std::string> names, std::function<void(StatFamilies&)> fill)
      : names_(std::move(names)), fill_(std::move(fill)) {}

  std::vector<std::string> Describe() const override { return names_; }

  void Collect(std::vector<FamilySnapshot>& out) const override {
    StatFamilies families;
    fill_(families);
    for (FamilySnapshot& family : std::move(families).Take()) out.push_back(std::move(family));
  }

 private:
  const std::vector<std::string> names_;
  const std::function<void(StatFamilies&)> fill_;
};

}  // namespace

void Registry::AddStats(std::function<void(StatFamilies&)> fill) {
  if (!fill) throw std::invalid_argument("AddStats: no fill function");
  StatFamilies declared;
  fill(declared);
  std::vector<std::string> names;
  for (const FamilySnapshot& family : declared.families()) {
    CheckNameAndHelp(family.name, family.help, family.type);
    CheckLabels(
        MetricOptions{.name = family.name, .help = family.help, .label_names = family.label_names},
        family.type);
    names.push_back(family.name);
  }
  AddCollector(std::make_shared<StatsCollector>(std::move(names), std::move(fill)));
}

std::vector<FamilySnapshot> Registry::Collect() const {
  // Copy what to visit under the lock, then read values outside it: user callbacks and collectors
  // must not run under our mutex (one that registered a metric would deadlock).
  std::vector<const FamilyBase*> families;
  std::vector<std::pair<std::string, Callback>> callbacks;
  std::vector<std::shared_ptr<const Collector>> collectors;
  {
    core::MutexLock lock(mu_);
    for (const auto& [name, family] : families_) families.push_back(family.get());
    callbacks.assign(callbacks_.begin(), callbacks_.end());
    collectors = collectors_;
  }
  std::vector<FamilySnapshot> out;
  out.reserve(families.size() + callbacks.size() + collectors.size() * 4);
  for (const FamilyBase* family : families) out.push_back(family->Collect());
  for (const auto& [name, callback] : callbacks) {
    FamilySnapshot& family = out.emplace_back();
    family.name = name;
    family.help = callback.help;
    family.type = callback.type;
    family.metrics.emplace_back().value = callback.read();
  }
  for (const auto& collector : collectors) collector->Collect(out);
  std::stable_sort(out.begin(), out.end(), [](const FamilySnapshot& a, const FamilySnapshot& b) {
    return a.name < b.name;
  });
  return out;
}

std::string Registry::ExposeText() const {
  const auto families = Collect();
  return FormatText(families);
}

}  // namespace obs
