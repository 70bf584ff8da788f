#include "testing/smtp_server.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <boost/json.hpp>

#include "testing/http_endpoint.hpp"

extern char** environ;

namespace jobsched::testing {
namespace {

// Debian's interpreter, where python3-aiosmtpd lives; a python3 earlier on
// PATH (pyenv, a venv) usually lacks it.
constexpr const char* kPython = "/usr/bin/python3";
constexpr auto kStartupDeadline = std::chrono::seconds(15);
constexpr auto kStopDeadline = std::chrono::seconds(5);
constexpr int kStartAttempts = 5;

bool AcceptsConnections(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool connected = connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  close(fd);
  return connected;
}

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string String(const boost::json::value& value) {
  return value.is_string() ? std::string(value.as_string()) : std::string();
}

std::vector<std::string> Strings(const boost::json::value& value) {
  std::vector<std::string> out;
  if (!value.is_array()) return out;
  for (const auto& item : value.as_array()) out.push_back(String(item));
  return out;
}

ReceivedEmail ParseRecord(const std::string& json) {
  const boost::json::object record = boost::json::parse(json).as_object();
  ReceivedEmail email;
  email.mail_from = String(record.at("mail_from"));
  email.rcpt_tos = Strings(record.at("rcpt_tos"));
  email.raw = String(record.at("raw"));
  for (const auto& pair : record.at("headers").as_array()) {
    email.headers.emplace_back(String(pair.as_array().at(0)), String(pair.as_array().at(1)));
  }
  email.body = String(record.at("body"));
  email.defects = Strings(record.at("defects"));
  return email;
}

}  // namespace

std::optional<std::string> ReceivedEmail::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    const bool same = std::equal(key.begin(), key.end(), name.begin(), name.end(), [](char a, char b) {
      return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
    });
    if (same) return value;
  }
  return std::nullopt;
}

SmtpServer::SmtpServer(SmtpServerOptions options) : options_(options) {
  std::filesystem::create_directory(directory_.path() / "messages");
  std::string failure;
  // Another process may take the free port between our probe and the
  // server's bind; aiosmtpd then exits and we try another one.
  for (int attempt = 0; attempt < kStartAttempts; ++attempt) {
    if (TryStart(UnusedLoopbackPort(), failure)) return;
  }
  throw std::runtime_error("aiosmtpd did not start: " + failure);
}

SmtpServer::~SmtpServer() { Kill(); }

std::string SmtpServer::Url() const { return "smtp://127.0.0.1:" + std::to_string(port_); }

bool SmtpServer::TryStart(int port, std::string& failure) {
  const std::string log_path = directory_.File("aiosmtpd-" + std::to_string(port) + ".log");
  const std::string listen = "127.0.0.1:" + std::to_string(port);
  const std::string messages = (directory_.path() / "messages").string();
  std::vector<std::string> arguments{kPython, JOBSCHED_TESTING_DIR "/smtp_sink.py", messages, listen};
  if (options_.offer_auth_without_tls) arguments.emplace_back("--offer-auth-without-tls");
  std::vector<std::string> environment;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    const std::string_view variable(*entry);
    if (!variable.starts_with("PYTHONPATH=") && !variable.starts_with("PYTHONDONTWRITEBYTECODE=")) {
      environment.emplace_back(variable);
    }
  }
  environment.emplace_back("PYTHONPATH=" JOBSCHED_TESTING_DIR);
  environment.emplace_back("PYTHONDONTWRITEBYTECODE=1");  // no __pycache__ in the source tree

  // Everything the child needs is prepared before fork(): between fork and
  // exec only async-signal-safe calls are allowed in a threaded process.
  std::vector<char*> argv;
  for (std::string& argument : arguments) argv.push_back(argument.data());
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (std::string& variable : environment) envp.push_back(variable.data());
  envp.push_back(nullptr);
  const int log = open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (log < 0) throw std::runtime_error("cannot create " + log_path);
  const pid_t parent = getpid();

  const pid_t pid = fork();
  if (pid < 0) {
    close(log);
    throw std::runtime_error("fork failed");
  }
  if (pid == 0) {
    // Die with the test process, even if it crashes before the destructor.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(126);
    dup2(log, STDOUT_FILENO);
    dup2(log, STDERR_FILENO);
    execve(kPython, argv.data(), envp.data());
    _exit(127);
  }
  close(log);
  pid_ = pid;
  port_ = port;

  const auto deadline = std::chrono::steady_clock::now() + kStartupDeadline;
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      failure = "it exited early; its log says: " + ReadFile(log_path);
      return false;
    }
    if (AcceptsConnections(port_)) return true;
    // Polling a subprocess for readiness: there is nothing to wait on instead.
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  Kill();
  failure = "it did not accept connections within 15 s; its log says: " + ReadFile(log_path);
  return false;
}

void SmtpServer::Kill() {
  if (pid_ <= 0) return;
  kill(pid_, SIGTERM);
  const auto deadline = std::chrono::steady_clock::now() + kStopDeadline;
  int status = 0;
  while (waitpid(pid_, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() >= deadline) {
      kill(pid_, SIGKILL);
      waitpid(pid_, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  pid_ = -1;
}

std::vector<ReceivedEmail> SmtpServer::Messages() const {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(directory_.path() / "messages")) {
    const bool auth = entry.path().filename().string().starts_with("auth-");
    if (entry.path().extension() == ".json" && !auth) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());  // zero-padded numbers: arrival order
  std::vector<ReceivedEmail> emails;
  for (const auto& file : files) emails.push_back(ParseRecord(ReadFile(file)));
  return emails;
}

std::vector<std::string> SmtpServer::AuthAttempts() const {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(directory_.path() / "messages")) {
    const std::string name = entry.path().filename().string();
    if (name.starts_with("auth-") && entry.path().extension() == ".json") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  std::vector<std::string> attempts;
  for (const auto& file : files) {
    const boost::json::object record = boost::json::parse(ReadFile(file)).as_object();
    attempts.push_back(String(record.at("mechanism")) + " " + String(record.at("login")));
  }
  return attempts;
}

}  // namespace jobsched::testing
