#pragma once

#include <string>
#include <string_view>

namespace jobsched::app {

// What a redacted secret is shown as.
inline constexpr std::string_view kRedacted = "REDACTED";

// Whether `name` (a setting key, URL query parameter or DSN keyword) says it
// holds a secret: it contains "password", "passwd", "secret", "token",
// "credential" or "api_key"/"apikey", in any case.
bool IsSecretName(std::string_view name);

// `text` with the secrets it may carry replaced by kRedacted, for logs and
// `config check`:
//  - a URL's userinfo password: "postgresql://app:pw@db/jobs" becomes
//    "postgresql://app:REDACTED@db/jobs" (the user name stays; it is no secret);
//  - the value of a query parameter with a secret name: "?password=pw";
//  - in text that is not a URL, the value of a `key=value` word with a secret
//    name, as in a PostgreSQL keyword DSN: "host=db password=pw".
// Anything else comes back unchanged.
std::string RedactSecrets(std::string_view text);

}  // namespace jobsched::app
