{
  "target_defaults": {
    "cflags_cc!": ["-fno-exceptions", "-fno-rtti", "-std=gnu++17", "-std=gnu++20"],
    "cflags_cc": ["-std=c++17", "-Wall", "-Wextra", "-Werror", "-fexceptions"],
    "cflags": ["-fvisibility=hidden"],
    "defines": ["NAPI_VERSION=8"],
    "xcode_settings": { "GCC_ENABLE_CPP_EXCEPTIONS": "YES", "CLANG_CXX_LANGUAGE_STANDARD": "c++17" },
    "msvs_settings": { "VCCLCompilerTool": { "AdditionalOptions": ["/std:c++17", "/utf-8"] } },
    "conditions": [["OS=='win'", { "defines": ["NOMINMAX"] }]]
  },
  "targets": [
    {
      "target_name": "rras_bridge",
      "includes": ["native/msvc.gypi"],
      "sources": ["<!@(node scripts/targets.js rras_bridge <(OS))"],
      "dependencies": ["<!(node -p \"require('node-addon-api').targets\"):node_addon_api_except"],
      "defines": ["NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS"],
      "conditions": [["OS=='win'", { "libraries": ["advapi32.lib", "bcrypt.lib"] }]]
    },
    {
      "target_name": "rras_bridge_rawip",
      "includes": ["native/msvc.gypi"],
      "sources": ["<!@(node scripts/targets.js rras_bridge_rawip <(OS))"],
      "dependencies": ["<!(node -p \"require('node-addon-api').targets\"):node_addon_api_except"],
      "defines": ["NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS"],
      "conditions": [["OS=='win'", { "libraries": ["ws2_32.lib", "iphlpapi.lib"] }]]
    },
    {
      "target_name": "rras_bridge_protocol",
      "type": "shared_library",
      "includes": ["native/msvc.gypi", "native/plain_dll.gypi"],
      "sources": ["<!@(node scripts/targets.js rras_bridge_protocol <(OS))"],
      "defines": ["MPR50=1"],
      "conditions": [
        ["OS=='win'", { "libraries": ["rtutils.lib", "advapi32.lib", "bcrypt.lib"] }],
        ["OS=='linux'", { "libraries": ["-ldl", "-lpthread"], "ldflags": ["-Wl,-z,now", "-Wl,--no-undefined"], "cflags": ["-fno-gnu-unique"] }]
      ]
    },
    {
      "target_name": "rras_bridge_mock_rtm",
      "type": "shared_library",
      "includes": ["native/msvc.gypi", "native/plain_dll.gypi"],
      "sources": ["<!@(node scripts/targets.js rras_bridge_mock_rtm <(OS))"],
      "defines": ["MPR50=1", "MOCK_RTM_BUILD=1"],
      "conditions": [
        ["OS=='linux'", { "libraries": ["-ldl", "-lpthread"], "ldflags": ["-Wl,-z,now", "-Wl,--no-undefined"], "cflags": ["-fno-gnu-unique"] }]
      ]
    }
  ]
}
