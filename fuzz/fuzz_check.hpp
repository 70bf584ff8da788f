#pragma once

#include <cstdio>
#include <cstdlib>

// FUZZ_CHECK(condition, message): a property every input must keep. A
// failure prints the message and aborts, which libFuzzer reports as a crash
// and saves the input. Unlike assert(), it stays on in any build type.
#define FUZZ_CHECK(condition, message)                                                                      \
  do {                                                                                                      \
    if (!(condition)) {                                                                                     \
      std::fprintf(stderr, "%s:%d: property violated: %s (%s)\n", __FILE__, __LINE__, message, #condition); \
      std::abort();                                                                                         \
    }                                                                                                       \
  } while (false)
