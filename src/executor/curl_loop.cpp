#include "executor/curl_loop.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <new>
#include <system_error>
#include <utility>

#include <curl/curl.h>

namespace jobsched::executor {
namespace {

CURLM* Multi(void* multi) { return static_cast<CURLM*>(multi); }

// curl_global_init is not thread-safe in every libcurl build, and cleaning
// it up while another loop might still run is worse: initialise once per
// process and never clean up.
CURLcode GlobalInit() {
  static const CURLcode result = curl_global_init(CURL_GLOBAL_DEFAULT);
  return result;
}

// Long enough to cost nothing while idle; Submit, Cancel and shutdown wake the
// loop through curl_multi_wakeup, and curl shortens the wait itself when a
// transfer's timer is due sooner.
constexpr int kIdlePollMs = 10'000;

}  // namespace

core::Result<std::unique_ptr<CurlLoop>> CurlLoop::Create() {
  if (const CURLcode init = GlobalInit(); init != CURLE_OK) {
    return core::Error::Internal(std::string("curl_global_init failed: ") + curl_easy_strerror(init));
  }
  CURLM* multi = curl_multi_init();
  if (multi == nullptr) return core::Error::Internal("curl_multi_init failed");
  std::unique_ptr<CurlLoop> loop(new CurlLoop(multi));
  try {
    loop->thread_ = std::thread([raw = loop.get()] { raw->Run(); });
  } catch (const std::system_error& error) {
    return core::Error::Internal(std::string("cannot start the curl thread: ") + error.what());
  }
  return loop;
}

CurlLoop::CurlLoop(void* multi) : multi_(multi) {}

CurlLoop::~CurlLoop() {
  {
    core::MutexLock lock(mutex_);
    stopping_ = true;
  }
  if (thread_.joinable()) {
    curl_multi_wakeup(Multi(multi_));
    thread_.join();
  }
  curl_multi_cleanup(Multi(multi_));
}

CurlLoop::TransferId CurlLoop::Submit(void* easy, CompletionCallback on_done, std::stop_token stop) {
  TransferId id = 0;
  bool stopping = false;
  try {
    // Everything that can throw happens before `on_done` is moved, so that on
    // bad_alloc it is still here to report the failure.
    auto error_buffer = std::make_unique<char[]>(CURL_ERROR_SIZE);
    error_buffer[0] = '\0';
    core::MutexLock lock(mutex_);
    stopping = stopping_;
    if (!stopping) {
      if (submissions_.size() == submissions_.capacity()) {
        submissions_.reserve(std::max<std::size_t>(16, 2 * submissions_.capacity()));
      }
      id = next_id_++;
      ++active_count_;
      submissions_.push_back(
          Submission{id, Transfer{easy, std::move(on_done), std::move(error_buffer), std::move(stop), nullptr}});
    }
  } catch (const std::bad_alloc&) {
    id = 0;
  }
  if (id == 0) {
    // Shutting down, or out of memory: nothing will ever run this transfer.
    const CurlCompletion completion{easy, stopping ? CURLE_ABORTED_BY_CALLBACK : CURLE_OUT_OF_MEMORY,
                                    stopping ? "cancelled: shutting down" : "out of memory", stopping};
    // Not moved from: the Submission that takes it was never made (id 0).
    // NOLINTNEXTLINE(bugprone-use-after-move)
    on_done(completion);
    curl_easy_cleanup(static_cast<CURL*>(easy));
    return 0;
  }
  curl_multi_wakeup(Multi(multi_));
  return id;
}

void CurlLoop::Cancel(TransferId id) {
  {
    core::MutexLock lock(mutex_);
    if (stopping_) return;  // shutdown cancels everything anyway
    cancels_.push_back(id);
  }
  curl_multi_wakeup(Multi(multi_));
}

std::size_t CurlLoop::ActiveTransfers() const {
  core::MutexLock lock(mutex_);
  return active_count_;
}

void CurlLoop::Run() {
  for (;;) {
    std::vector<Submission> submissions;
    std::vector<TransferId> cancels;
    bool stopping = false;
    {
      core::MutexLock lock(mutex_);
      submissions.swap(submissions_);
      cancels.swap(cancels_);
      stopping = stopping_;
    }
    // Additions first: a Cancel() always follows its Submit(), possibly in the
    // same batch, and must find the transfer running.
    AddSubmissions(submissions);
    CancelTransfers(cancels);
    if (stopping) break;

    int still_running = 0;
    curl_multi_perform(Multi(multi_), &still_running);
    CollectFinished();
    curl_multi_poll(Multi(multi_), nullptr, 0, kIdlePollMs, nullptr);
  }
  CompleteAll();
}

void CurlLoop::AddSubmissions(std::vector<Submission>& submissions) {
  for (Submission& submission : submissions) {
    CURL* easy = static_cast<CURL*>(submission.transfer.easy);
    curl_easy_setopt(easy, CURLOPT_PRIVATE, reinterpret_cast<void*>(static_cast<std::uintptr_t>(submission.id)));
    curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, submission.transfer.error_buffer.get());
    const CURLMcode added = curl_multi_add_handle(Multi(multi_), easy);
    auto [entry, inserted] = running_.emplace(submission.id, std::move(submission.transfer));
    if (added != CURLM_OK) {
      // Never added, so Complete's curl_multi_remove_handle is a harmless no-op.
      std::snprintf(entry->second.error_buffer.get(), CURL_ERROR_SIZE, "curl_multi_add_handle: %s",
                    curl_multi_strerror(added));
      Complete(submission.id, CURLE_FAILED_INIT, false);
      continue;
    }
    // Registered here rather than in Submit(), so that the transfer is already
    // in running_ when the callback fires (at once, if stop was requested
    // before): the Cancel() it queues is then sure to find it.
    if (entry->second.stop.stop_possible()) {
      entry->second.on_stop = std::make_unique<StopCallback>(
          entry->second.stop, std::function<void()>([this, id = submission.id] { Cancel(id); }));
    }
  }
}

