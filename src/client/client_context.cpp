#include "client/client_context.hpp"

#include "client/exit_code.hpp"

namespace jobsched::client {

void ClientContext::Print(const boost::json::value& value, Resource resource) const {
  const std::string text = Render(value, resource, format, style);
  std::fputs(text.c_str(), out);
}

int ClientContext::Fail(const core::Error& error) const {
  std::fprintf(err, "jobsched: %s\n", error.message.c_str());
  return ExitCodeFor(error);
}

void ClientContext::Say(const std::string& line) const { std::fprintf(err, "%s\n", line.c_str()); }

std::string ChangeTarget(const ClientContext& context, const std::string& path) {
  return context.dry_run ? path + (path.find('?') == std::string::npos ? "?" : "&") + "dry_run=true" : path;
}

}  // namespace jobsched::client
