// Unit tests of what the protocol library records for operators: the trace ring (sequence
// numbers, wrap-around, what a late reader lost, capacity 0 and followers), the call
// statistics' histogram and quantiles, the log ring, the JSON writer's escaping, and the
// records as JSON and text (names of entry points, arguments, results, message fields).
#include <string>
#include <thread>
#include <vector>

#include "../common/json.h"
#include "../common/json_writer.h"
#include "../protocol/call_stats.h"
#include "../protocol/log_ring.h"
#include "../protocol/trace_format.h"
#include "../protocol/trace_ring.h"
#include "check.h"

using namespace rrasbridge;

namespace {

CallArgs Arg(uint64_t v) {
  CallArgs a;
  a.v[0] = v;
  return a;
}

bool Contains(const std::string& s, const std::string& part) {
  if (s.find(part) != std::string::npos) return true;
  std::fprintf(stderr, "     '%s' not in: %s\n", part.c_str(), s.c_str());
  return false;
}

void TraceRingKeepsTheLastRecordsInOrder() {
  TraceRing ring(8);
  CHECK(ring.recording() && ring.capacity() == 8 && ring.lastSeq() == 0);
  for (uint64_t i = 1; i <= 20; ++i) ring.Call(EntryPoint::DoUpdateRoutes, 100 * i, 100 * i + 5, 0, Arg(i));
  CHECK(ring.lastSeq() == 20);
  std::vector<TraceRecord> out;
  CHECK(ring.Read(0, 100, out) == 12);  // 1..12 were overwritten
  CHECK(out.size() == 8 && out.front().seq == 13 && out.back().seq == 20);
  CHECK(out.front().args[0] == 13 && out.front().durationNs == 5 && out.front().thread == CurrentThreadId());
  out.clear();
  CHECK(ring.Read(15, 2, out) == 0 && out.size() == 2 && out[0].seq == 16 && out[1].seq == 17);
  out.clear();
  CHECK(ring.Read(20, 100, out) == 0 && out.empty());
  const auto last = ring.Last(3);
  CHECK(last.size() == 3 && last[0].seq == 18 && last[2].seq == 20);
}

void TraceRingOffRecordsOnlyWhileFollowed() {
  TraceRing ring(0);
  CHECK(!ring.recording());
  ring.Call(EntryPoint::StartComplete, 0, 1, 0, CallArgs{});
  CHECK(ring.lastSeq() == 0);
  ring.AddFollower();
  CHECK(ring.recording() && ring.capacity() == TraceRing::kFollowCapacity);
  ring.Host(HostEvent::Started, 1, 4242, "started");
  ring.RemoveFollower();
  CHECK(!ring.recording() && ring.capacity() == 0 && ring.lastSeq() == 1);
  // A new capacity drops what was kept: a reader is told, never given stale slots.
  TraceRing r2(4);
  r2.Host(HostEvent::Started, 1, 1, "a");
  r2.Configure(16);
  std::vector<TraceRecord> out;
  CHECK(r2.Read(0, 10, out) == 1 && out.empty());
  r2.Host(HostEvent::Lost, 1, 1, "b");
  CHECK(r2.Read(0, 10, out) == 1 && out.size() == 1 && out[0].seq == 2);
}

void TraceRingTakesRecordsFromManyThreads() {
  TraceRing ring(100000);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 10000; ++i) ring.Call(EntryPoint::GetEventMessage, i, i + 1, ERROR_NO_MORE_ITEMS, CallArgs{});
    });
  for (auto& t : threads) t.join();
  std::vector<TraceRecord> out;
  CHECK(ring.Read(0, 100000, out) == 0 && out.size() == 40000);
  bool ordered = true;
  for (size_t i = 0; i < out.size(); ++i) ordered = ordered && out[i].seq == i + 1;
  CHECK(ordered);
}

