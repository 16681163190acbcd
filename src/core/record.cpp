#include "core/record.hpp"

#include "core/json_field.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <utility>

namespace coordctl {

using nlohmann::json;

namespace {
// Unix milliseconds have 13 digits until the year 2286.
constexpr std::size_t held_ms_width = 13;
// Any 64-bit token.
constexpr std::size_t token_width = 20;

Slot value_slot(const std::string& text, std::string_view key) {
    auto at = text.find(key);
    if (at == std::string::npos) return {};
    auto offset = at + key.size();
    auto end = text.find_first_of(",}", offset);
    return {offset, end - offset};
}

// User text as a JSON string (or array of strings), invalid UTF-8 replaced.
template <typename T> std::string json_text(const T& text) {
    return json(text).dump(-1, ' ', false, json::error_handler_t::replace);
}
} // namespace

std::vector<std::string> record_command(const std::vector<std::string>& command) {
    constexpr std::size_t max = Record::max_command_size;
    constexpr std::size_t per_word = 3; // "",
    const std::string marker = "...";
    std::vector<std::string> kept;
    std::size_t size = 0;
    for (const auto& word : command) {
        if (size + word.size() + per_word <= max) {
            kept.push_back(word);
            size += word.size() + per_word;
            continue;
        }
        // Room for the marker, then for as much of this word as fits.
        while (!kept.empty() && size + marker.size() + per_word > max) {
            size -= kept.back().size() + per_word;
            kept.pop_back();
        }
        size += marker.size() + per_word;
        std::size_t cut = size + per_word < max ? std::min(max - size - per_word, word.size()) : 0;
        while (cut > 0 && cut < word.size() &&
               (static_cast<unsigned char>(word[cut]) & 0xC0) == 0x80)
            --cut;
        if (cut > 0) kept.push_back(word.substr(0, cut));
        kept.push_back(marker);
        break;
    }
    return kept;
}

// The fields in name order, as nlohmann's objects print them, written
// directly: building a json object was most of a join's instructions.
std::string format_record(const Record& r, std::size_t ahead_width) {
    std::string ahead = ahead_width > 0 ? fmt::format(R"("ahead":{:<{}},)", "null", ahead_width) : "";
    std::string count = r.count > 0 ? fmt::format(R"("count":{},)", r.count) : "";
    return fmt::format(
        R"({{{}"boot_id":{},"command":{},{}"created_ms":{},"held_ms":{:<{}},"hold":{},)"
        R"("host":{},"label":{},"mode":{},"pid":{},"pid_start":{},"token":{:<{}},)"
        R"("ttl_ms":{},"version":{}}})"
        "\n",
        ahead, json_text(r.boot_id), json_text(r.command), count, r.created_ms, r.held_ms,
        held_ms_width, r.hold, json_text(r.host), json_text(r.label), json_text(r.mode), r.pid,
        r.pid_start, r.token, token_width, r.ttl_ms, r.version);
}

Slot token_slot(const std::string& text) { return value_slot(text, "\"token\":"); }
Slot held_ms_slot(const std::string& text) { return value_slot(text, "\"held_ms\":"); }
Slot ahead_slot(const std::string& text) { return value_slot(text, "\"ahead\":"); }

std::size_t ahead_width(std::size_t count, std::size_t name_size) {
    std::size_t width = std::max<std::size_t>(4, 2 + count * (name_size + 3)); // ["name",...]
    return width <= ahead_max_width ? width : 0;
}

std::string format_ahead(const std::vector<std::string>& names, std::size_t width) {
    auto text = json(names).dump();
    if (text.size() > width) return {};
    text.append(width - text.size(), ' ');
    return text;
}

std::string slot_text(std::uint64_t value, std::size_t width) {
    std::string digits = std::to_string(value);
    if (digits.size() < width) digits.append(width - digits.size(), ' ');
    return digits.substr(0, width);
}

std::optional<Record> parse_record(std::string_view text) {
    if (text.size() > Record::max_size) return std::nullopt;
    json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (!j.is_object()) return std::nullopt;
    Record r;
    bool ok = take_field(j, "version", r.version) && r.version == Record::current_version &&
              take_field(j, "token", r.token) && take_field(j, "mode", r.mode) &&
              take_field(j, "pid", r.pid) && take_field(j, "host", r.host) &&
              take_field(j, "boot_id", r.boot_id) && take_field(j, "pid_start", r.pid_start) &&
              take_field(j, "created_ms", r.created_ms) && take_field(j, "ttl_ms", r.ttl_ms) &&
              take_field(j, "command", r.command) && take_field(j, "label", r.label);
    if (auto hold = j.find("hold"); hold != j.end()) { // optional: absent means false
        if (!hold->is_boolean()) return std::nullopt;
        r.hold = hold->get<bool>();
    }
    if (j.contains("held_ms") && !take_field(j, "held_ms", r.held_ms)) return std::nullopt;
    if (j.contains("count") && !take_field(j, "count", r.count))
        return std::nullopt; // dbarrier only
    bool sane = r.pid > 0 && r.ttl_ms > 0 &&
                (r.mode == "exclusive" || r.mode == "shared" || r.mode == "slots");
    if (!ok || !sane) return std::nullopt;
    return r;
}

std::optional<SlotsGrant> parse_slots_grant(std::string_view text) {
    if (text.size() > Record::max_size) return std::nullopt;
    json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
    int version = 0;
    SlotsGrant grant;
    if (!j.is_object() || !take_field(j, "version", version) || version != Record::current_version ||
        !take_field(j, "token", grant.token) || !take_field(j, "ahead", grant.ahead))
        return std::nullopt;
    return grant;
}

namespace {

// Keeps the top-level token, held_ms and version of a JSON object, as
// parse_record reads them (a repeated key: its last value). nlohmann calls
// these as it reads the text, building nothing.
class GrantFactsReader final : public nlohmann::json_sax<json> {
  public:
    std::optional<GrantFacts> facts() const {
        bool held_ok =
            !held_ms_.seen || (held_ms_.number &&
                               (held_ms_.is_signed || std::in_range<std::int64_t>(held_ms_.value)));
        if (!object_ || !held_ok || !token_.is_unsigned() || !version_.is_unsigned() ||
            version_.value != Record::current_version)
            return std::nullopt;
        return GrantFacts{token_.value, static_cast<std::int64_t>(held_ms_.value)};
    }

