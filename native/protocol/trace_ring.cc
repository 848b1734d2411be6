#include "trace_ring.h"

#include <algorithm>
#include <chrono>

#ifdef _WIN32
#include "../common/win32.h"
#else
#include <sys/syscall.h>
#include <unistd.h>
#endif

namespace rrasbridge {

int64_t SteadyNowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

int64_t WallNowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

uint32_t CurrentThreadId() {
#ifdef _WIN32
  return ::GetCurrentThreadId();
#else
  // gettid is a system call: remember it per thread.
  static thread_local uint32_t tid = 0;
  if (!tid) tid = static_cast<uint32_t>(::syscall(SYS_gettid));
  return tid;
#endif
}

TraceRing::TraceRing(size_t capacity) : configured_(capacity) {
  ResizeLocked(capacity);
  steadyAnchorNs_ = SteadyNowNs();
  wallAnchorNs_ = WallNowNs();
}

size_t TraceRing::capacity() const {
  std::lock_guard<std::mutex> lock(mu_);
  return buf_.size();
}

void TraceRing::Push(TraceRecord& r) {
  r.thread = CurrentThreadId();
  std::lock_guard<std::mutex> lock(mu_);
  if (buf_.empty()) return;  // the last follower left meanwhile
  r.seq = ++seq_;
  buf_[r.seq % buf_.size()] = r;
}

void TraceRing::Call(EntryPoint ep, int64_t startNs, int64_t endNs, uint32_t result,
                     const CallArgs& args) {
  if (!recording()) return;
  TraceRecord r;
  r.kind = TraceKind::Call;
  r.code = static_cast<uint16_t>(ep);
  r.timeNs = startNs;
  r.durationNs = endNs - startNs;
  r.result = result;
  r.flags = args.pointers;
  std::memcpy(r.args, args.v, sizeof r.args);
  std::memcpy(r.text, args.text, sizeof r.text);
  r.text[kTraceText - 1] = '\0';
  Push(r);
}

void TraceRing::Message(bool out, const wire::Message& m) {
  if (!recording()) return;
  TraceRecord r;
  r.kind = out ? TraceKind::MessageOut : TraceKind::MessageIn;
  r.code = static_cast<uint16_t>(m.type);
  r.id = m.id;
  r.flags = static_cast<uint8_t>(m.flags);
  r.result = m.status;
  r.timeNs = SteadyNowNs();
  // The first fields in schema order, as numbers (a list: its length; a blob or text: its
  // size); the first text field (or a failed reply's error) is kept as text.
  bool haveText = false;
  if (m.IsReply() && m.status != 0) {
    r.SetText(m.error.data(), m.error.size());
    haveText = true;
  }
  const wire::FieldList* spec = wire::FieldsOf(m);
  for (size_t i = 0; i < m.fields.size() && i < kTraceArgs; ++i) {
    const auto& v = m.fields[i].v;
    if (const auto* n = std::get_if<uint64_t>(&v)) {
      r.args[i] = *n;
    } else if (const auto* s = std::get_if<std::string>(&v)) {
      r.args[i] = s->size();
      const bool isText = spec && i < spec->size() && (*spec)[i].kind == wire::Kind::Text;
      if (isText && !haveText) r.SetText(s->data(), s->size());
      haveText = haveText || isText;
    } else if (const auto* w = std::get_if<std::u16string>(&v)) {
      r.args[i] = w->size();
      if (!haveText) {
        char narrow[kTraceText];
        size_t k = 0;
        for (; k < w->size() && k < kTraceText; ++k)
          narrow[k] = (*w)[k] < 0x80 ? static_cast<char>((*w)[k]) : '?';
        r.SetText(narrow, k);
        haveText = true;
      }
    } else if (const auto* l = std::get_if<std::vector<wire::Record>>(&v)) {
      r.args[i] = l->size();
    } else if (const auto* p = std::get_if<wire::PackedRecords>(&v)) {
      r.args[i] = p->size();
    }
  }
  Push(r);
}

void TraceRing::Event(bool drained, ROUTING_PROTOCOL_EVENTS e, const MESSAGE& m) {
  if (!recording()) return;
  TraceRecord r;
  r.kind = drained ? TraceKind::EventDrained : TraceKind::EventQueued;
  r.code = static_cast<uint16_t>(e);
  r.timeNs = SteadyNowNs();
  r.args[0] = m.UpdateCompleteMessage.InterfaceIndex;
  r.args[1] = m.UpdateCompleteMessage.UpdateType;
  r.args[2] = m.UpdateCompleteMessage.UpdateStatus;
  Push(r);
}

void TraceRing::Host(HostEvent what, uint32_t generation, uint32_t pid, const std::string& why) {
  if (!recording()) return;
  TraceRecord r;
  r.kind = TraceKind::Host;
  r.code = static_cast<uint16_t>(what);
  r.id = generation;
  r.result = pid;
  r.timeNs = SteadyNowNs();
  r.SetText(why.data(), why.size());
  Push(r);
}

uint64_t TraceRing::Read(uint64_t after, size_t max, std::vector<TraceRecord>& out) const {
  std::lock_guard<std::mutex> lock(mu_);
  if (buf_.empty() || seq_ <= after) return 0;
  const uint64_t oldest = std::max<uint64_t>(firstKept_, seq_ >= buf_.size() ? seq_ - buf_.size() + 1 : 1);
  const uint64_t first = std::max(after + 1, oldest);
  const uint64_t lost = first - (after + 1);
  for (uint64_t s = first; s <= seq_ && out.size() < max; ++s) out.push_back(buf_[s % buf_.size()]);
  return lost;
}

std::vector<TraceRecord> TraceRing::Last(size_t n) const {
  std::vector<TraceRecord> out;
  const uint64_t last = lastSeq();
  Read(last > n ? last - n : 0, n, out);
  return out;
}

uint64_t TraceRing::lastSeq() const {
  std::lock_guard<std::mutex> lock(mu_);
  return seq_;
}

void TraceRing::ResizeLocked(size_t capacity) {
  std::vector<TraceRecord>(capacity).swap(buf_);
  firstKept_ = seq_ + 1;
  recording_ = !buf_.empty();
}

void TraceRing::AddFollower() {
  std::lock_guard<std::mutex> lock(mu_);
  if (++followers_ == 1 && buf_.empty()) ResizeLocked(kFollowCapacity);
}

void TraceRing::RemoveFollower() {
  std::lock_guard<std::mutex> lock(mu_);
  if (--followers_ > 0 || configured_ > 0) return;
  ResizeLocked(0);
}

void TraceRing::Configure(size_t capacity) {
  std::lock_guard<std::mutex> lock(mu_);
  configured_ = capacity;
  ResizeLocked(capacity > 0 || followers_ == 0 ? capacity : kFollowCapacity);
}

}  // namespace rrasbridge
