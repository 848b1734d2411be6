#include "config.h"

#include <string>

namespace rrasbridge {

const std::vector<NumericField>& NumericFields() {
  static const std::vector<NumericField> fields = {
      {"supportedFunctionality", &ProtocolConfig::supportedFunctionality},
      {"startTimeoutMs", &ProtocolConfig::startTimeoutMs},
      {"callTimeoutMs", &ProtocolConfig::callTimeoutMs},
      {"stopTimeoutMs", &ProtocolConfig::stopTimeoutMs},
      {"updateTimeoutMs", &ProtocolConfig::updateTimeoutMs},
      {"heartbeatMs", &ProtocolConfig::heartbeatMs},
      {"heartbeatMisses", &ProtocolConfig::heartbeatMisses},
      {"restartLimit", &ProtocolConfig::restartLimit},
      {"restartWindowMs", &ProtocolConfig::restartWindowMs},
      {"backoffInitialMs", &ProtocolConfig::backoffInitialMs},
      {"backoffMaxMs", &ProtocolConfig::backoffMaxMs},
      {"staleTimeoutMs", &ProtocolConfig::staleTimeoutMs},
      {"maxFrameBytes", &ProtocolConfig::maxFrameBytes},
      {"routePreference", &ProtocolConfig::routePreference},
      {"validateRoutes", &ProtocolConfig::validateRoutes},
      {"clientCalls", &ProtocolConfig::clientCalls},
      {"queueHighWaterBytes", &ProtocolConfig::queueHighWaterBytes},
      {"ipv6", &ProtocolConfig::ipv6},
      {"logLevel", &ProtocolConfig::logLevel},
      {"wireVersion", &ProtocolConfig::wireVersion},
      {"traceRingRecords", &ProtocolConfig::traceRingRecords},
  };
  return fields;
}

std::string LibraryDirectory() {
  const std::string p = LibraryPath();
#ifdef _WIN32
  const auto slash = p.find_last_of("\\/");
#else
  const auto slash = p.rfind('/');  // a backslash is part of a POSIX name
#endif
  return slash == std::string::npos ? "." : p.substr(0, slash);
}

}  // namespace rrasbridge
