#pragma once

#include <string>

#include <CLI/CLI.hpp>

namespace jobsched::app {

// A completion script for `shell` (bash, zsh or fish) for every subcommand
// and flag of `cli`, generated from the CLI11 definitions so it never falls
// behind them. Values are completed for -o/--output (the formats) and for
// `completion` (the shells). zsh's uses bash's through bashcompinit.
// Install: `source <(jobsched completion bash)` in ~/.bashrc; zsh likewise
// in ~/.zshrc; `jobsched completion fish | source` in fish's config.
std::string CompletionScript(const CLI::App& cli, const std::string& shell);

}  // namespace jobsched::app
