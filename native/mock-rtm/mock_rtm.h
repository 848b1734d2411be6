/* Inspection API of the mock RTM library (tests, the mock router harness and its UI).
 *
 * Plain C, koffi-friendly: 32-bit unsigned integers, NUL-terminated UTF-8 strings in, JSON out.
 * Addresses are dotted strings ("10.1.0.0/16", "192.0.2.1"). Error codes are Win32 values
 * (0 = NO_ERROR, 87 = ERROR_INVALID_PARAMETER, 1003 = ERROR_CAN_NOT_COMPLETE,
 * 1168 = ERROR_NOT_FOUND). See README.md for the JSON shapes.
 *
 * JSON-returning functions return the buffer size needed, NUL included. When `size` is at
 * least that, the document is written; otherwise nothing is (buf[0] is set to NUL when
 * size > 0) and the caller retries with a larger buffer. Pass buf = NULL, size = 0 to ask.
 */
#ifndef RRAS_BRIDGE_MOCK_RTM_H_
#define RRAS_BRIDGE_MOCK_RTM_H_

#include <stdint.h>

#if defined(_WIN32)
#if defined(MOCK_RTM_BUILD)
#define MOCK_RTM_API __declspec(dllexport)
#else
#define MOCK_RTM_API __declspec(dllimport)
#endif
#else
#define MOCK_RTM_API __attribute__((visibility("default")))
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* Drops all state (entities, routes, next hops, registrations) and returns 0, but only when no
 * entity registered through RtmRegisterEntity remains; otherwise changes nothing and returns
 * 1003 (ERROR_CAN_NOT_COMPLETE). Handles issued before a reset stay invalid afterwards. */
MOCK_RTM_API int MockRtmReset(void);

/* Number of routes in the table (all owners, all views). */
MOCK_RTM_API uint32_t MockRtmRouteCount(void);

/* Increases on every change of the table (entities, next hops, routes); cheap to poll. */
MOCK_RTM_API uint32_t MockRtmGeneration(void);

/* Counters as JSON: {"routes": in the table now, "added", "updated" (content changed),
 * "deleted" (deleted, expired, or gone with their entity), "generation"}; the operation
 * counters count since the last MockRtmReset. Cheap: no table walk. */
MOCK_RTM_API uint32_t MockRtmCountersJson(char* buf, uint32_t size);

/* The whole table as JSON: {"generation","entities","routes","nextHops","notifications",
 * "handles"}; see README.md. */
MOCK_RTM_API uint32_t MockRtmDumpJson(char* buf, uint32_t size);

/* Longest-prefix match in the unicast view: the best route (same object shape as in
 * MockRtmDumpJson's "routes") for `address` ("a.b.c.d", or "a.b.c.d/len" to match within the
 * first len bits), or `null`. Returns 0 (writes nothing) if `address` does not parse. */
MOCK_RTM_API uint32_t MockRtmLookupJson(const char* address, char* buf, uint32_t size);

/* Adds or replaces the unicast route of protocol `owner_protocol_id` (instance 0) to `prefix`
 * ("a.b.c.d/len"; host bits are cleared), via `next_hop` ("a.b.c.d", or NULL/"" for none) on
 * interface `if_index`, with infinite lifetime. The entity {owner_protocol_id, 0} is used if
 * registered, else a synthetic entity (no callback) is registered for it, which other entities
 * see as RTM_ENTITY_REGISTERED. Change notifications fire as for RtmAddRouteToDest.
 * Returns 0, or 87 for an unparsable argument or owner_protocol_id 0. */
MOCK_RTM_API uint32_t MockRtmAddRoute(uint32_t owner_protocol_id, const char* prefix,
                                      const char* next_hop, uint32_t if_index, uint32_t metric,
                                      uint32_t preference);

/* Deletes the routes of entity {owner_protocol_id, 0} to `prefix`. Returns 0, 87 for an
 * unparsable prefix, 1168 (ERROR_NOT_FOUND) if there is no such entity or route. */