void MessagesKeepTheirFirstFieldsAndText() {
  TraceRing ring(16);
  ring.Message(true, wire::Message::Request(wire::MsgType::UpdateRoutes, 7, {wire::Value::Num(3)}));
  ring.Message(false, wire::Message::Request(wire::MsgType::Log, 0, {wire::Value::Num(2), wire::Value::Bytes("hello \"js\"")}));
  wire::Message req = wire::Message::Request(wire::MsgType::Mib, 9, {});
  ring.Message(false, wire::Message::Reply(req, ERROR_CAN_NOT_COMPLETE, "no such entry"));
  ring.Message(true, wire::Message::Request(wire::MsgType::SetGlobalInfo, 10,
                                            {wire::Value::Bytes(std::string(24, '\xff')), wire::Value::Num(1),
                                             wire::Value::Num(24), wire::Value::Num(1)}));
  std::vector<TraceRecord> out;
  ring.Read(0, 10, out);
  CHECK(out.size() == 4);
  std::string j;
  AppendTraceJson(j, out[0], ring, "p");
  CHECK(Contains(j, R"("direction":"to-host","type":"updateRoutes","id":7,"reply":false,"fields":{"interfaceIndex":3})"));
  j.clear();
  AppendTraceJson(j, out[1], ring, "p");
  CHECK(Contains(j, R"("fields":{"level":2,"text":"hello \"js\""})"));
  j.clear();
  AppendTraceJson(j, out[2], ring, "p");
  CHECK(Contains(j, R"("reply":true,"status":1003,"error":"no such entry","fields":{})"));
  j.clear();
  AppendTraceJson(j, out[3], ring, "p");
  CHECK(Contains(j, R"("info":"<24 bytes>","structureVersion":1)"));  // a blob: its size, never its bytes
  CHECK(Contains(TraceText(out[1], ring), "<- host log #0 level=2 text=\"hello \"js\"\""));
  CHECK(Contains(TraceText(out[2], ring), "<- host mib reply #9 status 1003 \"no such entry\""));
}

void CallsAndEventsAsRoutprotNamesThem() {
  TraceRing ring(16);
  CallArgs a;
  a.v[0] = 3;
  a.v[1] = 1;
  a.v[2] = RIS_INTERFACE_ADDRESS_CHANGE;
  a.v[3] = 0x1000;
  a.pointers = 1u << 3;
  a.v[4] = 1;
  std::snprintf(a.text, sizeof a.text, "192.0.2.1/24");
  ring.Call(EntryPoint::InterfaceStatus, 1000, 13500, NO_ERROR, a);
  ring.Call(EntryPoint::DoUpdateRoutes, 0, 1, ERROR_INVALID_PARAMETER, Arg(99));
  MESSAGE m{};
  m.UpdateCompleteMessage.InterfaceIndex = 3;
  m.UpdateCompleteMessage.UpdateType = RF_DEMAND_UPDATE_ROUTES;
  m.UpdateCompleteMessage.UpdateStatus = ERROR_CAN_NOT_COMPLETE;
  ring.Event(false, UPDATE_COMPLETE, m);
  ring.Host(HostEvent::WatchdogKill, 2, 4242, "missed 5 heartbeats");
  std::vector<TraceRecord> out;
  ring.Read(0, 10, out);
  std::string j;
  AppendTraceJson(j, out[0], ring, "rip");
  CHECK(Contains(j, R"("kind":"call","name":"InterfaceStatus","args":{"InterfaceIndex":3,"InterfaceActive":"TRUE","StatusType":"RIS_INTERFACE_ADDRESS_CHANGE","StatusInfo":"0x1000","AddressCount":1,"Address":"192.0.2.1/24"},"result":0,"resultName":"NO_ERROR","durationUs":12.500)"));
  json::Value parsed;
  std::string err;
  CHECK_MSG(json::Parse(j, parsed, err), err);
  CHECK(Contains(TraceText(out[1], ring), "DoUpdateRoutes(InterfaceIndex=99) = ERROR_INVALID_PARAMETER (87) in 0.0 us"));
  j.clear();
  AppendTraceJson(j, out[2], ring, "rip");
  CHECK(Contains(j, R"("kind":"event","action":"queued","event":"UPDATE_COMPLETE","interfaceIndex":3,"updateType":4,"updateStatus":1003,"updateStatusName":"ERROR_CAN_NOT_COMPLETE")"));
  j.clear();
  AppendTraceJson(j, out[3], ring, "rip");
  CHECK(Contains(j, R"("kind":"host","event":"watchdog-kill","generation":2,"pid":4242,"reason":"missed 5 heartbeats")"));
  CHECK(IsFailure(EntryPoint::DoUpdateRoutes, ERROR_INVALID_PARAMETER));
  CHECK(!IsFailure(EntryPoint::GetEventMessage, ERROR_NO_MORE_ITEMS));
  CHECK(!IsFailure(EntryPoint::StopProtocol, ERROR_PROTOCOL_STOP_PENDING));
  CHECK(!IsFailure(EntryPoint::GetInterfaceInfo, ERROR_INSUFFICIENT_BUFFER));
  CHECK(IsFailure(EntryPoint::GetEventMessage, ERROR_INVALID_PARAMETER));
  CHECK(DescribeCode(4242) == "error 4242");
  CHECK(IsoTime(1764633600123456789) == "2025-12-02T00:00:00.123456Z");
}

