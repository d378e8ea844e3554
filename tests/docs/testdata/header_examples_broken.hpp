// A fixture for header_examples_test.py's self-test: the second example calls a function that
// does not exist, so the checker must fail and point at that example's first line.
//
//   ```cpp
//   int Answer() { return fixture::Answer(); }
//   ```
#pragma once

namespace fixture {

inline int Answer() { return 42; }

// Drifted: the function it calls was renamed.
//
//   ```cpp
//   int Twice() {
//     const int answer = fixture::Answer();
//     return fixture::MissingFunction(answer);
//   }
//   ```

}  // namespace fixture
