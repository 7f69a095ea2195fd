// fundcheck fmt: rule files in the canonical layout (docs/language.md, "Layout"), printed,
// checked (--check, for CI) or rewritten in place (-w).

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include <fmt/format.h>

#include "fundcheck/dsl/ansi.hpp"
#include "fundcheck/dsl/format.hpp"
#include "fundcheck/dsl/parse.hpp"

#include "commands.hpp"
#include "common.hpp"

namespace fs = std::filesystem;

namespace fundcheck::app {
namespace {

const std::vector<option_spec> fmt_options = {
    {"write", 'w', false, false, "", "rewrite the files in place (only those whose layout changes)"},
    {"check", 0, false, false, "", "change nothing; exit 1 when a file is not formatted, and show its diff"},
    {"diff", 'd', false, false, "", "print a unified diff of the changes formatting makes"},
    {"list", 'l', false, false, "", "print the name of every file that is not formatted"},
    {"color", 0, true, false, "auto|always|never", "colour in diagnostics and diffs (default: auto)"},
    {"help", 'h', false, false, "", "show this help"},
};

const char* const fmt_help =
    "Usage: fundcheck fmt [OPTIONS] FILE|DIR|-...\n\n"
    "Lays out rule files in the one canonical style: two-space indentation, one clause per line,\n"
    "lines broken before operators past 100 columns, blank lines between rules. Comments are kept\n"
    "where they are, and numbers, strings and messages are never changed. A directory stands for\n"
    "every *.rules file below it; '-' reads standard input.\n\n"
    "With one file and no option, prints the formatted file on standard output. With -w, rewrites\n"
    "the files that change (through a temporary file, keeping their permissions); with --check,\n"
    "changes nothing and shows a diff for each file that is not formatted. A file that does not\n"
    "parse is reported and left alone.\n\n"
    "Exit codes: 0 done (or, with --check, every file formatted); 1 with --check, a file is not\n"
    "formatted; 2 a file cannot be read, does not parse or cannot be written, or the command line\n"
    "is wrong; 3 formatting would have changed a file's meaning (a bug: nothing is written).\n\n"
    "Options:\n";

constexpr int exit_unformatted = 1;
constexpr int exit_internal = 3;

std::string display(const fs::path& path) { return path.lexically_normal().generic_string(); }

std::string reason(int error_number) {
  std::string text = std::strerror(error_number);
  if (!text.empty()) text[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[0])));
  return text;
}

dsl::diagnostic file_error(const char* code, std::string message) {
  return dsl::make_diagnostic(dsl::level::error, code, nullptr, {}, std::move(message));
}

struct input {
  std::string name;  // as shown in messages and diffs
  fs::path path;     // empty for standard input
};

