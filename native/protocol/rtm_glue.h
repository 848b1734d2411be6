// The protocol's RTMv2 client as the rest of the library uses it: opened for a run before its
// first host starts, closed after its last one stopped; route batches from the host (routes,
// routes6) applied to it; best-route changes sent to the current host (routeChanges,
// routeChanges6), by the family of the protocol's router manager.
//
// State: client_ is guarded by mu_. The supervisor opens and closes it (no host is connected
// then); the I/O thread (route batches, the stale sweep) and the supervisor take a reference
// under mu_ and use it without. RtmClient guards its own tables; its change notifications
// arrive on RTM's thread and go to the host last attached (host_, guarded by hostMu_, with
// the changes that come while that host gets its snapshot, sent after it in order).
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "../common/compat.h"
#include "../common/wire.h"
#include "config.h"
#include "host_link.h"
#include "log.h"
#include "rtm_client.h"

namespace rrasbridge {

class RtmGlue {
 public:
  RtmGlue(const ProtocolConfig& config, const Logger& log) : config_(config), log_(log) {}

  // Registers the protocol with RTM (no-op without an rtmLibrary, or when open). support:
  // the router manager's, for ValidateRoute (kept by value for the run).
  bool Open(const SUPPORT_FUNCTIONS& support, std::string& err);
  // deleteRoutes: a planned stop removes the protocol's routes.
  void Close(bool deleteRoutes);
  // The run's client, or null (none configured, or closed).
  std::shared_ptr<RtmClient> client();

  // A new host, before its start: it gets other protocols' best routes (in messages that fit
  // in maxFrameBytes, paced by its reading, until `by`), then every change after them; the
  // changes that came meanwhile follow the snapshot, so none falls between the two.
  void Attach(const std::shared_ptr<HostLink>& link, Deadline by);
  // A route batch of the host (routes or routes6): a status per operation in results, in
  // order. Returns what the whole request gets: NO_ERROR, or why no operation was tried
  // (error says it); firstError is the first refused operation's reason.
  DWORD Apply(const wire::Message& batch, wire::PackedRecords& results, std::string& error,
              std::string& firstError);

  // The RTM family of the protocol's router manager (config ipv6).
  uint16_t family() const { return config_.ipv6 ? kFamilyIpv6 : kFamilyIpv4; }

 private:
  // paceBy: wait for the host to read each message before the next, until then; null: never wait
  // (RTM's notification thread).
  void SendChanges(HostLink& link, const std::vector<RouteChange>& changes, const Deadline* paceBy);

  // RTM's notification thread: to the attached host, or held while it gets its snapshot.
  void OnChanges(std::vector<RouteChange> changes);

  const ProtocolConfig& config_;
  const Logger& log_;
  std::mutex mu_;
  std::shared_ptr<RtmClient> client_;  // guarded by mu_
  std::mutex hostMu_;
  std::shared_ptr<HostLink> host_;        // guarded by hostMu_: where changes go
  bool snapshotting_ = false;             // guarded by hostMu_: host_ is getting its snapshot
  std::vector<RouteChange> held_;         // guarded by hostMu_: changes meanwhile
};

}  // namespace rrasbridge