    bool null() override { return other(); }
    bool boolean(bool) override { return other(); }
    // nlohmann's signed integers are the ones written with a minus, -0 too:
    // never a token or a version, as for parse_record.
    bool number_integer(number_integer_t v) override {
        return number(true, static_cast<std::uint64_t>(v));
    }
    bool number_unsigned(number_unsigned_t v) override { return number(false, v); }
    bool number_float(number_float_t, const string_t&) override { return other(); }
    bool string(string_t&) override { return other(); }
    bool binary(binary_t&) override { return other(); }
    bool start_object(std::size_t) override {
        object_ = object_ || depth_ == 0;
        other();
        return ++depth_, true;
    }
    bool key(string_t& k) override {
        if (depth_ == 1)
            field_ = k == "token"     ? &token_
                     : k == "held_ms" ? &held_ms_
                     : k == "version" ? &version_
                                      : nullptr;
        return true;
    }
    bool end_object() override { return --depth_, true; }
    bool start_array(std::size_t) override {
        other();
        return ++depth_, true;
    }
    bool end_array() override { return --depth_, true; }
    bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
        return false;
    }

  private:
    struct Field {
        bool seen = false, number = false, is_signed = false;
        std::uint64_t value = 0; // a signed number: its two's complement
        bool is_unsigned() const { return seen && number && !is_signed; }
    };

    // The field the value just read belongs to, if one of ours.
    Field* field() { return depth_ == 1 ? std::exchange(field_, nullptr) : nullptr; }
    bool number(bool is_signed, std::uint64_t v) {
        if (auto* f = field()) *f = Field{true, true, is_signed, v};
        return true;
    }
    bool other() {
        if (auto* f = field()) *f = Field{true, false, false, 0};
        return true;
    }

    int depth_ = 0;
    bool object_ = false; // the text is an object, not an array or a value
    Field* field_ = nullptr;
    Field token_, held_ms_, version_;
};

} // namespace

std::optional<GrantFacts> parse_grant_facts(std::string_view text) {
    if (text.size() > Record::max_size) return std::nullopt;
    GrantFactsReader reader;
    if (!json::sax_parse(text, &reader)) return std::nullopt;
    return reader.facts();
}

std::string command_line(const std::vector<std::string>& command) {
    if (command.empty()) return "(none)";
    std::string line;
    for (const auto& word : command) {
        if (!line.empty()) line += ' ';
        line += printable(word);
    }
    return line;
}

namespace {
std::string escaped(std::string_view text, bool backslashes) {
    auto special = [backslashes](unsigned char c) {
        return c < 0x20 || c == 0x7f || (backslashes && c == '\\') || c == 0xc2;
    };
    if (std::none_of(text.begin(), text.end(), special)) return std::string(text);
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        auto c = static_cast<unsigned char>(text[i]);
        auto next = i + 1 < text.size() ? static_cast<unsigned char>(text[i + 1]) : 0;
        if (c == 0xc2 && next >= 0x80 && next <= 0x9f) { // a C1 control (U+0080..U+009F) in UTF-8
            out += fmt::format("\\xc2\\x{:02x}", next);
            ++i;
        } else if (!special(c) || c == 0xc2) {
            out += static_cast<char>(c);
        } else if (c == '\\') {
            out += "\\\\";
        } else if (c == '\n') {
            out += "\\n";
        } else if (c == '\t') {
            out += "\\t";
        } else if (c == '\r') {
            out += "\\r";
        } else {
            out += fmt::format("\\x{:02x}", c);
        }
    }
    return out;
}
} // namespace

std::string printable(std::string_view text) {
    return escaped(text, true);
}

std::string one_line(std::string_view text) {
    return escaped(text, false);
}

} // namespace coordctl
