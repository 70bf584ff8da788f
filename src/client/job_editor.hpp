#pragma once

// `jobsched job edit REF`: the job as YAML in $VISUAL/$EDITOR (as `kubectl
// edit` does); what was changed goes back as a merge patch with If-Match,
// so a change someone made meanwhile is reported (412), never overwritten.

#include <string>

#include <boost/json/value.hpp>

#include "client/client_context.hpp"
#include "core/result.hpp"

namespace jobsched::client {

// The members of `job` (as the API shows it) a person may edit: those a
// file may give but the namespace (jobs do not move), and none that is null.
boost::json::object EditableMembers(const boost::json::object& job);

// The text the editor opens: a comment saying what is edited and what is
// read-only, then EditableMembers as YAML.
std::string EditorText(const boost::json::object& job);

// The merge patch from `before` (EditableMembers) to `after` (the edited
// YAML document): changed members set, removed ones null (only task,
// timezone, start_at, end_at and retry may go), and any schedule change
// carrying the whole edited schedule. Fails with kInvalidArgument naming the
// member for an unknown one, a removed one that cannot go, or a document
// that is not a mapping.
core::Result<boost::json::object> EditPatch(const boost::json::object& before, const boost::json::value& after);

// Runs the edit of job `ref` with `editor` (a shell command; the file's path
// is appended). Answers the exit status.
int EditJob(const ClientContext& context, const std::string& ref, const std::string& editor);

}  // namespace jobsched::client
