#include "common/domain/json_reader.h"

#include <cstdint>
#include <cstdlib>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/domain/validation.h"

namespace headcount {
namespace {

constexpr int kMaxDepth = 64;

class Parser {
 public:
  explicit Parser(absl::string_view text) : text_(text) {}

  absl::StatusOr<JsonValue> Document() {
    JsonValue value;
    if (absl::Status s = Value(value, 0); !s.ok()) return s;
    SkipSpace();
    if (pos_ != text_.size()) return Error("unexpected text after the value");
    return value;
  }

 private:
  absl::Status Error(absl::string_view what) const {
    return absl::InvalidArgumentError(absl::StrCat("line ", line_, ": ", what));
  }

  void SkipSpace() {
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      if (c == '\n') {
        ++line_;
      } else if (c != ' ' && c != '\t' && c != '\r') {
        return;
      }
      ++pos_;
    }
  }

  bool Consume(absl::string_view word) {
    if (text_.substr(pos_, word.size()) != word) return false;
    pos_ += word.size();
    return true;
  }

  absl::Status Value(JsonValue& value, int depth) {
    SkipSpace();
    value.line = line_;
    if (pos_ == text_.size()) return Error("a value was expected, found the end");
    const char c = text_[pos_];
    if (c == '{' || c == '[') {
      if (depth >= kMaxDepth) return Error("nested more than 64 levels deep");
      return c == '{' ? Object(value, depth + 1) : Array(value, depth + 1);
    }
    if (c == '"') {
      value.type = JsonValue::Type::kString;
      return String(value.string);
    }
    if (c == '-' || absl::ascii_isdigit(static_cast<unsigned char>(c))) {
      value.type = JsonValue::Type::kNumber;
      return Number(value.number);
    }
    if (Consume("true") || Consume("false")) {
      value.type = JsonValue::Type::kBool;
      value.boolean = c == 't';
      return absl::OkStatus();
    }
    if (Consume("null")) return absl::OkStatus();
    return Error(absl::StrCat("a value was expected, found '",
                              text_.substr(pos_, 1), "'"));
  }

  absl::Status Object(JsonValue& value, int depth) {
    value.type = JsonValue::Type::kObject;
    ++pos_;  // {
    SkipSpace();
    if (Consume("}")) return absl::OkStatus();
    while (true) {
      SkipSpace();
      if (pos_ == text_.size() || text_[pos_] != '"') {
        return Error("a member name in double quotes was expected");
      }
      std::string key;
      if (absl::Status s = String(key); !s.ok()) return s;
      if (value.Find(key) != nullptr) {
        return Error(absl::StrCat("\"", key, "\" given twice"));
      }
      SkipSpace();
      if (!Consume(":")) return Error(absl::StrCat("':' expected after \"", key, "\""));
      JsonValue member;
      if (absl::Status s = Value(member, depth); !s.ok()) return s;
      value.object.emplace_back(std::move(key), std::move(member));
      SkipSpace();
      if (Consume("}")) return absl::OkStatus();
      if (!Consume(",")) return Error("',' or '}' expected");
    }
  }

  absl::Status Array(JsonValue& value, int depth) {
    value.type = JsonValue::Type::kArray;
    ++pos_;  // [
    SkipSpace();
    if (Consume("]")) return absl::OkStatus();
    while (true) {
      JsonValue element;
      if (absl::Status s = Value(element, depth); !s.ok()) return s;
      value.array.push_back(std::move(element));
      SkipSpace();
      if (Consume("]")) return absl::OkStatus();
      if (!Consume(",")) return Error("',' or ']' expected");
    }
  }

