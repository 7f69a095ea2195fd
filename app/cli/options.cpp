#include "options.hpp"

#include <fmt/format.h>

namespace fundcheck::app {

const std::vector<std::string>& parsed_args::all(std::string_view name) const {
  static const std::vector<std::string> none;
  auto it = values.find(name);
  return it == values.end() ? none : it->second;
}

std::optional<std::string> parsed_args::last(std::string_view name) const {
  auto it = values.find(name);
  if (it == values.end() || it->second.empty()) return std::nullopt;
  return it->second.back();
}

std::optional<parsed_args> parse_args(const std::vector<std::string>& args,
                                      const std::vector<option_spec>& specs, std::string& error) {
  parsed_args out;
  bool only_positional = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (only_positional || a.size() < 2 || a[0] != '-') {
      out.positional.push_back(a);
      continue;
    }
    if (a == "--") {
      only_positional = true;
      continue;
    }
    const option_spec* spec = nullptr;
    std::optional<std::string> inline_value;
    std::string shown = a;
    if (a.rfind("--", 0) == 0) {
      std::string name = a.substr(2);
      if (auto eq = name.find('='); eq != std::string::npos) {
        inline_value = name.substr(eq + 1);
        name.resize(eq);
        shown = "--" + name;
      }
      for (const auto& s : specs)
        if (s.name == name) spec = &s;
    } else {
      for (const auto& s : specs)
        if (s.short_name == a[1]) spec = &s;
      shown = a.substr(0, 2);
      // "-j2": a short option's value may follow it directly.
      if (spec && a.size() > 2) {
        if (spec->takes_value) inline_value = a.substr(2);
        else spec = nullptr;
      }
      if (!spec) shown = a;
    }
    if (!spec) {
      error = fmt::format("unknown option '{}'", shown);
      return std::nullopt;
    }
    std::string value;
    if (spec->takes_value) {
      if (inline_value) {
        value = *inline_value;
      } else if (i + 1 < args.size()) {
        value = args[++i];
      } else {
        error = fmt::format("option '{}' needs a value ({})", shown, spec->value_name);
        return std::nullopt;
      }
    } else if (inline_value) {
      error = fmt::format("option '{}' takes no value", shown);
      return std::nullopt;
    }
    auto& slot = out.values[std::string(spec->name)];
    if (!spec->repeatable && !slot.empty()) {
      error = fmt::format("option '--{}' given twice", spec->name);
      return std::nullopt;
    }
    slot.push_back(std::move(value));
  }
  return out;
}

std::string options_help(const std::vector<option_spec>& specs) {
  std::string out;
  for (const auto& s : specs) {
    std::string left = s.short_name ? fmt::format("-{}, --{}", s.short_name, s.name) : fmt::format("    --{}", s.name);
    if (s.takes_value) left += fmt::format(" {}", s.value_name);
    out += fmt::format("  {:<28} {}\n", left, s.help);
  }
  return out;
}

}  // namespace fundcheck::app
