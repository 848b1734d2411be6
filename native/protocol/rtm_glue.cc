// The protocol's RTM client between the wire and RTMv2 (rtm_glue.h): route batches in, best-
// route changes out.
#include "rtm_glue.h"

#include <cstring>

namespace rrasbridge {
namespace {

using wire::MsgType;
using wire::Value;
namespace schema = wire::schema;

// Where each field of a routes (IPv4: addresses as u32), routes6 (family + 16 address bytes),
// routeChanges or routeChanges6 record is in its packed slots (wire.h, PackedRecords).
template <const wire::FieldList& kList>
struct Slots {
  static constexpr size_t At(std::string_view name) { return wire::PackedSlot(kList, name); }
};
using Route = Slots<schema::kRouteRecordList>;
using Route6 = Slots<schema::kRoute6RecordList>;
using Change = Slots<schema::kChangeRecordList>;
using Change6 = Slots<schema::kChange6RecordList>;
constexpr size_t kStatus = wire::PackedSlot(schema::kStatusRecordList, "status");
constexpr wire::Field kOps = wire::RequestField(MsgType::Routes, "ops");
constexpr wire::Field kOps6 = wire::RequestField(MsgType::Routes6, "ops");
constexpr wire::Field kChanges = wire::RequestField(MsgType::RouteChanges, "changes");
constexpr wire::Field kChanges6 = wire::RequestField(MsgType::RouteChanges6, "changes");
static_assert(kOps.index() == kOps6.index(), "routes and routes6 carry their ops alike");
static_assert(wire::kPackedBlobBytes == sizeof(Address), "a packed blob holds an RTM address");

// Bytes queued to the host before the next message of a table waits (well under the
// channel's high-water mark).
constexpr size_t kPacedQueueBytes = 8u << 20;

static_assert(uint32_t(wire::AddressFamily::Ipv4) == kFamilyIpv4 &&
                  uint32_t(wire::AddressFamily::Ipv6) == kFamilyIpv6,
              "the wire's families are RTM's");
static_assert(uint32_t(wire::RouteOperation::Add) == kRouteAdd &&
                  uint32_t(wire::RouteOperation::Delete) == kRouteDelete &&
                  uint32_t(wire::RouteFlag::HasPreference) == kRouteHasPreference,
              "RtmClient's route operations are the wire's");

// One route operation of a routes (IPv4) or routes6 record's slots; false with err for a
// record of another family (the codec checked the addresses' size).
bool DecodeRouteOp(const uint32_t* s, bool v6, RouteOp& op, std::string& err) {
  if (!v6) {
    op = RouteOp{s[Route::At("op")],        Ipv4Address(s[Route::At("destination")]),
                 s[Route::At("prefixLength")], Ipv4Address(s[Route::At("nextHop")]),
                 s[Route::At("interfaceIndex")], s[Route::At("metric")],
                 s[Route::At("preference")], s[Route::At("flags")],
                 s[Route::At("ttlMs")]};
    return true;
  }
  if (const uint32_t family = s[Route6::At("family")]; family != kFamilyIpv6) {
    err = "routes6 record of family " + std::to_string(family) + ", not AF_INET6 (23)";
    return false;
  }
  op.op = s[Route6::At("op")];
  std::memcpy(op.destination.data(), s + Route6::At("destination"), op.destination.size());
  op.prefixLength = s[Route6::At("prefixLength")];
  std::memcpy(op.nextHop.data(), s + Route6::At("nextHop"), op.nextHop.size());
  op.interfaceIndex = s[Route6::At("interfaceIndex")];
  op.metric = s[Route6::At("metric")];
  op.preference = s[Route6::At("preference")];
  op.flags = s[Route6::At("flags")];
  op.ttlMs = s[Route6::At("ttlMs")];
  return true;
}

void ChangeRecord(const RouteChange& c, uint32_t* s) {
  s[Change::At("destination")] = Ipv4Wire(c.destination);
  s[Change::At("prefixLength")] = c.prefixLength;
  s[Change::At("owner")] = c.owner;
  s[Change::At("nextHop")] = Ipv4Wire(c.nextHop);
  s[Change::At("interfaceIndex")] = c.interfaceIndex;
  s[Change::At("metric")] = c.metric;
  s[Change::At("preference")] = c.preference;
}

void Change6Record(const RouteChange& c, uint32_t* s) {
  s[Change6::At("family")] = kFamilyIpv6;
  std::memcpy(s + Change6::At("destination"), c.destination.data(), c.destination.size());
  s[Change6::At("prefixLength")] = c.prefixLength;
  s[Change6::At("owner")] = c.owner;
  std::memcpy(s + Change6::At("nextHop"), c.nextHop.data(), c.nextHop.size());
  s[Change6::At("interfaceIndex")] = c.interfaceIndex;
  s[Change6::At("metric")] = c.metric;
  s[Change6::At("preference")] = c.preference;
}

}  // namespace

bool RtmGlue::Open(const SUPPORT_FUNCTIONS& support, std::string& err) {
  if (client() || config_.rtmLibrary.empty()) return true;
  auto rtm = std::make_shared<RtmClient>(log_, config_.protocolId, config_.routePreference, family());
  auto sink = [this](std::vector<RouteChange> changes) { OnChanges(std::move(changes)); };
  RtmClient::Validator validate;
  if (config_.validateRoutes && support.ValidateRoute) {
    validate = [validateRoute = support.ValidateRoute, id = config_.protocolId](
                   RTM_ROUTE_INFO& ri, RTM_NET_ADDRESS& dest) { return validateRoute(id, &ri, &dest); };
  }
  if (!rtm->Open(config_.rtmLibrary, sink, validate, err)) return false;
  std::lock_guard<std::mutex> lock(mu_);
  client_ = std::move(rtm);
  return true;
}

void RtmGlue::Close(bool deleteRoutes) {
  std::shared_ptr<RtmClient> rtm;
  {
    std::lock_guard<std::mutex> lock(mu_);
    rtm = std::move(client_);
  }
  {
    std::lock_guard<std::mutex> lock(hostMu_);
    host_.reset();  // no change comes any more; the last host need not be kept
  }
  if (!rtm) return;
  const size_t n = rtm->routeCount();
  rtm->Close(deleteRoutes);
  if (deleteRoutes && n) log_(LogLevel::Info, "deleted the protocol's %u route(s) from RTM", unsigned(n));
}

std::shared_ptr<RtmClient> RtmGlue::client() {
  std::lock_guard<std::mutex> lock(mu_);
  return client_;
}

void RtmGlue::Attach(const std::shared_ptr<HostLink>& link, Deadline by) {
  std::vector<RouteChange> snapshot;
  {
    std::lock_guard<std::mutex> lock(hostMu_);
    host_ = link;
    held_.clear();
    std::shared_ptr<RtmClient> rtm = client();
    if (!rtm) return;
    // Taken under hostMu_: a change RtmClient recorded after it is held, not missed.
    snapshot = rtm->BestRoutes();
    snapshotting_ = true;
  }
  SendChanges(*link, snapshot, &by);
  std::lock_guard<std::mutex> lock(hostMu_);
  snapshotting_ = false;
  if (host_ == link && !held_.empty()) SendChanges(*link, held_, nullptr);
  held_.clear();
}

void RtmGlue::OnChanges(std::vector<RouteChange> changes) {
  std::lock_guard<std::mutex> lock(hostMu_);
  if (snapshotting_) {
    held_.insert(held_.end(), changes.begin(), changes.end());
    return;
  }
  // No host, or a lost one: the next host's snapshot has these.
  if (host_ && host_->connected()) SendChanges(*host_, changes, nullptr);
}

void RtmGlue::SendChanges(HostLink& link, const std::vector<RouteChange>& changes, const Deadline* paceBy) {
  if (changes.empty()) return;
  const bool v6 = family() == kFamilyIpv6;
  const wire::FieldList& list = v6 ? schema::kChange6RecordList : schema::kChangeRecordList;
  wire::PackedRecords records = wire::NewPacked(list, changes.size());
  for (size_t i = 0; i < changes.size(); ++i) (v6 ? Change6Record : ChangeRecord)(changes[i], records[i]);
  const MsgType type = v6 ? MsgType::RouteChanges6 : MsgType::RouteChanges;
  // As many messages as maxFrameBytes needs: one frame over it would be refused, and lost.
  auto runs = wire::SplitRecords(std::move(records), list, link.version(), config_.maxFrameBytes);
  size_t left = changes.size();
  for (auto& run : runs) {
    std::string err;
    // Before a start (a whole table), the queue is kept short instead of over its high-water
    // mark, which would count as a host that stopped reading.
    if (paceBy && !link.WaitForQueueBelow(kPacedQueueBytes, *paceBy, err)) {
      log_(LogLevel::Warn, "%u route change(s) not delivered to the host: %s", unsigned(left), err.c_str());
      return;
    }
    const size_t n = run.size();
    wire::Message m = wire::Message::Request(type, 0);
    m.Set(v6 ? kChanges6 : kChanges, Value::Packed(std::move(run)));
    // A refusal means the channel is down: the next host gets the whole table again.
    if (!link.Notify(type, std::move(m.fields), err)) {
      log_(LogLevel::Warn, "%u route change(s) not delivered to the host: %s", unsigned(left), err.c_str());
      return;
    }
    left -= n;
  }
}

DWORD RtmGlue::Apply(const wire::Message& batch, wire::PackedRecords& results,
                     std::string& error, std::string& firstError) {
  std::shared_ptr<RtmClient> rtm = client();
  if (!rtm) {
    error = "no RTM library is configured for this protocol (rtmLibrary); routes are not kept";
    return ERROR_NOT_SUPPORTED;
  }
  const bool v6 = batch.type == MsgType::Routes6;
  if (v6 != (family() == kFamilyIpv6)) {
    error = std::string(v6 ? "IPv6 routes" : "IPv4 routes") + " for a protocol on the " +
            (family() == kFamilyIpv6 ? "IPv6" : "IPv4") + " router manager";
    return ERROR_INVALID_PARAMETER;
  }
  const wire::PackedRecords& ops = batch.Packed(kOps);
  results = wire::NewPacked(schema::kStatusRecordList, ops.size());
  rtm->ApplyBatch(
      ops.size(), [&](size_t i, RouteOp& op, std::string& err) { return DecodeRouteOp(ops[i], v6, op, err); },
      [&](size_t i, DWORD status) { results[i][kStatus] = status; }, firstError);
  return NO_ERROR;
}

}  // namespace rrasbridge