MOCK_RTM_API uint32_t MockRtmDeleteRoute(uint32_t owner_protocol_id, const char* prefix);

/* ---- The router manager's SUPPORT_FUNCTIONS (support.cc) ------------------------------------
 * Answered natively (the protocol library calls them on its own threads, which must never wait
 * for JS) and recorded. Settings and record belong to this copy of the library. */

#define MOCK_SUPPORT_SLOTS 16u
/* MockRtmSupportCall.function: the SUPPORT_FUNCTIONS members, in the struct's order. */
#define MOCK_SUPPORT_DEMAND_DIAL_REQUEST 1u
#define MOCK_SUPPORT_SET_INTERFACE_RECEIVE_TYPE 2u
#define MOCK_SUPPORT_VALIDATE_ROUTE 3u
#define MOCK_SUPPORT_MIB_ENTRY_CREATE 4u
#define MOCK_SUPPORT_MIB_ENTRY_DELETE 5u
#define MOCK_SUPPORT_MIB_ENTRY_SET 6u
#define MOCK_SUPPORT_MIB_ENTRY_GET 7u
#define MOCK_SUPPORT_MIB_ENTRY_GET_FIRST 8u
#define MOCK_SUPPORT_MIB_ENTRY_GET_NEXT 9u
#define MOCK_SUPPORT_GET_ROUTER_ID 10u
#define MOCK_SUPPORT_HAS_MULTICAST_BOUNDARY 11u
/* SUPPORT_FUNCTIONS_60's own (MPR60 mode): ValidateRouteEx, GetRoutingDomainInfo, GetInterfaceInformation. */
#define MOCK_SUPPORT_VALIDATE_ROUTE_EX 12u
#define MOCK_SUPPORT_GET_ROUTING_DOMAIN_INFO 13u
#define MOCK_SUPPORT_GET_INTERFACE_INFORMATION 14u

/* One recorded call: 80 bytes, no padding. args holds the DWORD arguments in order
 * (DemandDialRequest: ProtocolId, InterfaceIndex; SetInterfaceReceiveType: ProtocolId,
 * InterfaceIndex, InterfaceReceiveType, bActivate; ValidateRoute: ProtocolId, with DestAddress
 * as text; MIBEntry*: dwRoutingPid, the input size; HasMulticastBoundary: dwIfIndex,
 * dwGroupAddress), result what the function returned. */
typedef struct MockRtmSupportCall {
  uint32_t slot;
  uint32_t function;
  uint32_t argCount;
  uint32_t args[4];
  uint32_t result;
  char text[48];
} MockRtmSupportCall;

/* Fills the eleven function pointers of the SUPPORT_FUNCTIONS at `out` (dwVersion and
 * dwReserved are left as they are) with the functions of protocol slot `slot`
 * (0..MOCK_SUPPORT_SLOTS-1), and, when size is at least 120, SUPPORT_FUNCTIONS_60's three
 * after them. Returns 0, or 87 for a bad slot or a buffer under the struct's size. */
MOCK_RTM_API uint32_t MockRtmSupportFunctions(uint32_t slot, void* out, uint32_t size);

/* What GetRouterId answers (network-order IPv4); default 10.0.0.1. */
MOCK_RTM_API void MockRtmSupportSetRouterId(uint32_t router_id);

/* The preference ValidateRoute writes into routes of `protocol_id` (RTM_PREF_INFO.Preference),
 * as the router manager's IP_PROT_PRIORITY_INFO policy would. */
MOCK_RTM_API void MockRtmSupportSetPriority(uint32_t protocol_id, uint32_t preference);

/* Moves up to `capacity` recorded calls, oldest first, into `out`; returns how many. *dropped
 * (if not NULL) gets the number of records lost to the cap since the last drain. */
MOCK_RTM_API uint32_t MockRtmSupportDrain(MockRtmSupportCall* out, uint32_t capacity, uint32_t* dropped);

#ifdef __cplusplus
}
#endif

#endif /* RRAS_BRIDGE_MOCK_RTM_H_ */
