#include "05_observability_basics_mini/metrics/text_format.hpp"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <vector>

#include "core/base/decimal.hpp"

namespace obs {
namespace {

std::string_view TypeName(MetricType type) {
  switch (type) {
    case MetricType::kCounter:
      return "counter";
    case MetricType::kGauge:
      return "gauge";
    case MetricType::kHistogram:
      return "histogram";
  }
  return "untyped";
}

// name{l1="v1",l2="v2"[,le="bound"]}
void AppendSeriesName(std::string& out, std::string_view name, std::string_view suffix,
                      const FamilySnapshot& family, const MetricSnapshot& metric,
                      const std::string* le) {
  out += name;
  out += suffix;
  if (family.label_names.empty() && le == nullptr) return;
  out += '{';
  for (std::size_t i = 0; i < family.label_names.size(); ++i) {
    if (i > 0) out += ',';
    out += family.label_names[i];
    out += "=\"";
    if (i < metric.label_values.size()) AppendEscapedLabelValue(out, metric.label_values[i]);
    out += '"';
  }
  if (le != nullptr) {
    if (!family.label_names.empty()) out += ',';
    out += "le=\"";
    out += *le;
    out += '"';
  }
  out += '}';
}

}  // namespace

void AppendEscapedLabelValue(std::string& out, std::string_view value) {
  for (const char c : value) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '"':
        out += "\\\"";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        out += c;
    }
  }
}

void AppendEscapedHelp(std::string& out, std::string_view help) {
  for (const char c : help) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
}

void AppendNumber(std::string& out, double value) {
  if (std::isnan(value)) {
    out += "NaN";
  } else if (std::isinf(value)) {
    out += value > 0 ? "+Inf" : "-Inf";
  } else {
    char buf[32];
    const auto result = std::to_chars(buf, buf + sizeof buf, value);
    out.append(buf, result.ptr);
  }
}

void AppendFamily(std::string& out, const FamilySnapshot& family) {
  if (family.metrics.empty()) return;
  out += "# HELP ";
  out += family.name;
  out += ' ';
  AppendEscapedHelp(out, family.help);
  out += "\n# TYPE ";
  out += family.name;
  out += ' ';
  out += TypeName(family.type);
  out += '\n';

  if (family.type != MetricType::kHistogram) {
    for (const auto& metric : family.metrics) {
      AppendSeriesName(out, family.name, "", family, metric, nullptr);
      out += ' ';
      AppendNumber(out, metric.value);
      out += '\n';
    }
    return;
  }

  std::vector<std::string> les;  // formatted once per family, reused for every series
  les.reserve(family.bucket_bounds.size() + 1);
  for (const double bound : family.bucket_bounds) {
    les.emplace_back();
    AppendNumber(les.back(), bound);
  }
  les.emplace_back("+Inf");
  for (const auto& metric : family.metrics) {
    for (std::size_t i = 0; i < les.size() && i < metric.cumulative_counts.size(); ++i) {
      AppendSeriesName(out, family.name, "_bucket", family, metric, &les[i]);
      out += ' ';
      core::AppendDecimal(out, metric.cumulative_counts[i]);
      out += '\n';
    }
    AppendSeriesName(out, family.name, "_sum", family, metric, nullptr);
    out += ' ';
    AppendNumber(out, metric.sum);
    out += '\n';
    AppendSeriesName(out, family.name, "_count", family, metric, nullptr);
    out += ' ';
    core::AppendDecimal(
        out, metric.cumulative_counts.empty() ? std::uint64_t{0} : metric.cumulative_counts.back());
    out += '\n';
  }
}

std::string FormatText(std::span<const FamilySnapshot> families) {
  std::string out;
  for (const auto& family : families) AppendFamily(out, family);
  return out;
}

}  // namespace obs
