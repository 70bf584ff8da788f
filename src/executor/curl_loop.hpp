#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <stop_token>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "core/annotated_mutex.hpp"
#include "core/result.hpp"

namespace jobsched::executor {

// How one transfer ended. <curl/curl.h> stays out of this header (it is a
// PRIVATE dependency of jobsched_executor), so handles travel as void*: a
// CURL* is a void* in libcurl's public API.
struct CurlCompletion {
  void* easy = nullptr;    // the CURL*, valid only during the callback (for curl_easy_getinfo)
  int code = 0;            // the CURLcode; 0 is CURLE_OK
  std::string error;       // curl's detailed message when code != 0, empty otherwise
  bool cancelled = false;  // ended by Cancel() or by the loop shutting down; ignore `code`
};

// One thread driving a libcurl multi handle: many HTTP and SMTP transfers run
// concurrently on it without a thread each. Per-transfer timeouts are the
// caller's CURLOPT_TIMEOUT_MS.
class CurlLoop {
 public:
  using TransferId = std::uint64_t;
  // Runs on the loop's thread, so it must be quick and must not throw.
  using CompletionCallback = std::function<void(const CurlCompletion&)>;

  // Initialises libcurl (once per process) and starts the loop's thread.
  // Fails with kInternal when libcurl or the thread cannot be set up.
  static core::Result<std::unique_ptr<CurlLoop>> Create();

  CurlLoop(const CurlLoop&) = delete;
  CurlLoop& operator=(const CurlLoop&) = delete;
  // Cancels every transfer still running (their callbacks run, with
  // `cancelled`, before this returns) and joins the thread. Must not be called
  // from a completion callback.
  ~CurlLoop();

  // Takes ownership of `easy`, a CURL* from curl_easy_init() configured by the
  // caller, and runs it. The loop sets CURLOPT_PRIVATE and CURLOPT_ERRORBUFFER,
  // so callers must not. `on_done` runs exactly once on the loop's thread;
  // afterwards the loop cleans up the handle and only then destroys `on_done`,
  // so header lists and buffers the handle points to can live in its captures.
  // Requesting `stop` cancels the transfer like Cancel(). After shutdown has
  // begun, `on_done` runs at once, on the caller's thread, with `cancelled`.
  // Thread-safe.
  TransferId Submit(void* easy, CompletionCallback on_done, std::stop_token stop = {}) EXCLUDES(mutex_);

  // Ends the transfer early; its callback runs with `cancelled`. Does nothing
  // when it has already finished. Thread-safe; safe from a callback.
  void Cancel(TransferId id) EXCLUDES(mutex_);

  // Transfers submitted and not yet completed. Thread-safe.
  std::size_t ActiveTransfers() const EXCLUDES(mutex_);

 private:
  using StopCallback = std::stop_callback<std::function<void()>>;
  struct Transfer {
    void* easy = nullptr;
    CompletionCallback on_done;
    std::unique_ptr<char[]> error_buffer;  // CURLOPT_ERRORBUFFER, CURL_ERROR_SIZE bytes
    std::stop_token stop;
    std::unique_ptr<StopCallback> on_stop;  // made on the loop thread, once the transfer runs
  };
  struct Submission {
    TransferId id = 0;
    Transfer transfer;
  };

  explicit CurlLoop(void* multi);
  void Run() EXCLUDES(mutex_);
  void AddSubmissions(std::vector<Submission>& submissions);
  void CancelTransfers(const std::vector<TransferId>& ids);
  void CollectFinished();
  // Removes the transfer from the multi handle, runs its callback, cleans up.
  void Complete(TransferId id, int code, bool cancelled) EXCLUDES(mutex_);
  void CompleteAll() EXCLUDES(mutex_);

  void* const multi_;  // CURLM*; used only by the loop's thread after Create()

  mutable core::Mutex mutex_;
  std::vector<Submission> submissions_ GUARDED_BY(mutex_);  // not yet handed to curl
  std::vector<TransferId> cancels_ GUARDED_BY(mutex_);
  TransferId next_id_ GUARDED_BY(mutex_) = 1;
  std::size_t active_count_ GUARDED_BY(mutex_) = 0;
  bool stopping_ GUARDED_BY(mutex_) = false;

  std::unordered_map<TransferId, Transfer> running_;  // loop thread only
  std::thread thread_;
};

}  // namespace jobsched::executor
