// The replay of RRAS's state to a new host (replay.h).
#include "replay.h"

#include <vector>

#include "../common/compat.h"

namespace rrasbridge {
namespace {

constexpr wire::Field kDeleteIndex =
    wire::RequestField(wire::MsgType::DeleteInterface, "interfaceIndex");

void Forget(const wire::Message*, const std::string&) {}  // the host's own errors it logs itself

}  // namespace

bool Replay(HostLink& link, const InterfaceTable& snapshot, bool startCompleted,
            uint32_t callTimeoutMs, std::string& err) {
  std::vector<wire::Message> replayed;
  for (const auto& [index, s] : snapshot)
    for (auto& m : InterfaceMessages(s)) replayed.push_back(std::move(m));
  if (startCompleted) replayed.push_back(wire::Message::Request(wire::MsgType::StartComplete, 0));
  wire::Message reply;
  for (auto& m : replayed) {
    err.clear();
    if (!link.Call(m.type, std::move(m.fields), callTimeoutMs, reply, err) ||
        reply.status != NO_ERROR) {
      err = "replay: " + (err.empty() ? reply.error : err);
      link.Shutdown(Clock::now());
      return false;
    }
  }
  return true;
}

void SendDifference(HostLink& link, const InterfaceTable& replayed, const InterfaceTable& now) {
  std::string err;
  for (const auto& [index, old] : replayed) {
    if (now.count(index)) continue;
    wire::Message m = wire::Message::Request(wire::MsgType::DeleteInterface, 0);
    m.Set(kDeleteIndex, wire::Value::Num(index));
    link.CallAsync(m.type, std::move(m.fields), &Forget, err);
  }
  for (const auto& [index, s] : now) {
    auto it = replayed.find(index);
    if (it != replayed.end() && it->second.SameStatus(s)) continue;
    // A new interface from its addInterface on; a known one only its status.
    auto msgs = InterfaceMessages(s);
    for (size_t i = it == replayed.end() ? 0 : 1; i < msgs.size(); ++i)
      link.CallAsync(msgs[i].type, std::move(msgs[i].fields), &Forget, err);
  }
}

}  // namespace rrasbridge
