// A tiny test harness: CHECK counts, reports failures with file:line, and Finish() prints
// "N passed, N failed" as the last line and gives the exit code.
#pragma once

#include <cstdio>

namespace rrasbridge::test {

inline int& Passed() {
  static int n = 0;
  return n;
}
inline int& Failed() {
  static int n = 0;
  return n;
}

inline bool Check(bool ok, const char* expr, const char* file, int line) {
  if (ok) {
    ++Passed();
  } else {
    ++Failed();
    std::fprintf(stderr, "FAIL %s:%d: %s\n", file, line, expr);
  }
  return ok;
}

inline int Finish() {
  std::printf("%d passed, %d failed\n", Passed(), Failed());
  return Failed() == 0 ? 0 : 1;
}

}  // namespace rrasbridge::test

#define CHECK(expr) ::rrasbridge::test::Check(static_cast<bool>(expr), #expr, __FILE__, __LINE__)
// Like CHECK, and prints context (a std::string) when it fails.
#define CHECK_MSG(expr, ctx)                                                      \
  do {                                                                            \
    if (!CHECK(expr)) std::fprintf(stderr, "     context: %s\n", std::string(ctx).c_str()); \
  } while (0)
