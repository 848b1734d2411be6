// The protocol's RTM client between the wire and RTMv2 (rtm_glue.h): route batches in, best-
// route changes out.
#include "rtm_glue.h"

#include <cstring>

namespace rrasbridge {
namespace {

using wire::MsgType;
using wire::Value;
namespace schema = wire::schema;

// routes (IPv4: addresses as u32) and routes6 (family + 16 address bytes) records.
constexpr wire::Field kOp = wire::RecordField(schema::kRouteRecordList, "op");
constexpr wire::Field kDestination = wire::RecordField(schema::kRouteRecordList, "destination");
constexpr wire::Field kPrefixLength = wire::RecordField(schema::kRouteRecordList, "prefixLength");
constexpr wire::Field kNextHop = wire::RecordField(schema::kRouteRecordList, "nextHop");
constexpr wire::Field kInterface = wire::RecordField(schema::kRouteRecordList, "interfaceIndex");
constexpr wire::Field kMetric = wire::RecordField(schema::kRouteRecordList, "metric");
constexpr wire::Field kPreference = wire::RecordField(schema::kRouteRecordList, "preference");
constexpr wire::Field kFlags = wire::RecordField(schema::kRouteRecordList, "flags");
constexpr wire::Field kTtl = wire::RecordField(schema::kRouteRecordList, "ttlMs");
constexpr wire::Field kOp6 = wire::RecordField(schema::kRoute6RecordList, "op");
constexpr wire::Field kFamily6 = wire::RecordField(schema::kRoute6RecordList, "family");
constexpr wire::Field kDestination6 = wire::RecordField(schema::kRoute6RecordList, "destination");
constexpr wire::Field kPrefixLength6 = wire::RecordField(schema::kRoute6RecordList, "prefixLength");
constexpr wire::Field kNextHop6 = wire::RecordField(schema::kRoute6RecordList, "nextHop");
constexpr wire::Field kInterface6 = wire::RecordField(schema::kRoute6RecordList, "interfaceIndex");
constexpr wire::Field kMetric6 = wire::RecordField(schema::kRoute6RecordList, "metric");
constexpr wire::Field kPreference6 = wire::RecordField(schema::kRoute6RecordList, "preference");
constexpr wire::Field kFlags6 = wire::RecordField(schema::kRoute6RecordList, "flags");
constexpr wire::Field kTtl6 = wire::RecordField(schema::kRoute6RecordList, "ttlMs");
constexpr wire::Field kOps = wire::RequestField(MsgType::Routes, "ops");
constexpr wire::Field kOps6 = wire::RequestField(MsgType::Routes6, "ops");
constexpr wire::Field kStatus = wire::RecordField(schema::kStatusRecordList, "status");
static_assert(kOps.index() == kOps6.index(), "routes and routes6 carry their ops alike");

// routeChanges (IPv4) and routeChanges6 records.
constexpr wire::Field kChangeDestination = wire::RecordField(schema::kChangeRecordList, "destination");
constexpr wire::Field kChangePrefix = wire::RecordField(schema::kChangeRecordList, "prefixLength");
constexpr wire::Field kChangeOwner = wire::RecordField(schema::kChangeRecordList, "owner");
constexpr wire::Field kChangeNextHop = wire::RecordField(schema::kChangeRecordList, "nextHop");
constexpr wire::Field kChangeInterface = wire::RecordField(schema::kChangeRecordList, "interfaceIndex");
constexpr wire::Field kChangeMetric = wire::RecordField(schema::kChangeRecordList, "metric");
constexpr wire::Field kChangePreference = wire::RecordField(schema::kChangeRecordList, "preference");
constexpr wire::Field kChange6Family = wire::RecordField(schema::kChange6RecordList, "family");
constexpr wire::Field kChange6Destination = wire::RecordField(schema::kChange6RecordList, "destination");
constexpr wire::Field kChange6Prefix = wire::RecordField(schema::kChange6RecordList, "prefixLength");
constexpr wire::Field kChange6Owner = wire::RecordField(schema::kChange6RecordList, "owner");
constexpr wire::Field kChange6NextHop = wire::RecordField(schema::kChange6RecordList, "nextHop");
constexpr wire::Field kChange6Interface = wire::RecordField(schema::kChange6RecordList, "interfaceIndex");
constexpr wire::Field kChange6Metric = wire::RecordField(schema::kChange6RecordList, "metric");
constexpr wire::Field kChange6Preference = wire::RecordField(schema::kChange6RecordList, "preference");
constexpr wire::Field kChanges = wire::RequestField(MsgType::RouteChanges, "changes");
constexpr wire::Field kChanges6 = wire::RequestField(MsgType::RouteChanges6, "changes");

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

// One route operation of a routes (IPv4) or routes6 record; false with err for a record of
// another family or an address that is not 16 bytes.
bool DecodeRouteOp(const wire::Record& r, bool v6, RouteOp& op, std::string& err) {
  using wire::U32;
  if (!v6) {
    op = RouteOp{U32(r, kOp),     Ipv4Address(U32(r, kDestination)), U32(r, kPrefixLength),
                 Ipv4Address(U32(r, kNextHop)), U32(r, kInterface), U32(r, kMetric),
                 U32(r, kPreference), U32(r, kFlags), U32(r, kTtl)};
    return true;
  }
  auto addr6 = [&](wire::Field f, Address& out) {
    const std::string& b = wire::Bytes(r, f);
    if (b.size() != out.size()) {
      err = "an IPv6 address of " + std::to_string(b.size()) + " bytes, not 16";
      return false;
    }
    std::memcpy(out.data(), b.data(), out.size());
    return true;
  };
  if (U32(r, kFamily6) != kFamilyIpv6) {
    err = "routes6 record of family " + std::to_string(U32(r, kFamily6)) + ", not AF_INET6 (23)";
    return false;
  }
  op.op = U32(r, kOp6);
  op.prefixLength = U32(r, kPrefixLength6);
  op.interfaceIndex = U32(r, kInterface6);
  op.metric = U32(r, kMetric6);
  op.preference = U32(r, kPreference6);
  op.flags = U32(r, kFlags6);
  op.ttlMs = U32(r, kTtl6);
  return addr6(kDestination6, op.destination) && addr6(kNextHop6, op.nextHop);
}

wire::Record ChangeRecord(const RouteChange& c) {
  wire::Record r = wire::NewFields(schema::kChangeRecordList);
  wire::Set(r, kChangeDestination, Value::Num(Ipv4Wire(c.destination)));
  wire::Set(r, kChangePrefix, Value::Num(c.prefixLength));
  wire::Set(r, kChangeOwner, Value::Num(c.owner));
  wire::Set(r, kChangeNextHop, Value::Num(Ipv4Wire(c.nextHop)));
  wire::Set(r, kChangeInterface, Value::Num(c.interfaceIndex));
  wire::Set(r, kChangeMetric, Value::Num(c.metric));
  wire::Set(r, kChangePreference, Value::Num(c.preference));
  return r;
}

wire::Record Change6Record(const RouteChange& c) {
  wire::Record r = wire::NewFields(schema::kChange6RecordList);
  wire::Set(r, kChange6Family, Value::Num(kFamilyIpv6));
  wire::Set(r, kChange6Destination, Value::Bytes(c.destination.data(), c.destination.size()));
  wire::Set(r, kChange6Prefix, Value::Num(c.prefixLength));
  wire::Set(r, kChange6Owner, Value::Num(c.owner));
  wire::Set(r, kChange6NextHop, Value::Bytes(c.nextHop.data(), c.nextHop.size()));
  wire::Set(r, kChange6Interface, Value::Num(c.interfaceIndex));
  wire::Set(r, kChange6Metric, Value::Num(c.metric));
  wire::Set(r, kChange6Preference, Value::Num(c.preference));
  return r;
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
  std::vector<wire::Record> records;
  records.reserve(changes.size());
  for (const auto& c : changes) records.push_back(v6 ? Change6Record(c) : ChangeRecord(c));
  const MsgType type = v6 ? MsgType::RouteChanges6 : MsgType::RouteChanges;
  // As many messages as maxFrameBytes needs: one frame over it would be refused, and lost.
  auto runs = wire::SplitRecords(std::move(records), v6 ? schema::kChange6RecordList : schema::kChangeRecordList,
                                 link.version(), config_.maxFrameBytes);
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
    m.Set(v6 ? kChanges6 : kChanges, Value::List(std::move(run)));
    // A refusal means the channel is down: the next host gets the whole table again.
    if (!link.Notify(type, std::move(m.fields), err)) {
      log_(LogLevel::Warn, "%u route change(s) not delivered to the host: %s", unsigned(left), err.c_str());
      return;
    }
    left -= n;
  }
}

DWORD RtmGlue::Apply(const wire::Message& batch, std::vector<wire::Record>& results,
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
  const auto& ops = batch.List(kOps);
  results.reserve(ops.size());
  for (const auto& r : ops) {
    RouteOp op;
    std::string err;
    const DWORD status = DecodeRouteOp(r, v6, op, err) ? rtm->Apply(op, err) : ERROR_INVALID_PARAMETER;
    if (status != NO_ERROR && firstError.empty()) firstError = err;
    wire::Record result = wire::NewFields(schema::kStatusRecordList);
    wire::Set(result, kStatus, Value::Num(status));
    results.push_back(std::move(result));
  }
  return NO_ERROR;
}

}  // namespace rrasbridge
