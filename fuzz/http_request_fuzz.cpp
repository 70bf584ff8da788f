// One HTTP request through every route of the API (api::Api and its Router),
// against a real SQLite store in a temporary directory; no network. The input
// is the request as text:
//
//   METHOD TARGET
//   Header-Name: value
//   ...
//   <empty line>
//   body
//
// Inputs the HTTP server's parser (Beast) would refuse are skipped: a method
// that is not a token, a target with spaces or control characters, header
// lines without a token name or with control characters in the value.
//
// Each input gets a fresh copy of a prepared database (two jobs, one manual
// run), so a result never depends on earlier inputs and a saved crash
// replays on its own. Every response must come exactly once, carry a
// status between 200 and 599 and not 500 (the store works, so an internal
// error is a bug), and a JSON content type must come with a JSON body.
// With JOBSCHED_FUZZ_PRINT set, each response's status and body are printed,
// to see what a seed reaches: `JOBSCHED_FUZZ_PRINT=1 http_request_fuzz -runs=0 DIR`.
#include <cctype>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <tuple>

#include <boost/json/parse.hpp>

#include "api/api.hpp"
#include "api/http_message.hpp"
#include "core/clock.hpp"
#include "fuzz_check.hpp"
#include "store/sqlite/sqlite_job_store.hpp"
#include "telemetry/metrics.hpp"

namespace {

namespace fs = std::filesystem;
using jobsched::api::HttpRequest;
using jobsched::api::HttpResponse;

class FixedClock final : public jobsched::core::Clock {
 public:
  jobsched::core::TimePoint Now() const override {
    return jobsched::core::FromUnixMs(1796292000000);  // 2026-12-03T10:00:00Z
  }
};

// RFC 9110 tchar: what a method and a header name consist of.
bool IsToken(std::string_view text) {
  if (text.empty()) return false;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (std::isalnum(byte) == 0 && std::string_view("!#$%&'*+-.^_`|~").find(c) == std::string_view::npos) return false;
  }
  return true;
}

bool IsTarget(std::string_view text) {
  if (text.empty()) return false;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte <= 0x20 || byte == 0x7f) return false;
  }
  return true;
}

bool IsFieldValue(std::string_view text) {
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if ((byte < 0x20 && c != '\t') || byte == 0x7f) return false;
  }
  return true;
}

std::string_view NextLine(std::string_view& input) {
  const std::size_t end = input.find('\n');
  std::string_view line = input.substr(0, end);
  input.remove_prefix(end == std::string_view::npos ? input.size() : end + 1);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// The request the input spells, as the HTTP server would hand it to the API
// (see ToHttpRequest in http_server.cpp); nullopt when Beast would refuse it.
std::optional<HttpRequest> ParseRequest(std::string_view input) {
  HttpRequest request;
  const std::string_view request_line = NextLine(input);
  const std::size_t space = request_line.find(' ');
  if (space == std::string_view::npos) return std::nullopt;
  const std::string_view method = request_line.substr(0, space);
  std::string_view target = request_line.substr(space + 1);
  if (const std::size_t version = target.find(' '); version != std::string_view::npos)
    target = target.substr(0, version);
  if (!IsToken(method) || !IsTarget(target)) return std::nullopt;
  request.method = std::string(method);
  request.target = std::string(target);
  const std::size_t question = request.target.find('?');
  request.path = request.target.substr(0, question);
  if (question != std::string::npos) request.query = request.target.substr(question + 1);
  for (std::string_view line = NextLine(input); !line.empty(); line = NextLine(input)) {
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos || !IsToken(line.substr(0, colon))) return std::nullopt;
    const std::string_view value = Trim(line.substr(colon + 1));
    if (!IsFieldValue(value)) return std::nullopt;
    request.headers.emplace_back(std::string(line.substr(0, colon)), std::string(value));
  }
  request.body = std::string(input);
  request.remote_address = "127.0.0.1";
  return request;
}

// Collects the response, however many times and from whichever thread the
// handler answers.
struct Answer {
  std::mutex mutex;
  std::condition_variable arrived;
  int count = 0;
  std::optional<HttpResponse> response;
};

// A database prepared once, copied for every input.
struct Fixture {
  fs::path dir;
  fs::path prepared;
  fs::path database;
};

Fixture* fixture = nullptr;
const FixedClock clock_now;

