// The admin endpoint: where `rras-bridge status | trace | restart | log` reach a running
// library. One per loaded copy of the library, serving every protocol it runs; reachable only
// by administrators (admin_listener.h says how, per OS).
//
// The wire is the host channel's: the same frames, codec and version handshake (wire.h), with
// the admin message types (messages.cc: adminHello first, then adminStatus, adminTrace,
// adminRestart, adminLog; documents as JSON text, docs/operations.md). Frames from a client
// are capped at 64 KiB, frames to it at the wire's 4 MiB; a client that stops reading is
// dropped once 16 MiB wait for it. At most 16 clients at a time.
//
// Threads: the endpoint's own (accepts, admits, sends followed traces and logs every 20 ms)
// and one I/O thread per client (Peer), which answers requests from the instances' own
// state. None of them ever holds a lock an RRAS thread waits for while it waits itself, and
// no RRAS thread waits for them, except at Detach.
//
// Lifetime (the rule of issue 9: once ROUTER_STOPPED is visible, no thread of the library
// runs): the endpoint opens when the first protocol starts (Attach, from StartProtocol) and
// closes, its threads joined, when the last one is stopped (Detach, before ROUTER_STOPPED is
// queued, and before a failed StartProtocol returns). Detach waits for requests in progress
// about that protocol; they are short, and none of them waits on the host.
#pragma once

namespace rrasbridge {

class Instance;

namespace AdminEndpoint {
void Attach(Instance& instance);
void Detach(Instance& instance);
// The library is unloaded with every protocol idle (exports.cc): frees the endpoint.
void ReleaseAtUnload();
}  // namespace AdminEndpoint

}  // namespace rrasbridge
