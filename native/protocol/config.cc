#include "config.h"

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
      {"traceRingRecords", &ProtocolConfig::traceRingRecords},
  };
  return fields;
}

}  // namespace rrasbridge
