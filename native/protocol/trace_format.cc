#include "trace_format.h"

#include <array>
#include <cinttypes>
#include <cstdio>
#include <ctime>

#include "../common/json_writer.h"

namespace rrasbridge {
namespace {

// How an argument is shown.
enum class Show : uint8_t { Num, Pointer, Bool, StatusType, InterfaceType, Event };
struct ArgSpec {
  const char* name;
  Show show;
};
struct EntrySpec {
  const char* name;
  std::array<ArgSpec, kTraceArgs> args;
  const char* textName;  // what CallArgs.text holds, or null
};
using S = Show;

// Indexed by EntryPoint; argument names as in routprot.h (pointers as pointers; a buffer
// size that is in/out shows the value after the call). Must match what exports.cc records.
const EntrySpec kEntries[kEntryPointCount] = {
    {"?", {}, nullptr},
    {"StartProtocol",
     {{{"SupportFunctions", S::Pointer}, {"GlobalInfo", S::Pointer}, {"StructureVersion", S::Num},
       {"StructureSize", S::Num}, {"StructureCount", S::Num}}},
     nullptr},
    {"StartComplete", {}, nullptr},
    {"StopProtocol", {}, nullptr},
    {"GetGlobalInfo", {{{"GlobalInfo", S::Pointer}, {"BufferSize", S::Num}}}, nullptr},
    {"SetGlobalInfo",
     {{{"GlobalInfo", S::Pointer}, {"StructureVersion", S::Num}, {"StructureSize", S::Num},
       {"StructureCount", S::Num}}},
     nullptr},
    {"QueryPower", {{{"PowerType", S::Num}}}, nullptr},
    {"SetPower", {{{"PowerType", S::Num}}}, nullptr},
    {"AddInterface",
     {{{"InterfaceIndex", S::Num}, {"InterfaceType", S::InterfaceType}, {"MediaType", S::Num},
       {"AccessType", S::Num}, {"ConnectionType", S::Num}, {"StructureSize", S::Num}}},
     "InterfaceName"},
    {"DeleteInterface", {{{"InterfaceIndex", S::Num}}}, nullptr},
    {"InterfaceStatus",
     {{{"InterfaceIndex", S::Num}, {"InterfaceActive", S::Bool}, {"StatusType", S::StatusType},
       {"StatusInfo", S::Pointer}, {"AddressCount", S::Num}}},
     "Address"},
    {"GetInterfaceInfo",
     {{{"InterfaceIndex", S::Num}, {"InterfaceInfo", S::Pointer}, {"BufferSize", S::Num}}},
     nullptr},
    {"SetInterfaceInfo",
     {{{"InterfaceIndex", S::Num}, {"InterfaceInfo", S::Pointer}, {"StructureVersion", S::Num},
       {"StructureSize", S::Num}, {"StructureCount", S::Num}}},
     nullptr},
    {"GetEventMessage", {{{"Event", S::Event}, {"Result", S::Pointer}}}, nullptr},
    {"DoUpdateRoutes", {{{"InterfaceIndex", S::Num}}}, nullptr},
    {"ConnectClient", {{{"InterfaceIndex", S::Num}, {"ClientAddress", S::Pointer}}}, nullptr},
    {"DisconnectClient", {{{"InterfaceIndex", S::Num}, {"ClientAddress", S::Pointer}}}, nullptr},
    {"MibCreateEntry", {{{"InputDataSize", S::Num}, {"InputData", S::Pointer}}}, nullptr},
    {"MibDeleteEntry", {{{"InputDataSize", S::Num}, {"InputData", S::Pointer}}}, nullptr},
    {"MibGetEntry",
     {{{"InputDataSize", S::Num}, {"InputData", S::Pointer}, {"OutputDataSize", S::Num},
       {"OutputData", S::Pointer}}},
     nullptr},
    {"MibSetEntry", {{{"InputDataSize", S::Num}, {"InputData", S::Pointer}}}, nullptr},
    {"MibGetFirstEntry",
     {{{"InputDataSize", S::Num}, {"InputData", S::Pointer}, {"OutputDataSize", S::Num},
       {"OutputData", S::Pointer}}},
     nullptr},
    {"MibGetNextEntry",
     {{{"InputDataSize", S::Num}, {"InputData", S::Pointer}, {"OutputDataSize", S::Num},
       {"OutputData", S::Pointer}}},
     nullptr},
    {"MibSetTrapInfo",
     {{{"Event", S::Pointer}, {"InputDataSize", S::Num}, {"InputData", S::Pointer},
       {"OutputDataSize", S::Num}, {"OutputData", S::Pointer}}},
     nullptr},
    {"MibGetTrapInfo",
     {{{"InputDataSize", S::Num}, {"InputData", S::Pointer}, {"OutputDataSize", S::Num},
       {"OutputData", S::Pointer}}},
     nullptr},
};

const EntrySpec& Spec(uint16_t code) {
  return code < kEntryPointCount ? kEntries[code] : kEntries[0];
}

const char* const kEvents[] = {"ROUTER_STOPPED", "SAVE_GLOBAL_CONFIG_INFO",
                               "SAVE_INTERFACE_CONFIG_INFO", "UPDATE_COMPLETE"};
const char* const kHostEvents[] = {"?", "started", "lost", "watchdog-kill", "planned-restart",
                                   "gave-up", "stopped"};

template <size_t N>
std::string Named(const char* const (&names)[N], uint64_t v) {
  return v < N ? names[v] : std::to_string(v);
}

// Microsoft's names of InterfaceStatus's StatusType and of NET_INTERFACE_TYPE: the wire
// catalogue's (schema.h), whose numbers interfaces.cc checks against the headers.
template <size_t N>
std::string Named(const wire::EnumValue (&values)[N], uint64_t v) {
  for (const wire::EnumValue& e : values)
    if (e.value == v) return e.name;
  return std::to_string(v);
}

std::string EventName(uint64_t e) { return Named(kEvents, e); }

std::string Pointer(uint64_t p) {
  if (!p) return "NULL";
  char b[24];
  std::snprintf(b, sizeof b, "0x%" PRIx64, p);
  return b;
}

// An argument as text, and whether it is a JSON string (else a number or a boolean).
std::string ArgText(Show show, uint64_t v, bool& quoted) {
  quoted = true;
  switch (show) {
    case Show::Num: quoted = false; return std::to_string(v);
    case Show::Pointer: return Pointer(v);
    case Show::Bool: return v ? "TRUE" : "FALSE";
    case Show::StatusType: return Named(wire::kInterfaceStatusTypeValues, v);
    case Show::InterfaceType: return Named(wire::kInterfaceTypeValues, v);
    case Show::Event: return EventName(v);
  }
  return std::to_string(v);
}

const char* KindName(TraceKind k) {
  switch (k) {
    case TraceKind::Call: return "call";
    case TraceKind::MessageOut:
    case TraceKind::MessageIn: return "message";
    case TraceKind::EventQueued:
    case TraceKind::EventDrained: return "event";
    case TraceKind::Host: return "host";
  }
  return "?";
}

std::string MessageName(uint16_t code) {
  const wire::MessageSpec* spec = wire::FindSpec(static_cast<wire::MsgType>(code));
  return spec ? spec->name : "type " + std::to_string(code);
}

// The fields of a message the record kept: the first kTraceArgs in schema order, each by its
// schema name (a list by its length, a blob or text by its size).
template <typename Each>
void MessageFields(const TraceRecord& r, Each each) {
  const wire::MessageSpec* spec = wire::FindSpec(static_cast<wire::MsgType>(r.code));
  if (!spec) return;
  const bool reply = r.flags & wire::kFlagReply;
  if (reply && r.result != 0) return;  // a failed reply carries no fields
  const wire::FieldList& fields = reply ? spec->reply : spec->request;
  for (size_t i = 0; i < fields.size() && i < kTraceArgs; ++i) each(fields[i], r.args[i]);
}

}  // namespace

const char* EntryPointName(EntryPoint ep) { return Spec(static_cast<uint16_t>(ep)).name; }

std::string InterfaceTypeName(uint32_t type) { return Named(wire::kInterfaceTypeValues, type); }

std::string HostEventName(HostEvent e) { return Named(kHostEvents, static_cast<uint16_t>(e)); }

bool IsFailure(EntryPoint ep, uint32_t result) {
  if (result == NO_ERROR) return false;
  switch (ep) {
    case EntryPoint::GetEventMessage: return result != ERROR_NO_MORE_ITEMS;
    case EntryPoint::StopProtocol: return result != ERROR_PROTOCOL_STOP_PENDING;
    case EntryPoint::GetGlobalInfo:
    case EntryPoint::GetInterfaceInfo:
    case EntryPoint::MibGetEntry:
    case EntryPoint::MibGetTrapInfo: return result != ERROR_INSUFFICIENT_BUFFER;
    case EntryPoint::MibGetFirstEntry:
    case EntryPoint::MibGetNextEntry:
      return result != ERROR_INSUFFICIENT_BUFFER && result != ERROR_NO_MORE_ITEMS;
    default: return true;
  }
}

const char* ErrorName(uint32_t code) {
  switch (code) {
    case 0: return "NO_ERROR";
    case 1: return "ERROR_INVALID_FUNCTION";
    case 5: return "ERROR_ACCESS_DENIED";
    case 6: return "ERROR_INVALID_HANDLE";
    case 8: return "ERROR_NOT_ENOUGH_MEMORY";
    case 13: return "ERROR_INVALID_DATA";
    case 50: return "ERROR_NOT_SUPPORTED";
    case 87: return "ERROR_INVALID_PARAMETER";
    case 122: return "ERROR_INSUFFICIENT_BUFFER";
    case 183: return "ERROR_ALREADY_EXISTS";
    case 234: return "ERROR_MORE_DATA";
    case 259: return "ERROR_NO_MORE_ITEMS";
    case 900: return "ERROR_ROUTER_STOPPED";
    case 902: return "ERROR_UNKNOWN_PROTOCOL_ID";
    case 905: return "ERROR_NO_SUCH_INTERFACE";
    case 906: return "ERROR_INTERFACE_NOT_CONNECTED";
    case 907: return "ERROR_PROTOCOL_STOP_PENDING";
    case 911: return "ERROR_UPDATE_IN_PROGRESS";
    case 1003: return "ERROR_CAN_NOT_COMPLETE";
    case 1168: return "ERROR_NOT_FOUND";
    case 1413: return "ERROR_INVALID_INDEX";
    default: return nullptr;
  }
}

std::string DescribeCode(uint32_t code) {
  const char* name = ErrorName(code);
  return name ? std::string(name) + " (" + std::to_string(code) + ")" : "error " + std::to_string(code);
}

std::string IsoTime(int64_t wallNs) {
  const time_t secs = static_cast<time_t>(wallNs / 1000000000);
  tm t{};
#ifdef _WIN32
  gmtime_s(&t, &secs);
#else
  gmtime_r(&secs, &t);
#endif
  char b[48];
  const size_t n = std::strftime(b, sizeof b, "%Y-%m-%dT%H:%M:%S", &t);
  std::snprintf(b + n, sizeof b - n, ".%06dZ", static_cast<int>((wallNs / 1000) % 1000000));
  return b;
}

void AppendTraceJson(std::string& out, const TraceRecord& r, const TraceRing& ring,
                     const std::string& protocol) {
  json::Writer w(out);
  const int64_t wall = ring.WallNs(r.timeNs);
  w.Open()
      .Num("seq", r.seq)
      .Str("time", IsoTime(wall))
      .Real("ts", static_cast<double>(wall) / 1000.0)  // microseconds, for timelines
      .Str("protocol", protocol)
      .Num("thread", r.thread)
      .Str("kind", KindName(r.kind));
  switch (r.kind) {
    case TraceKind::Call: {
      const EntrySpec& spec = Spec(r.code);
      w.Str("name", spec.name).Object("args");
      for (size_t i = 0; i < kTraceArgs && spec.args[i].name; ++i) {
        bool quoted;
        const std::string v = ArgText((r.flags >> i) & 1 ? Show::Pointer : spec.args[i].show, r.args[i], quoted);
        w.Key(spec.args[i].name);
        if (quoted) w.Str(v);
        else w.Num(r.args[i]);
      }
      if (spec.textName && r.text[0]) w.Str(spec.textName, r.text);
      w.Close().Num("result", r.result);
      if (const char* name = ErrorName(r.result)) w.Str("resultName", name);
      w.Real("durationUs", static_cast<double>(r.durationNs) / 1000.0);
      break;
    }
    case TraceKind::MessageOut:
    case TraceKind::MessageIn: {
      const bool reply = r.flags & wire::kFlagReply;
      w.Str("direction", r.kind == TraceKind::MessageOut ? "to-host" : "from-host")
          .Str("type", MessageName(r.code))
          .Num("id", r.id)
          .Bool("reply", reply);
      if (reply) {
        w.Num("status", r.result);
        if (r.result != 0) w.Str("error", r.text);
      }
      w.Object("fields");
      bool texted = false;  // the record keeps one text: the first text field's
      MessageFields(r, [&](const wire::FieldSpec& f, uint64_t v) {
        if (f.kind == wire::Kind::U32 || f.kind == wire::Kind::U64) w.Num(f.name, v);
        else if (f.kind == wire::Kind::List) w.Str(f.name, "[" + std::to_string(v) + " items]");
        else if (f.kind == wire::Kind::Blob) w.Str(f.name, "<" + std::to_string(v) + " bytes>");
        else w.Str(f.name, texted ? "<" + std::to_string(v) + " characters>" : std::string(r.text));
        texted = texted || f.kind == wire::Kind::Text || f.kind == wire::Kind::Utf16;
      });
      w.Close();
      break;
    }
    case TraceKind::EventQueued:
    case TraceKind::EventDrained:
      w.Str("action", r.kind == TraceKind::EventQueued ? "queued" : "drained")
          .Str("event", EventName(r.code));
      if (r.code == UPDATE_COMPLETE) {
        w.Num("interfaceIndex", r.args[0]).Num("updateType", r.args[1]).Num("updateStatus", r.args[2]);
        if (const char* name = ErrorName(static_cast<uint32_t>(r.args[2]))) w.Str("updateStatusName", name);
      } else if (r.code == SAVE_INTERFACE_CONFIG_INFO) {
        w.Num("interfaceIndex", r.args[0]);
      }
      break;
    case TraceKind::Host:
      w.Str("event", Named(kHostEvents, r.code)).Num("generation", r.id).Num("pid", r.result);
      if (r.text[0]) w.Str("reason", r.text);
      break;
  }
  w.Close();
}

std::string TraceText(const TraceRecord& r, const TraceRing& ring) {
  const std::string iso = IsoTime(ring.WallNs(r.timeNs));
  std::string line = iso.substr(11, 15) + " [tid " + std::to_string(r.thread) + "] ";
  switch (r.kind) {
    case TraceKind::Call: {
      const EntrySpec& spec = Spec(r.code);
      line += spec.name;
      line += '(';
      for (size_t i = 0; i < kTraceArgs && spec.args[i].name; ++i) {
        bool quoted;
        if (i) line += ", ";
        line += std::string(spec.args[i].name) + "=" +
                ArgText((r.flags >> i) & 1 ? Show::Pointer : spec.args[i].show, r.args[i], quoted);
      }
      if (spec.textName && r.text[0]) line += std::string(", ") + spec.textName + "=\"" + r.text + "\"";
      char dur[32];
      std::snprintf(dur, sizeof dur, "%.1f", static_cast<double>(r.durationNs) / 1000.0);
      line += ") = " + DescribeCode(r.result) + " in " + dur + " us";
      break;
    }
    case TraceKind::MessageOut:
    case TraceKind::MessageIn: {
      const bool reply = r.flags & wire::kFlagReply;
      line += std::string(r.kind == TraceKind::MessageOut ? "-> host " : "<- host ") + MessageName(r.code) +
              (reply ? " reply" : "") + " #" + std::to_string(r.id);
      if (reply) line += " status " + std::to_string(r.result) + (r.result ? std::string(" \"") + r.text + "\"" : "");
      bool texted = false;  // the record keeps one text: the first text field's
      MessageFields(r, [&](const wire::FieldSpec& f, uint64_t v) {
        if (f.kind == wire::Kind::U32 || f.kind == wire::Kind::U64) line += std::string(" ") + f.name + "=" + std::to_string(v);
        else if (f.kind == wire::Kind::List) line += std::string(" ") + f.name + "=[" + std::to_string(v) + "]";
        else if (f.kind != wire::Kind::Blob && !texted) line += std::string(" ") + f.name + "=\"" + r.text + "\"";
        texted = texted || f.kind == wire::Kind::Text || f.kind == wire::Kind::Utf16;
      });
      break;
    }
    case TraceKind::EventQueued:
    case TraceKind::EventDrained:
      line += std::string(r.kind == TraceKind::EventQueued ? "event queued " : "event drained ") + EventName(r.code);
      if (r.code == UPDATE_COMPLETE)
        line += " {InterfaceIndex=" + std::to_string(r.args[0]) + ", UpdateStatus=" +
                DescribeCode(static_cast<uint32_t>(r.args[2])) + "}";
      break;
    case TraceKind::Host:
      line += "host " + Named(kHostEvents, r.code) + " (generation " + std::to_string(r.id) + ", pid " +
              std::to_string(r.result) + ")" + (r.text[0] ? std::string(": ") + r.text : "");
      break;
  }
  return line;
}

}  // namespace rrasbridge
