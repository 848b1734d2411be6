// Build target that compiles the layout static_asserts (POSIX and mingw-w64).
#include "compat.h"
#include "rtm_api.h"
#include "layout_asserts.h"

namespace rrasbridge {

// Referenced so the object file is never empty.
int LayoutCheckVersion() { return 1; }

}  // namespace rrasbridge