// Reads a whole file; on failure returns nullopt and sets `error` (E1010 or E1006).
std::optional<std::string> read_file(const input& in, dsl::diagnostic& error) {
  if (in.path.empty()) {
    std::string text((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
    if (std::cin.bad()) {
      error = file_error("E1010", "cannot read standard input");
      return std::nullopt;
    }
    return text;
  }
  std::error_code ec;
  const fs::file_status status = fs::status(in.path, ec);
  if (!fs::exists(status)) {
    error = file_error("E1010", fmt::format("cannot read '{}': no such file or directory", in.name));
    return std::nullopt;
  }
  const dsl::parse_limits limits;
  const std::uintmax_t size = fs::file_size(in.path, ec);
  if (!ec && size > limits.max_file_bytes) {
    error = file_error("E1006", fmt::format("file too large: '{}' is {} bytes (the limit is {})", in.name, size,
                                            limits.max_file_bytes));
    return std::nullopt;
  }
  errno = 0;
  std::ifstream file(in.path, std::ios::binary);
  std::ostringstream text;
  if (file) text << file.rdbuf();
  if (!file || file.bad()) {
    const int cause = errno;
    error = file_error("E1010", fmt::format("cannot read '{}'{}", in.name, cause != 0 ? ": " + reason(cause) : ""));
    return std::nullopt;
  }
  return std::move(text).str();
}

// Replaces the file at `path` (following symbolic links) by `text`: written to a temporary file
// beside it with the same permissions, synced, then renamed over it, so the file is at every
// moment either the old or the new text. Refuses when the file is read-only or has changed since
// it was read (`expected`). Returns an empty string or the reason of the failure.
std::string write_atomically(const fs::path& path, const std::string& expected, const std::string& text) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) return reason(errno);
  if (!S_ISREG(info.st_mode)) return "not a regular file";
  std::error_code ec;
  const fs::path target = fs::canonical(path, ec);
  if (ec) return reason(ec.value());
  if (::access(target.c_str(), W_OK) != 0) return errno == EACCES || errno == EROFS ? "the file is read-only" : reason(errno);
  {
    std::ifstream now(target, std::ios::binary);
    std::ostringstream current;
    if (now) current << now.rdbuf();
    if (!now || current.str() != expected) return "the file changed while it was being formatted";
  }
  std::string temporary(".");  // appended: GCC 12 warns falsely (-Wrestrict) on "." + string
  temporary += target.filename().string();
  temporary += ".fmt-XXXXXX";
  std::string name = (target.parent_path() / temporary).string();
  const int fd = ::mkstemp(name.data());
  if (fd < 0) return "cannot create a temporary file beside it: " + reason(errno);
  const auto fail = [&](int cause) {
    ::close(fd);
    ::unlink(name.c_str());
    return reason(cause);
  };
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail(errno);
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fchmod(fd, info.st_mode & 07777) != 0) return fail(errno);
  if (::geteuid() == 0) (void)!::fchown(fd, info.st_uid, info.st_gid);  // keep the owner when we can
  if (::fsync(fd) != 0) return fail(errno);
  if (::close(fd) != 0) {
    const int cause = errno;
    ::unlink(name.c_str());
    return reason(cause);
  }
  if (::rename(name.c_str(), target.c_str()) != 0) {
    const int cause = errno;
    ::unlink(name.c_str());
    return reason(cause);
  }
  const int dir = ::open(target.parent_path().c_str(), O_RDONLY | O_DIRECTORY);
  if (dir >= 0) {
    (void)::fsync(dir);
    ::close(dir);
  }
  return {};
}

void print_diff(std::ostream& out, const std::string& diff, bool color) {
  if (!color) {
    out << diff;
    return;
  }
  std::size_t begin = 0;
  while (begin < diff.size()) {
    std::size_t end = diff.find('\n', begin);
    end = end == std::string::npos ? diff.size() : end + 1;
    const std::string_view line(diff.data() + begin, end - begin);
    const char* paint = line.starts_with("---") || line.starts_with("+++") ? dsl::ansi::bold
                        : line.starts_with("@@")                           ? dsl::ansi::cyan
                        : line.starts_with('-')                            ? dsl::ansi::red
                        : line.starts_with('+')                            ? dsl::ansi::green
                                                                           : nullptr;
    if (paint != nullptr) {
      out << paint << line.substr(0, line.size() - (line.ends_with('\n') ? 1 : 0)) << dsl::ansi::reset
          << (line.ends_with('\n') ? "\n" : "");
    } else {
      out << line;
    }
    begin = end;
  }
}

}  // namespace

