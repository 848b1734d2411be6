// What the library serves: protocol ids, the module implementing each, and how to host it.
// POSIX: a JSON file (beside the library, or named by RRAS_BRIDGE_CONFIG). Windows: the
// protocol's registry key.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace rrasbridge {

struct ProtocolConfig {
  uint32_t protocolId = 0;
  std::string name;
  std::string module;       // the user's protocol module (its default export)
  std::string nodePath;     // node executable; default "node" from PATH
  std::string hostEntry;    // dist/lib/host/main.js; default: found beside the library
  std::vector<std::string> nodeArgs;
  std::string logFile;      // POSIX log destination; default stderr
#ifdef _WIN32
  std::string rtmLibrary = "rtm.dll";  // RTMv2 implementation
#else
  std::string rtmLibrary;   // RTMv2 implementation (the mock RTM in tests); none: no routes
#endif
  uint32_t routePreference = 100;    // RTM preference of the protocol's routes, unless given
  uint32_t validateRoutes = 1;       // pass each route through SUPPORT_FUNCTIONS.ValidateRoute
  uint32_t clientCalls = 0;          // the protocol handles ConnectClient / DisconnectClient
  // RF_ROUTING | RF_DEMAND_UPDATE_ROUTES; RF_ROUTING means RTM on the protocol's family, so
  // a protocol with ipv6 set claims RF_ROUTINGV6 instead.
  uint32_t supportedFunctionality = 0x05;
  // 1: the protocol runs on the IPv6 router manager (RouterManagers\Ipv6, RTM AF_INET6,
  // IPV6_ADAPTER_BINDING_INFO); 0: the IPv4 one. On Windows a key under Ipv6 sets it.
  uint32_t ipv6 = 0;
  uint32_t startTimeoutMs = 20000;   // spawn + handshake + start handler
  uint32_t callTimeoutMs = 5000;     // any other call that waits for JS
  uint32_t stopTimeoutMs = 5000;     // StopProtocol to ROUTER_STOPPED, the host's kill included
  uint32_t updateTimeoutMs = 60000;  // DoUpdateRoutes to its UPDATE_COMPLETE; 0: no limit
  uint32_t heartbeatMs = 1000;       // 0 disables the watchdog
  uint32_t heartbeatMisses = 5;
  uint32_t restartLimit = 5;         // restarts allowed within restartWindowMs
  uint32_t restartWindowMs = 60000;
  uint32_t backoffInitialMs = 100;
  uint32_t backoffMaxMs = 5000;
  uint32_t staleTimeoutMs = 30000;   // how long a dead host's routes are kept
  uint32_t maxFrameBytes = 4u << 20;
  uint32_t queueHighWaterBytes = 16u << 20;  // unread bytes to the host before it is restarted
  uint32_t logLevel = 2;  // 0 error, 1 warn, 2 info, 3 debug (a line per routine call)
  // The newest wire version offered to the host; 0: the library's own. Pins an older one
  // (how the tests play a library of an earlier release against a newer host).
  uint32_t wireVersion = 0;
  // Records in the always-on trace ring (trace_ring.h); 0: tracing only while followed.
  uint32_t traceRingRecords = 4096;
  // POSIX: the directory of the admin endpoint's socket (admin_endpoint.h); empty: the
  // environment's RRAS_BRIDGE_RUN_DIR, else /run/rras-bridge (root) or a per-user directory.
  std::string adminDirectory;
};

// The numeric settings, by the name they have in the JSON file (and, capitalised, in the
// registry): one table for both readers.
struct NumericField {
  const char* key;
  uint32_t ProtocolConfig::*field;
};
const std::vector<NumericField>& NumericFields();

// Loads the configuration of protocolId. Returns false with err naming the problem; sets
// *found = false (and returns true) when the file parses but does not list the id.
bool LoadProtocolConfig(uint32_t protocolId, ProtocolConfig& out, bool* found, std::string& err);

// This shared library's path (empty when unknown), and its directory ("." then), to find the
// host entry beside it.
std::string LibraryPath();
std::string LibraryDirectory();

// A copy of the library finds its own configuration beside itself, before the process-wide
// one: POSIX, the whole configuration ({"protocols": [...]}) instead of RRAS_BRIDGE_CONFIG;
// Windows, {"registryKey": "HKCU\\..."} naming the parent key instead of
// RRAS_BRIDGE_REGISTRY_KEY. An installed library (RRAS) has no such file.
inline constexpr char kBesideConfigName[] = "rras-bridge.json";
std::string BesideConfigPath();

}  // namespace rrasbridge
