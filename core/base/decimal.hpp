// Integers as decimal text without a temporary std::string: headers, metrics and log lines are
// formatted on every request, and `out += std::to_string(n)` allocates for numbers past the
// small-string buffer and always copies twice.
//
// Design: std::to_chars into a stack buffer sized for the type, then one append. Floating point is
// left to its callers: the shortest round-trip form is a different contract (exponents, NaN).
#pragma once

#include <charconv>
#include <concepts>
#include <cstddef>
#include <limits>
#include <string>
#include <string_view>
#include <type_traits>

namespace core {

// An integer type that is a number, not a character or a truth value.
template <class T>
concept DecimalInteger =
    std::integral<T> && !std::same_as<std::remove_cv_t<T>, bool> &&
    !std::same_as<std::remove_cv_t<T>, char> && !std::same_as<std::remove_cv_t<T>, char8_t> &&
    !std::same_as<std::remove_cv_t<T>, char16_t> && !std::same_as<std::remove_cv_t<T>, char32_t> &&
    !std::same_as<std::remove_cv_t<T>, wchar_t>;

// Most characters the decimal text of a T can take: the digits, and a '-' for signed types.
template <DecimalInteger T>
inline constexpr std::size_t kMaxDecimalChars =
    static_cast<std::size_t>(std::numeric_limits<T>::digits10) + 1 +
    (std::numeric_limits<T>::is_signed ? 1 : 0);

// Appends `value` in base 10 ("-42", "0", "18446744073709551615") to `out`.
template <DecimalInteger T>
void AppendDecimal(std::string& out, T value) {
  char buf[kMaxDecimalChars<T>];
  const auto result = std::to_chars(buf, buf + sizeof buf, value);
  out.append(buf, result.ptr);
}

// The decimal text of `value` in a buffer of its own, for a std::string_view without a heap
// allocation. Keep the object alive as long as the view is used.
//
//   ```cpp
//   #include "05_observability_basics_mini/metrics/family.hpp"
//   void CountReply(obs::CounterFamily& replies, std::string_view method, int status) {
//     const core::DecimalText code(status);
//     replies.WithLabelValues({method, code.view()}).Inc();
//   }
//   ```
template <DecimalInteger T>
class DecimalText {
 public:
  explicit DecimalText(T value) noexcept
      : size_(static_cast<std::size_t>(std::to_chars(buf_, buf_ + sizeof buf_, value).ptr - buf_)) {
  }

  std::string_view view() const noexcept { return std::string_view(buf_, size_); }

 private:
  char buf_[kMaxDecimalChars<T>];
  std::size_t size_;
};

}  // namespace core
