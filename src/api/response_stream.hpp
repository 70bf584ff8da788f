#pragma once

#include <chrono>
#include <functional>
#include <string>

namespace jobsched::api {

// A response body produced while it is sent (Server-Sent Events), rather
// than all at once. The HTTP server writes the response's headers, then
// loops: waits until the stream wakes it (or idle_interval passes, when it
// sends IdleChunk() instead), Read()s what is ready and writes it, until
// Read says the stream ended or the client goes away; then it calls Close().
// Implementations are thread-safe: wake-ups come from any thread.
class ResponseStream {
 public:
  virtual ~ResponseStream() = default;

  // Called once, before the first Read, with what to call (from any thread,
  // any number of times) when Read has something new. The server's function
  // stays valid until Close() returns.
  virtual void SetWake(std::function<void()> wake) = 0;
  // Appends what is ready to `out`. False once the stream has ended: what
  // was appended is the last of it.
  virtual bool Read(std::string& out) = 0;
  // What to send after idle_interval() without anything to read, so that
  // proxies and clients do not take a quiet stream for a dead one.
  virtual std::string IdleChunk() = 0;
  virtual std::chrono::milliseconds idle_interval() const = 0;
  // The client went away or the server is stopping: after this returns,
  // the stream calls the wake function no more.
  virtual void Close() = 0;
};

}  // namespace jobsched::api