  absl::Status Number(double& number) {
    const size_t start = pos_;
    auto digits = [&] {
      const size_t from = pos_;
      while (pos_ < text_.size() &&
             absl::ascii_isdigit(static_cast<unsigned char>(text_[pos_]))) {
        ++pos_;
      }
      return pos_ > from;
    };
    Consume("-");
    if (Consume("0")) {
      // no leading zeros
    } else if (!digits()) {
      return Error("a digit was expected");
    }
    if (Consume(".") && !digits()) return Error("a digit was expected after '.'");
    if (pos_ < text_.size() && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
      ++pos_;
      if (!Consume("+")) Consume("-");
      if (!digits()) return Error("a digit was expected in the exponent");
    }
    const std::string literal(text_.substr(start, pos_ - start));
    number = std::strtod(literal.c_str(), nullptr);
    return absl::OkStatus();
  }

  absl::Status Hex4(uint32_t& unit) {
    if (text_.size() - pos_ < 4) return Error("\\u needs four hex digits");
    unit = 0;
    for (int i = 0; i < 4; ++i) {
      const char c = text_[pos_++];
      unit <<= 4;
      if (c >= '0' && c <= '9') {
        unit |= c - '0';
      } else if (c >= 'a' && c <= 'f') {
        unit |= c - 'a' + 10;
      } else if (c >= 'A' && c <= 'F') {
        unit |= c - 'A' + 10;
      } else {
        return Error("\\u needs four hex digits");
      }
    }
    return absl::OkStatus();
  }

  static void AppendUtf8(uint32_t cp, std::string& out) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }

  absl::Status Escape(std::string& out) {
    if (pos_ == text_.size()) return Error("unterminated string");
    const char c = text_[pos_++];
    switch (c) {
      case '"': out += '"'; return absl::OkStatus();
      case '\\': out += '\\'; return absl::OkStatus();
      case '/': out += '/'; return absl::OkStatus();
      case 'b': out += '\b'; return absl::OkStatus();
      case 'f': out += '\f'; return absl::OkStatus();
      case 'n': out += '\n'; return absl::OkStatus();
      case 'r': out += '\r'; return absl::OkStatus();
      case 't': out += '\t'; return absl::OkStatus();
      case 'u': break;
      default:
        return Error(absl::StrCat("unknown escape \\", absl::string_view(&c, 1)));
    }
    uint32_t unit;
    if (absl::Status s = Hex4(unit); !s.ok()) return s;
    if (unit >= 0xDC00 && unit <= 0xDFFF) return Error("lone low surrogate");
    if (unit >= 0xD800 && unit <= 0xDBFF) {
      uint32_t low;
      if (!Consume("\\u")) return Error("high surrogate without its pair");
      if (absl::Status s = Hex4(low); !s.ok()) return s;
      if (low < 0xDC00 || low > 0xDFFF) return Error("high surrogate without its pair");
      unit = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
    }
    AppendUtf8(unit, out);
    return absl::OkStatus();
  }

  absl::Status String(std::string& out) {
    ++pos_;  // "
    while (true) {
      if (pos_ == text_.size()) return Error("unterminated string");
      const char c = text_[pos_++];
      if (c == '"') return absl::OkStatus();
      if (static_cast<unsigned char>(c) < 0x20) {
        return Error("control character in a string (escape it)");
      }
      if (c == '\\') {
        if (absl::Status s = Escape(out); !s.ok()) return s;
      } else {
        out += c;
      }
    }
  }

  absl::string_view text_;
  size_t pos_ = 0;
  int line_ = 1;
};

}  // namespace

const JsonValue* JsonValue::Find(absl::string_view key) const {
  for (const auto& [name, value] : object) {
    if (name == key) return &value;
  }
  return nullptr;
}

absl::string_view JsonTypeName(JsonValue::Type type) {
  switch (type) {
    case JsonValue::Type::kNull: return "null";
    case JsonValue::Type::kBool: return "a boolean";
    case JsonValue::Type::kNumber: return "a number";
    case JsonValue::Type::kString: return "a string";
    case JsonValue::Type::kArray: return "an array";
    case JsonValue::Type::kObject: return "an object";
  }
  return "a value";
}

absl::StatusOr<JsonValue> ParseJson(absl::string_view text) {
  if (!IsValidUtf8(text)) {
    return absl::InvalidArgumentError("line 1: the file is not UTF-8");
  }
  return Parser(text).Document();
}

}  // namespace headcount