std::unique_ptr<jobsched::store::sqlite::SqliteJobStore> OpenStore(const fs::path& path) {
  auto store = jobsched::store::sqlite::SqliteJobStore::Open({.path = path.string()});
  FUZZ_CHECK(store.ok(), "the temporary database opens");
  return std::move(*store);
}

HttpResponse Dispatch(const jobsched::api::Api& api, HttpRequest request, Answer& answer) {
  api.Handle(std::move(request), [&answer](HttpResponse response) {
    std::lock_guard lock(answer.mutex);
    ++answer.count;
    answer.response = std::move(response);
    answer.arrived.notify_all();
  });
  std::unique_lock lock(answer.mutex);
  const bool arrived = answer.arrived.wait_for(lock, std::chrono::seconds(10), [&] { return answer.count > 0; });
  FUZZ_CHECK(arrived, "every request is answered (within 10 s)");
  return *answer.response;
}

HttpRequest SetupRequest(std::string method, std::string target, std::string body) {
  HttpRequest request;
  request.method = std::move(method);
  request.target = request.path = std::move(target);
  request.headers.emplace_back("Content-Type", "application/json");
  request.body = std::move(body);
  return request;
}

jobsched::api::ApiOptions Options(jobsched::telemetry::Metrics* metrics) {
  jobsched::api::ApiOptions options;
  options.metrics = metrics;
  options.access_log = false;  // a log line per input would drown libFuzzer's output
  return options;
}

void CopyDatabase(const fs::path& from, const fs::path& to) {
  for (const char* suffix : {"", "-wal", "-shm"}) {
    fs::remove(to.string() + suffix);
    if (fs::exists(from.string() + suffix)) fs::copy_file(from.string() + suffix, to.string() + suffix);
  }
}

void RemoveFixture() {
  std::error_code ignored;
  fs::remove_all(fixture->dir, ignored);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  // tmpfs when there is one: the store syncs every commit.
  const fs::path base = fs::is_directory("/dev/shm") ? fs::path("/dev/shm") : fs::temp_directory_path();
  std::string pattern = (base / "jobsched-fuzz-XXXXXX").string();
  FUZZ_CHECK(mkdtemp(pattern.data()) != nullptr, "a temporary directory can be made");
  fixture = new Fixture{pattern, fs::path(pattern) / "prepared.db", fs::path(pattern) / "input.db"};
  std::atexit(RemoveFixture);

  auto store = OpenStore(fixture->prepared);
  {
    const jobsched::api::Api api(*store, clock_now, Options(nullptr));
    for (auto [method, target, body] : {
             std::tuple{"POST", "/jobs", R"({"name": "Number Crunching", "interval": "weekly"})"},
             std::tuple{"POST", "/jobs", R"({"name": "report", "cron": "30 2 * * *", "timezone": "Europe/Berlin",
                 "task": {"type": "http", "url": "http://127.0.0.1:9/hook"}, "overlap": "allow"})"},
             std::tuple{"POST", "/jobs/2/trigger", ""},
         }) {
      Answer answer;
      const HttpResponse response = Dispatch(api, SetupRequest(method, target, body), answer);
      FUZZ_CHECK(response.status / 100 == 2, "the prepared requests succeed");
    }
  }
  store.reset();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto request = ParseRequest(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!request) return 0;

  CopyDatabase(fixture->prepared, fixture->database);
  auto store = OpenStore(fixture->database);
  Answer answer;
  HttpResponse response;
  {
    // Metrics of this input alone, so that GET /metrics is reached too.
    jobsched::telemetry::Metrics metrics;
    const jobsched::api::Api api(*store, clock_now, Options(&metrics));
    response = Dispatch(api, std::move(*request), answer);
  }
  store.reset();  // finishes every write, and with it every late answer

  if (std::getenv("JOBSCHED_FUZZ_PRINT") != nullptr) {
    std::fprintf(stderr, "%d %.200s\n", response.status, response.body.c_str());
  }
  FUZZ_CHECK(answer.count == 1, "a request is answered exactly once");
  FUZZ_CHECK(response.status >= 200 && response.status <= 599, "the status is a final one");
  FUZZ_CHECK(response.status != 500, "no internal error while the store works");
  const std::string_view content_type = response.Header("Content-Type");
  if (content_type.find("json") != std::string_view::npos && !response.body.empty()) {
    boost::system::error_code error;
    (void)boost::json::parse(response.body, error);
    FUZZ_CHECK(!error, "a JSON content type comes with a JSON body");
  }
  return 0;
}
