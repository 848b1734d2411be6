// Trace records as people and tools read them: the routprot.h names of entry points, their
// arguments and results (NO_ERROR, ERROR_CAN_NOT_COMPLETE, ...), events and interface status
// types, message fields by their schema names. One JSON object per record (`rras-bridge
// trace`, docs/operations.md describes the fields) or one log line (the crash report).
#pragma once

#include <cstdint>
#include <string>

#include "trace_ring.h"

namespace rrasbridge {

const char* EntryPointName(EntryPoint ep);
// A result that means the call did not do its job (not NO_ERROR, nor what the entry point
// answers in the normal course: ERROR_NO_MORE_ITEMS from GetEventMessage, a sizing
// ERROR_INSUFFICIENT_BUFFER, StopProtocol's ERROR_PROTOCOL_STOP_PENDING).
bool IsFailure(EntryPoint ep, uint32_t result);
// The winerror.h / mprerror.h name of a code, or null.
const char* ErrorName(uint32_t code);
// "ERROR_CAN_NOT_COMPLETE (1003)", "error 4242"
std::string DescribeCode(uint32_t code);

// One record as a JSON object (no newline).
void AppendTraceJson(std::string& out, const TraceRecord& r, const TraceRing& ring,
                     const std::string& protocol);
// One record as a line of text: "12:00:01.123456 [tid 4242] DoUpdateRoutes(InterfaceIndex=3)
// = NO_ERROR in 12 us".
std::string TraceText(const TraceRecord& r, const TraceRing& ring);

// NET_INTERFACE_TYPE names (PERMANENT, DEMAND_DIAL, ...); the number for others.
std::string InterfaceTypeName(uint32_t type);
// started, lost, watchdog-kill, planned-restart, gave-up, stopped
std::string HostEventName(HostEvent e);

// ISO 8601 UTC with microseconds.
std::string IsoTime(int64_t wallNs);

}  // namespace rrasbridge
