// Prints the layout tables of layout_asserts.h as measured by this build:
//   type <Type> <size> <align>
//   <Type>.<member> <offset> <size>
//   const <NAME> <value>
// Build it natively and with mingw-w64 (run under Wine) and diff the outputs.
#include <stddef.h>

#include <iostream>
#include <utility>

#include "compat.h"
#include "layout_asserts.h"
#include "rtm_api.h"

int main() {
#define RRAS_BRIDGE_DUMP_TYPE(T, size, align) \
  std::cout << "type " #T " " << sizeof(T) << ' ' << alignof(T) << '\n';
#define RRAS_BRIDGE_DUMP_MEMBER(T, m, off)                       \
  std::cout << #T "." #m " " << offsetof(T, m) << ' '            \
            << sizeof(std::declval<T&>().m) << '\n';
#define RRAS_BRIDGE_DUMP_CONSTANT(expr, value)                   \
  std::cout << "const " #expr " " << static_cast<unsigned long long>(expr) << '\n';

  RRAS_BRIDGE_LAYOUT_TYPES(RRAS_BRIDGE_DUMP_TYPE)
  RRAS_BRIDGE_LAYOUT_MEMBERS(RRAS_BRIDGE_DUMP_MEMBER)
  RRAS_BRIDGE_LAYOUT_CONSTANTS(RRAS_BRIDGE_DUMP_CONSTANT)
  return 0;
}