void CurlLoop::CancelTransfers(const std::vector<TransferId>& ids) {
  for (const TransferId id : ids) {
    if (running_.contains(id)) Complete(id, CURLE_ABORTED_BY_CALLBACK, true);
  }
}

void CurlLoop::CollectFinished() {
  int queued = 0;
  while (CURLMsg* message = curl_multi_info_read(Multi(multi_), &queued)) {
    if (message->msg != CURLMSG_DONE) continue;
    void* id_pointer = nullptr;
    curl_easy_getinfo(message->easy_handle, CURLINFO_PRIVATE, &id_pointer);
    const CURLcode code = message->data.result;
    // `message` points into the multi handle and dies with the removal below.
    Complete(static_cast<TransferId>(reinterpret_cast<std::uintptr_t>(id_pointer)), code, false);
  }
}

void CurlLoop::Complete(TransferId id, int code, bool cancelled) {
  auto entry = running_.find(id);
  if (entry == running_.end()) return;
  Transfer transfer = std::move(entry->second);
  running_.erase(entry);
  CURL* easy = static_cast<CURL*>(transfer.easy);
  curl_multi_remove_handle(Multi(multi_), easy);

  CurlCompletion completion{transfer.easy, code, {}, cancelled};
  if (cancelled) {
    completion.error = "cancelled";
  } else if (code != CURLE_OK) {
    completion.error = transfer.error_buffer[0] != '\0' ? transfer.error_buffer.get()
                                                        : curl_easy_strerror(static_cast<CURLcode>(code));
  }
  // Unregister first: once this returns, no Cancel() for this id is in flight.
  transfer.on_stop.reset();
  {
    // Before the callback, so that whoever it wakes sees the count drop.
    core::MutexLock lock(mutex_);
    --active_count_;
  }
  transfer.on_done(completion);
  curl_easy_cleanup(easy);
  transfer.on_done = nullptr;  // only now: its captures may own what the handle pointed to
}

void CurlLoop::CompleteAll() {
  std::vector<Submission> late;
  {
    core::MutexLock lock(mutex_);
    late.swap(submissions_);  // stopping_ is set: no more can arrive
  }
  AddSubmissions(late);
  while (!running_.empty()) Complete(running_.begin()->first, CURLE_ABORTED_BY_CALLBACK, true);
}

}  // namespace jobsched::executor
