#include "store/alert_store.hpp"

#include "core/enum_names.hpp"

namespace jobsched::store {
namespace {

constexpr core::EnumNames<AlertDelivery, 4> kDeliveries{{{AlertDelivery::kPending, "pending"},
                                                         {AlertDelivery::kSending, "sending"},
                                                         {AlertDelivery::kSent, "sent"},
                                                         {AlertDelivery::kFailed, "failed"}}};

}  // namespace

std::string_view ToString(AlertDelivery delivery) { return core::NameOf(kDeliveries, delivery); }

std::optional<AlertDelivery> ParseAlertDelivery(std::string_view text) { return core::ValueOf(kDeliveries, text); }

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
