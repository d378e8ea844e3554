#include "05_observability_basics_mini/metrics/exposition_lint.hpp"

#include <charconv>
#include <cmath>
#include <map>
#include <optional>
#include <set>
#include <utility>

namespace obs {
namespace {

struct Sample {
  std::string name;
  std::vector<std::pair<std::string, std::string>> labels;  // in written order, unescaped
  double value = 0;
};

std::optional<double> ParseNumber(std::string_view s) {
  if (s == "+Inf") return HUGE_VAL;
  if (s == "-Inf") return -HUGE_VAL;
  if (s == "NaN") return std::nan("");
  double v = 0;
  const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  if (r.ec != std::errc() || r.ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

std::optional<Sample> ParseSample(std::string_view line) {
  Sample sample;
  std::size_t i = 0;
  while (i < line.size() && line[i] != '{' && line[i] != ' ') ++i;
  sample.name = std::string(line.substr(0, i));
  if (i < line.size() && line[i] == '{') {
    ++i;
    while (i < line.size() && line[i] != '}') {
      const auto eq = line.find('=', i);
      if (eq == std::string_view::npos || eq + 1 >= line.size() || line[eq + 1] != '"') {
        return std::nullopt;
      }
      std::string name(line.substr(i, eq - i));
      std::string value;
      std::size_t j = eq + 2;
      for (; j < line.size() && line[j] != '"'; ++j) {
        if (line[j] == '\\' && j + 1 < line.size()) {
          ++j;
          value += line[j] == 'n' ? '\n' : line[j];
        } else {
          value += line[j];
        }
      }
      if (j >= line.size()) return std::nullopt;
      sample.labels.emplace_back(std::move(name), std::move(value));
      i = j + 1;
      if (i < line.size() && line[i] == ',') ++i;
    }
    if (i >= line.size()) return std::nullopt;
    ++i;  // '}'
  }
  if (i >= line.size() || line[i] != ' ') return std::nullopt;
  std::string_view rest = line.substr(i + 1);
  rest = rest.substr(0, rest.find(' '));  // an optional timestamp follows
  const auto value = ParseNumber(rest);
  if (!value) return std::nullopt;
  sample.value = *value;
  return sample;
}

// The label set without `le`, as one comparable key.
std::string SeriesKey(const Sample& s, std::optional<double>* le = nullptr) {
  std::string key;
  for (const auto& [name, value] : s.labels) {
    if (name == "le" && le != nullptr) {
      *le = ParseNumber(value);
      continue;
    }
    key.append(name).append("=\"").append(value).append("\",");
  }
  return key;
}

struct HistogramSeries {
  std::vector<std::pair<double, double>> buckets;  // (le, cumulative count) in written order
  std::optional<double> sum, count;
};

}  // namespace

std::vector<std::string> LintExposition(std::string_view text) {
  std::vector<std::string> problems;
  std::map<std::string, std::string> types;  // family → type
  std::set<std::string> seen_series;
  std::map<std::string, std::map<std::string, HistogramSeries>> histograms;

  const auto family_of =
      [&](const std::string& sample_name) -> std::pair<std::string, std::string> {
    if (const auto it = types.find(sample_name); it != types.end()) return *it;
    for (const char* suffix : {"_bucket", "_sum", "_count"}) {
      const std::string_view s(suffix);
      if (sample_name.size() > s.size() && sample_name.ends_with(s)) {
        const std::string base = sample_name.substr(0, sample_name.size() - s.size());
        if (const auto it = types.find(base); it != types.end() && it->second == "histogram") {
          return *it;
        }
      }
    }
    return {};
  };

  std::size_t at = 0;
  int line_no = 0;
  while (at < text.size()) {
    const auto end = std::min(text.find('\n', at), text.size());
    const std::string_view line = text.substr(at, end - at);
    at = end + 1;
    ++line_no;
    const std::string where = "line " + std::to_string(line_no) + ": ";
    if (line.empty()) continue;
    if (line.starts_with("# TYPE ")) {
      const std::string_view rest = line.substr(7);
      const auto space = rest.find(' ');
      const std::string name(rest.substr(0, space));
      if (!types.emplace(name, std::string(rest.substr(space + 1))).second) {
        problems.push_back(where + "family " + name + " declared twice");
      }
      continue;
    }
    if (line.starts_with('#')) continue;
    const auto sample = ParseSample(line);
    if (!sample) {
      problems.push_back(where + "unparseable sample: " + std::string(line));
      continue;
    }
    if (!seen_series.insert(sample->name + "{" + SeriesKey(*sample) + "}").second) {
      problems.push_back(where + "duplicate series " + sample->name);
    }
    const auto [family, type] = family_of(sample->name);
    if (family.empty()) {
      problems.push_back(where + "sample " + sample->name + " has no # TYPE");
      continue;
    }
    if (type == "counter" && !(sample->value >= 0)) {
      problems.push_back(where + "counter " + sample->name + " is negative or NaN");
    }
    if (type != "histogram") continue;
    std::optional<double> le;
    HistogramSeries& series = histograms[family][SeriesKey(*sample, &le)];
    if (sample->name == family + "_bucket") {
      if (!le) {
        problems.push_back(where + family + "_bucket without a valid le label");
      } else {
        series.buckets.emplace_back(*le, sample->value);
      }
    } else if (sample->name == family + "_sum") {
      series.sum = sample->value;
    } else if (sample->name == family + "_count") {
      series.count = sample->value;
    } else {
      problems.push_back(where + "unexpected sample " + sample->name + " in histogram " + family);
    }
  }

  for (const auto& [family, all_series] : histograms) {
    for (const auto& [key, series] : all_series) {
      const std::string what = family + "{" + key + "}: ";
      for (std::size_t i = 1; i < series.buckets.size(); ++i) {
        if (!(series.buckets[i - 1].first < series.buckets[i].first)) {
          problems.push_back(what + "le bounds do not increase");
        }
        if (series.buckets[i - 1].second > series.buckets[i].second) {
          problems.push_back(what + "cumulative bucket counts decrease");
        }
      }
      if (series.buckets.empty() || series.buckets.back().first != HUGE_VAL) {
        problems.push_back(what + "no le=\"+Inf\" bucket last");
      } else if (series.count && series.buckets.back().second != *series.count) {
        problems.push_back(what + "+Inf bucket differs from _count");
      }
      if (!series.sum) problems.push_back(what + "no _sum");
      if (!series.count) problems.push_back(what + "no _count");
    }
  }
  return problems;
}

}  // namespace obs
