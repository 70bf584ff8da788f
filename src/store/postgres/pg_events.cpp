#include "store/postgres/pg_events.hpp"

#include <charconv>
#include <utility>

#include "store/postgres/pg_listener.hpp"

namespace jobsched::store::postgres {
namespace {

using Action = StoreChange::Action;

// Below PostgreSQL's 8000 bytes, with room for one more event.
constexpr std::size_t kMaxPayload = 7600;

char ActionLetter(Action action) {
  switch (action) {
    case Action::kCreated: return 'c';
    case Action::kDeleted: return 'd';
    case Action::kQueued: return 'q';
    case Action::kStarted: return 's';
    case Action::kFinished: return 'f';
    case Action::kUpdated: return 'u';
  }
  return 'u';
}

std::optional<Action> ActionOf(char letter) {
  switch (letter) {
    case 'c': return Action::kCreated;
    case 'd': return Action::kDeleted;
    case 'q': return Action::kQueued;
    case 's': return Action::kStarted;
    case 'f': return Action::kFinished;
    case 'u': return Action::kUpdated;
    default: return std::nullopt;
  }
}

std::optional<std::int64_t> Number(std::string_view text) {
  std::int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// The fields of one event, split at ','.
std::vector<std::string_view> Fields(std::string_view event) {
  std::vector<std::string_view> fields;
  while (true) {
    const std::size_t comma = event.find(',');
    fields.push_back(event.substr(0, comma));
    if (comma == std::string_view::npos) return fields;
    event.remove_prefix(comma + 1);
  }
}

std::optional<StoreChange> DecodeEvent(std::string_view event) {
  if (event.size() < 2) return std::nullopt;
  const auto action = ActionOf(event[1]);
  const std::vector<std::string_view> fields = Fields(event.substr(2));
  if (!action || fields.empty() || !fields[0].empty()) return std::nullopt;  // "Jc,..." splits to "", ...
  if (event[0] == 'J' && fields.size() == 3) {
    const auto job = Number(fields[1]);
    if (!job) return std::nullopt;
    return StoreChange::Job(*action, *job, std::string(fields[2]));
  }
  if (event[0] == 'R' && fields.size() == 4) {
    const auto run = Number(fields[1]);
    const auto job = Number(fields[2]);
    if (!run || !job) return std::nullopt;
    return StoreChange::Run(*action, *run, *job, std::string(fields[3]));
  }
  return std::nullopt;
}

}  // namespace

std::vector<std::string> EncodeEvents(const std::vector<StoreChange>& changes) {
  std::vector<std::string> payloads;
  std::string payload;
  for (const StoreChange& change : changes) {
    std::string event;
    if (change.kind == StoreChange::Kind::kJob) {
      event = std::string("J") + ActionLetter(change.action) + "," + std::to_string(change.job_id) + "," +
              change.namespace_name;
    } else if (change.kind == StoreChange::Kind::kRun) {
      event = std::string("R") + ActionLetter(change.action) + "," + std::to_string(change.run_id) + "," +
              std::to_string(change.job_id) + "," + change.state;
    } else {
      continue;
    }
    if (!payload.empty() && payload.size() + 1 + event.size() > kMaxPayload) {
      payloads.push_back(std::move(payload));
      payload.clear();
    }
    if (!payload.empty()) payload += ';';
    payload += event;
  }
  if (!payload.empty()) payloads.push_back(std::move(payload));
  return payloads;
}

std::vector<StoreChange> DecodeEvents(std::string_view payload) {
  std::vector<StoreChange> changes;
  while (!payload.empty()) {
    const std::size_t end = payload.find(';');
    if (auto change = DecodeEvent(payload.substr(0, end))) changes.push_back(std::move(*change));
    if (end == std::string_view::npos) break;
    payload.remove_prefix(end + 1);
  }
  return changes;
}

core::Result<void> NotifyEvents(PgConnection& db, const std::vector<StoreChange>& changes) {
  for (const std::string& payload : EncodeEvents(changes)) {
    if (auto sent = Notify(db, kEventsChannel, payload); !sent) return sent;
  }
  return core::Ok();
}

}  // namespace jobsched::store::postgres