void HistogramQuantilesAreWithinASixteenth() {
  bool monotonic = true, covers = true;
  uint64_t prev = 0;
  for (size_t b = 0; b < CallStats::kBuckets; ++b) {
    const uint64_t up = CallStats::BucketUpperNs(b);
    monotonic = monotonic && (b == 0 || up > prev);
    covers = covers && CallStats::BucketOf(up) == b && (up == 0 || CallStats::BucketOf(up + 1) == b + 1 || b + 1 == CallStats::kBuckets);
    prev = up;
  }
  CHECK(monotonic);
  CHECK(covers);
  CHECK(CallStats::BucketOf(uint64_t(1) << 50) == CallStats::kBuckets - 1);  // beyond: the last bucket
  CallStats s;
  for (uint64_t i = 1; i <= 1000; ++i) {
    s.Begin();
    s.End(EntryPoint::DoUpdateRoutes, i * 1000, i == 1000 ? ERROR_CAN_NOT_COMPLETE : NO_ERROR, i == 1000);
  }
  CHECK(s.inFlight() == 0);
  const auto all = s.Summaries();
  CHECK(all.size() == 1);
  const auto& d = all[0];
  CHECK(d.entryPoint == EntryPoint::DoUpdateRoutes && d.count == 1000 && d.failed == 1);
  CHECK(d.lastResult == ERROR_CAN_NOT_COMPLETE && d.maxNs == 1000000 && d.totalNs == 500500000);
  CHECK(d.p50Ns >= 500000 && d.p50Ns <= 500000 + 500000 / 16);
  CHECK(d.p99Ns >= 990000 && d.p99Ns <= 1000000);
}

void LogRingKeepsLinesAndErrorsApart() {
  LogRing log;
  log.Add(LogLevel::Error, "first error", "");
  for (int i = 0; i < 3000; ++i) log.Add(LogLevel::Info, "routine " + std::to_string(i), "/js");
  CHECK(log.lastSeq() == 3001);
  std::vector<LogLine> out;
  CHECK(log.Read(0, 10, out) == 3001 - LogRing::kMaxLines);
  CHECK(out.size() == 10 && out[0].seq == 3002 - LogRing::kMaxLines && out[0].origin == "/js");
  const auto errors = log.LastErrors();
  CHECK(errors.size() == 1 && errors[0].text == "first error" && errors[0].seq == 1);
}

void JsonWriterEscapesAndStaysValid() {
  std::string out;
  json::Writer w(out);
  w.Open().Str("a", "q\"b\\n\nt\tc\x01").Array("l").Num(1).Str("x").Bool(true).CloseArray().Object("o").Close().Real("r", 1.5, 1).Close();
  CHECK(out == R"({"a":"q\"b\\n\nt\tc\u0001","l":[1,"x",true],"o":{},"r":1.5})");
  std::string bad;
  json::AppendQuoted(bad, std::string("ok\xff\xc3(\xe2\x82\xac") + "\xed\xa0\x80");  // bad, bad, euro, a surrogate
  CHECK(bad == "\"ok\xEF\xBF\xBD\xEF\xBF\xBD(\xE2\x82\xAC\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"");
  json::Value v;
  std::string err;
  CHECK_MSG(json::Parse(out, v, err) && json::Parse("[" + bad + "]", v, err), err);
}

}  // namespace

int main() {
  TraceRingKeepsTheLastRecordsInOrder();
  TraceRingOffRecordsOnlyWhileFollowed();
  TraceRingTakesRecordsFromManyThreads();
  MessagesKeepTheirFirstFieldsAndText();
  CallsAndEventsAsRoutprotNamesThem();
  HistogramQuantilesAreWithinASixteenth();
  LogRingKeepsLinesAndErrorsApart();
  JsonWriterEscapesAndStaysValid();
  return test::Finish();
}
