#include "app/completion.hpp"

#include <vector>

namespace jobsched::app {
namespace {

// One command of the tree: its path of subcommand names ("job list"), its
// subcommands and its flags.
struct Node {
  std::string path;
  std::vector<std::string> subcommands;
  std::vector<std::string> flags;
};

void Collect(const CLI::App& app, const std::string& path, std::vector<Node>& nodes) {
  Node node{path, {}, {}};
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
    node.subcommands.push_back(sub->get_name());
  }
  for (const CLI::Option* option : app.get_options()) {
    for (const std::string& name : option->get_lnames()) node.flags.push_back("--" + name);
    for (const std::string& name : option->get_snames()) node.flags.push_back("-" + name);
  }
  nodes.push_back(node);
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
    Collect(*sub, path.empty() ? sub->get_name() : path + " " + sub->get_name(), nodes);
  }
}

std::string Join(const std::vector<std::string>& words) {
  std::string out;
  for (const std::string& word : words) out += (out.empty() ? "" : " ") + word;
  return out;
}

std::string BashScript(const std::vector<Node>& nodes) {
  std::string paths;
  std::string cases;
  for (const Node& node : nodes) {
    if (!node.path.empty()) paths += (paths.empty() ? "" : "|") + std::string("\" ") + node.path + "\"";
    std::vector<std::string> words = node.subcommands;
    words.insert(words.end(), node.flags.begin(), node.flags.end());
    cases += "    \"" + (node.path.empty() ? std::string() : " " + node.path) + "\") words=\"" + Join(words) + "\";;\n";
  }
  return "# bash completion for jobsched: source <(jobsched completion bash)\n"
         "_jobsched() {\n"
         "  local cur=\"${COMP_WORDS[COMP_CWORD]}\" prev=\"${COMP_WORDS[COMP_CWORD-1]}\" path=\"\" words=\"\" i\n"
         "  case \"$prev\" in\n"
         "    -o|--output) COMPREPLY=($(compgen -W \"table json jsonl yaml name\" -- \"$cur\")); return;;\n"
         "  esac\n"
         "  for ((i = 1; i < COMP_CWORD; i++)); do\n"
         "    case \"$path ${COMP_WORDS[i]}\" in\n"
         "      " +
         paths +
         ") path=\"$path ${COMP_WORDS[i]}\";;\n"
         "    esac\n"
         "  done\n"
         "  case \"$path\" in\n" +
         cases +
         "  esac\n"
         "  if [[ \"$path\" == \" completion\" ]]; then words=\"bash zsh fish\"; fi\n"
         "  COMPREPLY=($(compgen -W \"$words\" -- \"$cur\"))\n"
         "}\n"
         "complete -o default -F _jobsched jobsched\n";
}

std::string FishScript(const std::vector<Node>& nodes) {
  std::string out = "# fish completion for jobsched: jobsched completion fish | source\ncomplete -c jobsched -f\n";
  for (const Node& node : nodes) {
    // The words of this node's path were all seen, and none of its children.
    std::string condition = node.path.empty() ? "__fish_use_subcommand" : "";
    std::size_t start = 0;
    while (!node.path.empty() && start <= node.path.size()) {
      const std::size_t end = std::min(node.path.find(' ', start), node.path.size());
      condition += (condition.empty() ? "" : "; and ") + std::string("__fish_seen_subcommand_from ") +
                   node.path.substr(start, end - start);
      start = end + 1;
    }
    if (!node.path.empty() && !node.subcommands.empty()) {
      condition += "; and not __fish_seen_subcommand_from " + Join(node.subcommands);
    }
    if (!node.subcommands.empty()) {
      out += "complete -c jobsched -n '" + condition + "' -a '" + Join(node.subcommands) + "'\n";
    }
    for (const std::string& flag : node.flags) {
      const bool is_long = flag.rfind("--", 0) == 0;
      out += "complete -c jobsched -n '" + condition + "' " +
             (is_long ? "-l " + flag.substr(2) : "-s " + flag.substr(1)) + "\n";
    }
  }
  out += "complete -c jobsched -n '__fish_seen_subcommand_from completion' -a 'bash zsh fish'\n";
  out += "complete -c jobsched -l output -s o -x -a 'table json jsonl yaml name'\n";
  return out;
}

}  // namespace

std::string CompletionScript(const CLI::App& cli, const std::string& shell) {
  std::vector<Node> nodes;
  Collect(cli, "", nodes);
  if (shell == "fish") return FishScript(nodes);
  if (shell == "zsh") {
    return "#compdef jobsched\n# zsh completion for jobsched: source <(jobsched completion zsh)\n"
           "autoload -U +X compinit && compinit\nautoload -U +X bashcompinit && bashcompinit\n" +
           BashScript(nodes);
  }
  return BashScript(nodes);
}

}  // namespace jobsched::app
