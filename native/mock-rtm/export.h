// Export decoration for the mock RTM library's C entry points.
#pragma once

#if defined(_WIN32)
#define MOCK_RTM_EXPORT extern "C" __declspec(dllexport)
#else
#define MOCK_RTM_EXPORT extern "C" __attribute__((visibility("default")))
#endif
