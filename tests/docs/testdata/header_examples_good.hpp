// A fixture for header_examples_test.py's self-test: two true examples, which must compile.
//
//   ```cpp
//   #include <string>
//   std::string Greeting(const fixture::Greeter& greeter) { return greeter.Greet("world"); }
//   ```
//
// A block that is not C++ is not compiled:
//
//   ```text
//   Greet("world") -> "hello, world"
//   ```
#pragma once

#include <string>
#include <string_view>

namespace fixture {

// Says hello. The same declaration names as the block above, which has a namespace of its own:
//
//   ```cpp
//   int Greeting(int n) { return fixture::Greeter().Count() + n; }
//   ```
class Greeter {
 public:
  std::string Greet(std::string_view name) const { return "hello, " + std::string(name); }
  int Count() const { return 1; }
};

}  // namespace fixture
