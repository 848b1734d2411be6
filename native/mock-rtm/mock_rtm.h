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

#ifdef __cplusplus
}
#endif

#endif /* RRAS_BRIDGE_MOCK_RTM_H_ */
