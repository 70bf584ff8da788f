#pragma once

#include <cstdint>
#include <memory>

#include "app/config.hpp"
#include "core/result.hpp"

namespace jobsched::app {

// The running service: builds every concrete part from a Config, owns them,
// and tears them down in the right order. The only place that knows every
// concrete class.
class Service {
 public:
  // Opens the database (migrating it), starts the executor, the scheduler
  // and the HTTP server. Fails with
  // the first error met; nothing is left running then.
  static core::Result<std::unique_ptr<Service>> Start(const Config& config);

  Service(const Service&) = delete;
  Service& operator=(const Service&) = delete;
  ~Service();

  // The TCP port the HTTP server listens on (useful with port 0).
  std::uint16_t port() const;

  // Graceful shutdown: stops accepting requests and firing jobs, lets runs in
  // flight finish within the shutdown grace, hands the rest back to the queue.
  void Stop();

 private:
  struct Parts;
  explicit Service(std::unique_ptr<Parts> parts);
  // The stores --db names (SQLite, or PostgreSQL in cluster mode), migrated.
  static core::Result<void> OpenStore(const Config& config, Parts& parts);

  std::unique_ptr<Parts> parts_;
};

}  // namespace jobsched::app
