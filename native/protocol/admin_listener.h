// Where administrators reach the library: the operating system's side of the admin endpoint.
//
// POSIX: a Unix socket <directory>/<pid>.sock in a directory that must be a real directory
// owned by this process's user with no access for group or others (created 0700 if missing;
// /run/rras-bridge when RRAS runs as root). A second copy of the library in the same process
// takes <pid>-2.sock, and so on. A client is admitted when SO_PEERCRED says it runs as root
// or as this process's user; the directory already keeps everybody else out.
// Windows: the named pipe \\.\pipe\rras-bridge-admin-<pid> (then -<pid>-2, ...), created
// first-instance-only, PIPE_REJECT_REMOTE_CLIENTS, with a DACL that admits SYSTEM and the
// Administrators group and nobody else.
//
// Used by one thread (the endpoint's), except Wake, which any thread may call.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "../common/stream.h"

namespace rrasbridge {

// Who connected.
struct AdminClient {
  uint32_t pid = 0;
  uint32_t uid = 0;     // POSIX
  bool admitted = false;
  std::string refusal;  // why not, when not admitted
};

// The run directory a library and the CLI agree on, when the configuration names none: the
// environment's RRAS_BRIDGE_RUN_DIR; else /run/rras-bridge for root; else
// $XDG_RUNTIME_DIR/rras-bridge, or /tmp/rras-bridge-<uid>. (POSIX; empty on Windows.)
std::string DefaultAdminDirectory();

class AdminListener {
 public:
  AdminListener();
  AdminListener(const AdminListener&) = delete;
  AdminListener& operator=(const AdminListener&) = delete;
  ~AdminListener();  // closes; POSIX: removes the socket

  // directory: POSIX only (see above).
  bool Open(const std::string& directory, std::string& err);
  const std::string& address() const { return address_; }

  enum class Event { Accepted, Woken, TimedOut, Failed };
  // Waits up to timeoutMs (-1: no limit) for a client or a Wake. Accepted: the connection (not
  // blocking, like Peer wants it) and who it is, admitted or not.
  Event Next(int timeoutMs, Stream& out, AdminClient& who, std::string& err);
  void Wake();

 private:
  struct Os;  // the platform's handles
  std::unique_ptr<Os> os_;
  std::string address_;
};

}  // namespace rrasbridge