int run_fmt(const std::vector<std::string>& argv) {
  std::string error;
  auto args = parse_args(argv, fmt_options, error);
  if (!args) return usage_error("fmt", error);
  if (args->has("help")) {
    std::cout << fmt_help << options_help(fmt_options);
    return 0;
  }
  const bool color = want_color(args->last("color"), STDERR_FILENO, error);
  if (!error.empty()) return usage_error("fmt", error);
  const bool diff_color = want_color(args->last("color"), STDOUT_FILENO, error);
  const bool write = args->has("write");
  const bool check = args->has("check");
  const bool list = args->has("list");
  const bool diff = args->has("diff") || (check && !list);
  const bool print = !write && !check && !diff && !list;
  if (write && check) return usage_error("fmt", "--check changes nothing; it cannot be given with --write");
  if (args->positional.empty()) return usage_error("fmt", "no rule file given (give FILE, DIR, or - for standard input)");

  if (print) {
    std::error_code ec;
    if (args->positional.size() != 1 || fs::is_directory(args->positional.front(), ec)) {
      return usage_error("fmt", "printing the formatted text needs exactly one file; give -w to rewrite files in "
                                "place, or --check, --diff or --list to see which are not formatted");
    }
  }

  dsl::render_options ro;
  ro.color = color;
  int status = 0;
  std::vector<dsl::diagnostic> problems;

  // The files: as given, a directory's *.rules files (sorted), standard input for '-'.
  std::vector<input> inputs;
  bool stdin_seen = false;
  for (const std::string& arg : args->positional) {
    if (arg == "-") {
      if (stdin_seen) return usage_error("fmt", "'-' (standard input) is given twice");
      if (write) return usage_error("fmt", "--write cannot rewrite standard input; the result goes to standard output without it");
      stdin_seen = true;
      inputs.push_back({"<stdin>", {}});
      continue;
    }
    std::error_code ec;
    if (!fs::is_directory(arg, ec)) {
      inputs.push_back({display(arg), arg});
      continue;
    }
    std::vector<fs::path> found;
    fs::recursive_directory_iterator it(arg, fs::directory_options::skip_permission_denied, ec);
    for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      std::error_code type_ec;
      if (it->path().extension() == ".rules" && it->is_regular_file(type_ec)) found.push_back(it->path());
    }
    if (ec) {
      problems.push_back(file_error("E1010", fmt::format("cannot read directory '{}': {}", display(arg), reason(ec.value()))));
      status = std::max(status, exit_usage);
    }
    std::sort(found.begin(), found.end());
    if (found.empty() && !ec) {
      problems.push_back(file_error("E1903", fmt::format("directory '{}' holds no *.rules file", display(arg))));
      status = std::max(status, exit_usage);
    }
    for (const fs::path& p : found) inputs.push_back({display(p), p});
  }
  if (!problems.empty()) dsl::render_text(std::cerr, problems, ro);

  std::size_t unformatted = 0;
  for (const input& in : inputs) {
    dsl::diagnostic read_error;
    auto text = read_file(in, read_error);
    if (!text) {
      dsl::render_text(std::cerr, {read_error}, ro);
      status = std::max(status, exit_usage);
      continue;
    }
    const auto source = std::make_shared<const dsl::source_file>(in.name, *text);
    const dsl::format_result formatted = dsl::format_rules(source);
    if (!formatted.ok()) {
      dsl::render_text(std::cerr, formatted.diagnostics, ro);
      status = std::max(status, formatted.status == dsl::format_status::syntax_error ? exit_usage : exit_internal);
      continue;
    }
    if (print) {
      std::cout << formatted.text;
      continue;
    }
    if (formatted.text == *text) continue;
    ++unformatted;
    if (list) std::cout << in.name << '\n';
    if (diff) {
      print_diff(std::cout, dsl::unified_diff(*text, formatted.text, "a/" + in.name, "b/" + in.name), diff_color);
    }
    if (write) {
      const std::string failure = write_atomically(in.path, *text, formatted.text);
      if (!failure.empty()) {
        dsl::render_text(std::cerr, {file_error("E1902", fmt::format("cannot write '{}': {}; it is left as it was",
                                                                      in.name, failure))},
                         ro);
        status = std::max(status, exit_usage);
      }
    }
  }
  std::cout.flush();
  if (check && unformatted > 0) {
    const bool only_stdin = inputs.size() == 1 && inputs.front().path.empty();
    std::cerr << fmt::format("fundcheck fmt: {} of {} file{} {} not formatted{}\n", unformatted, inputs.size(),
                             inputs.size() == 1 ? "" : "s", unformatted == 1 ? "is" : "are",
                             only_stdin ? "" : " ('fundcheck fmt -w FILE...' rewrites them)");
    status = std::max(status, exit_unformatted);
  }
  return status;
}

}  // namespace fundcheck::app
