#include "store/alert_store.hpp"

#include <array>
#include <utility>

namespace jobsched::store {
namespace {

constexpr std::array<std::pair<AlertDelivery, std::string_view>, 4> kDeliveries{{
    {AlertDelivery::kPending, "pending"},
    {AlertDelivery::kSending, "sending"},
    {AlertDelivery::kSent, "sent"},
    {AlertDelivery::kFailed, "failed"},
}};

}  // namespace

std::string_view ToString(AlertDelivery delivery) {
  for (const auto& [value, name] : kDeliveries) {
    if (value == delivery) return name;
  }
  return "unknown";
}

std::optional<AlertDelivery> ParseAlertDelivery(std::string_view text) {
  for (const auto& [value, name] : kDeliveries) {
    if (name == text) return value;
  }
  return std::nullopt;
}

void RaisedAlertRelay::Set(Observer observer) {
  core::MutexLock lock(mutex_);
  observer_ = std::move(observer);
}

void RaisedAlertRelay::Report(const std::vector<RaisedAlert>& raised) const {
  if (raised.empty()) return;
  core::MutexLock lock(mutex_);
  if (observer_) observer_(raised);
}

}  // namespace jobsched::store
