// Report targets of `fundcheck check` and writing report files atomically (report_output.hpp).

#include "report_output.hpp"

#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include <fmt/format.h>

namespace fs = std::filesystem;

namespace fundcheck::app {

namespace {

// Device files and the kernel's views of open files are written in place, never replaced.
bool special_path(const std::string& path) {
  return path.starts_with("/dev/") || path.starts_with("/proc/");
}

// The same file however it is written (for files that need not exist yet).
fs::path identity(const std::string& path) {
  std::error_code ec;
  fs::path p = fs::weakly_canonical(fs::absolute(path, ec), ec);
  if (ec) p = fs::absolute(path, ec).lexically_normal();
  return p;
}

bool check_target(const std::string& file, bool force, std::string& error) {
  if (special_path(file)) return true;
  std::error_code ec;
  const fs::file_status st = fs::status(file, ec);
  if (fs::exists(st)) {
    if (fs::is_directory(st)) {
      error = fmt::format("'{}' is a directory; a report needs a file name", file);
      return false;
    }
    if (fs::is_regular_file(st) && !force) {
      error = fmt::format("'{}' exists; use --force to overwrite it", file);
      return false;
    }
    return true;
  }
  // A missing file: its nearest existing ancestor must be a directory (missing ones are created).
  fs::path dir = fs::absolute(file, ec).parent_path();
  while (!dir.empty() && !fs::exists(dir, ec)) {
    if (dir == dir.parent_path()) break;
    dir = dir.parent_path();
  }
  if (!dir.empty() && fs::exists(dir, ec) && !fs::is_directory(dir, ec)) {
    error = fmt::format("cannot write '{}': '{}' is not a directory", file, dir.string());
    return false;
  }
  return true;
}

}  // namespace

std::optional<std::vector<report_target>> plan_reports(const std::vector<std::string>& formats,
                                                       const std::optional<std::string>& output, bool force,
                                                       std::string& error) {
  std::vector<report_target> files;
  std::optional<report_target> to_stdout;
  for (const auto& value : formats) {
    const auto eq = value.find('=');
    const std::string name = value.substr(0, eq);
    const engine::report_format* f = engine::find_report_format(name);
    if (!f) {
      error = fmt::format("--format must be one of {}, optionally with =FILE; got '{}'",
                          engine::report_format_names(", "), value);
      return std::nullopt;
    }
    // "NAME=-" is standard output, as "NAME" alone.
    if (eq == std::string::npos || value.substr(eq + 1) == "-") {
      if (to_stdout) {
        error = fmt::format("only one report can go to standard output, and both '{}' and '{}' would; give one a file: "
                            "--format {}=FILE",
                            to_stdout->format->name, name, name);
        return std::nullopt;
      }
      to_stdout = report_target{f, std::nullopt};
      continue;
    }
    const std::string file = value.substr(eq + 1);
    if (file.empty()) {
      error = fmt::format("--format {}= needs a file name after '='", name);
      return std::nullopt;
    }
    files.push_back({f, file});
  }
  // Standard output always carries one report: the one given without a file, or text.
  if (!to_stdout) to_stdout = report_target{engine::find_report_format("text"), std::nullopt};
  if (output) {
    if (output->empty()) {
      error = "--output needs a file name";
      return std::nullopt;
    }
    if (*output != "-") to_stdout->file = *output;  // "-": standard output after all
  }
  files.push_back(*to_stdout);
  for (std::size_t i = 0; i < files.size(); ++i) {
    if (!files[i].file) continue;
    if (!check_target(*files[i].file, force, error)) return std::nullopt;
    for (std::size_t j = 0; j < i; ++j) {
      if (files[j].file && identity(*files[j].file) == identity(*files[i].file)) {
        error = fmt::format("'{}' is given for two reports ({} and {})", *files[i].file, files[j].format->name,
                            files[i].format->name);
        return std::nullopt;
      }
    }
  }
  return files;
}

bool check_not_input(const std::vector<report_target>& targets, const std::vector<fs::path>& inputs,
                     std::string& error) {
  for (const auto& t : targets) {
    if (!t.file || special_path(*t.file)) continue;
    std::error_code ec;
    if (!fs::exists(*t.file, ec)) continue;
    for (const auto& input : inputs) {
      if (fs::exists(input, ec) && fs::equivalent(*t.file, input, ec)) {
        const std::string also = fs::path(*t.file).lexically_normal() == input.lexically_normal()
                                     ? std::string()
                                     : fmt::format(" ({})", input.string());
        error = fmt::format("'{}' is an input of this check{}; write the {} report elsewhere", *t.file, also,
                            t.format->name);
        return false;
      }
    }
  }
  return true;
}

bool write_report_file(const std::string& path, const std::function<void(std::ostream&)>& render, bool force,
                       std::string& error) {
  auto failed = [&](const std::string& reason) {
    error = fmt::format("cannot write '{}': {}", path, reason);
    return false;
  };
  std::error_code ec;
  const fs::file_status st = fs::status(path, ec);
  if (special_path(path) || (fs::exists(st) && !fs::is_regular_file(st))) {
    std::ofstream out(path, std::ios::binary);
    if (!out) return failed(std::strerror(errno));
    render(out);
    out.flush();
    if (!out) return failed("write error");
    return true;
  }
  // A link is followed: the file it names is replaced, the link stays.
  fs::path target = path;
  if (fs::is_symlink(fs::symlink_status(path, ec))) {
    target = fs::weakly_canonical(path, ec);
    if (ec) return failed(ec.message());
  }
  ec.clear();
  if (target.has_parent_path() && !fs::exists(target.parent_path(), ec)) {
    fs::create_directories(target.parent_path(), ec);
    if (ec) {
      error = fmt::format("cannot create the directory '{}': {}", target.parent_path().string(), ec.message());
      return false;
    }
  }
  // The report goes to a hidden temporary file beside the target (one file system, so the rename
  // is atomic), which replaces the target only once it is complete and on disk.
  std::string temp_name = ".";
  temp_name.append(target.filename().string()).append(".XXXXXX");
  std::string temp = (target.has_parent_path() ? target.parent_path() / temp_name : fs::path(temp_name)).string();
  const int fd = ::mkstemp(temp.data());
  if (fd < 0) return failed(std::strerror(errno));
  auto discard = [&](const std::string& reason) {
    ::unlink(temp.c_str());
    return failed(reason);
  };
  // The permissions a new file would get (0666 less the umask), or those of the file replaced.
  const mode_t mask = ::umask(0);
  ::umask(mask);
  mode_t mode = 0666 & ~mask;
  struct stat old {};
  if (::stat(target.c_str(), &old) == 0) mode = old.st_mode & 07777;
  const bool mode_set = ::fchmod(fd, mode) == 0;
  const int mode_errno = errno;
  ::close(fd);
  if (!mode_set) return discard(std::strerror(mode_errno));
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    if (!out) return discard(std::strerror(errno));
    render(out);
    out.flush();
    if (!out) return discard("write error (is the disk full?)");
  }
  const int sync_fd = ::open(temp.c_str(), O_WRONLY);
  if (sync_fd < 0 || ::fsync(sync_fd) != 0) {
    const int err = errno;
    if (sync_fd >= 0) ::close(sync_fd);
    return discard(std::strerror(err));
  }
  ::close(sync_fd);
  int rc = 0;
  if (!force) {
    // Fail rather than replace a file that appeared since the command line was checked.
    rc = ::renameat2(AT_FDCWD, temp.c_str(), AT_FDCWD, target.c_str(), RENAME_NOREPLACE);
    if (rc != 0 && (errno == EINVAL || errno == ENOSYS)) rc = std::rename(temp.c_str(), target.c_str());
  } else {
    rc = std::rename(temp.c_str(), target.c_str());
  }
  if (rc != 0) {
    const int err = errno;
    ::unlink(temp.c_str());
    error = err == EEXIST ? fmt::format("'{}' appeared while checking; use --force to overwrite it", path)
                          : fmt::format("cannot write '{}': {}", path, std::strerror(err));
    return false;
  }
  return true;
}

}  // namespace fundcheck::app
