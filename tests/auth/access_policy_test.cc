#include "common/auth/access_policy.h"

#include <string>

#include "common/auth/caller.h"
#include "common/auth/request_scope.h"
#include "common/domain/json_reader.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace headcount {
namespace {

using ::testing::HasSubstr;

TEST(JsonReaderTest, ValuesRememberTheirLines) {
  absl::StatusOr<JsonValue> value = ParseJson(
      "{\"a\": [1, -2.5e3,\n \"x\\u00e9\\ud83d\\ude00\\n\"],\n"
      " \"b\": {\"c\": true, \"d\": null}}");
  ASSERT_TRUE(value.ok()) << value.status();
  const JsonValue* a = value->Find("a");
  ASSERT_NE(a, nullptr);
  ASSERT_EQ(a->array.size(), 3u);
  EXPECT_EQ(a->array[1].number, -2500);
  EXPECT_EQ(a->array[2].string, "x\xC3\xA9\xF0\x9F\x98\x80\n");
  EXPECT_EQ(a->array[2].line, 2);
  EXPECT_EQ(value->Find("b")->line, 3);
  EXPECT_TRUE(value->Find("b")->Find("c")->boolean);
}

TEST(JsonReaderTest, MalformedInputIsRefusedWithItsLine) {
  const std::pair<const char*, const char*> cases[] = {
      {"{\n\"a\": 1,\n}", "line 3: a member name"},
      {"{\"a\": 1 \"b\": 2}", "line 1: ',' or '}'"},
      {"[1,\n2,\n", "line 3: a value was expected"},
      {"{\"a\": 1, \"a\": 2}", "\"a\" given twice"},
      {"\"tab\tinside\"", "control character"},
      {"\"\\ud800\"", "surrogate"},
      {"01", "unexpected text"},
      {"[1] [2]", "unexpected text"},
      {"\"\xff\"", "not UTF-8"},
      {"nul", "a value was expected"},
      {"", "found the end"},
  };
  for (const auto& [text, message] : cases) {
    absl::StatusOr<JsonValue> value = ParseJson(text);
    EXPECT_FALSE(value.ok()) << text;
    EXPECT_THAT(value.status().message(), HasSubstr(message)) << text;
  }
  std::string deep(65, '[');
  deep += std::string(65, ']');
  EXPECT_THAT(ParseJson(deep).status().message(), HasSubstr("64 levels"));
}

constexpr char kPolicy[] = R"({"bindings": [
  {"principal": "clerk-yongxing", "role": "district_clerk",
   "county": "利辛县", "district": "永兴"},
  {"principal": "lixin-office", "role": "county_office", "county": "利辛县"},
  {"principal": "province-reader", "role": "reader",
   "counties": ["利辛县", "临泉县"]},
  {"principal": "audit", "role": "follower"},
  {"principal": "ops", "role": "operator"}
]})";

TEST(AccessPolicyTest, ParsesTheIssuesExample) {
  absl::StatusOr<AccessPolicy> policy = ParseAccessPolicy(kPolicy, "p.json");
  ASSERT_TRUE(policy.ok()) << policy.status();
  EXPECT_EQ(policy->size(), 5);
  const Binding* clerk = policy->Find("clerk-yongxing");
  ASSERT_NE(clerk, nullptr);
  EXPECT_EQ(clerk->role, Role::kDistrictClerk);
  EXPECT_EQ(clerk->line, 2);
  EXPECT_TRUE(clerk->Covers("利辛县", "永兴"));
  EXPECT_FALSE(clerk->Covers("利辛县", "旧城"));
  EXPECT_FALSE(clerk->Covers("利辛县", ""));  // the whole county
  EXPECT_TRUE(clerk->Touches("利辛县"));
  EXPECT_FALSE(clerk->Touches("临泉县"));
  const Binding* reader = policy->Find("province-reader");
  EXPECT_TRUE(reader->Covers("临泉县", "城关"));
  EXPECT_FALSE(reader->Covers("阜南县", ""));
  EXPECT_EQ(reader->Describe(), "province-reader (reader of 利辛县, 临泉县)");
  EXPECT_EQ(policy->Find("nobody"), nullptr);
}

TEST(AccessPolicyTest, MistakesAreNamedWithFileAndLine) {
  const std::pair<const char*, const char*> cases[] = {
      {"{\"bindings\": [\n{\"principal\": \"a\", \"role\": \"boss\"}]}",
       "p.json:2: unknown role \"boss\"; one of district_clerk, "
       "county_office, reader, follower, operator"},
      {"{\"bindings\": [\n{\"principal\": \"a\",\n \"role\": \"district_clerk\",\n"
       " \"county\": \"利辛县\"}]}",
       "p.json:2: role district_clerk of a needs \"district\""},
      {"{\"bindings\": [{\"principal\": \"a\", \"role\": \"follower\",\n"
       "\"county\": \"利辛县\"}]}",
       "p.json:2: \"county\" does not belong to role follower (it takes no "
       "scope)"},
      {"{\"bindings\": [\n{\"principal\": \"a\", \"role\": \"operator\"},\n"
       "{\"principal\": \"a\", \"role\": \"follower\"}]}",
       "p.json:3: a is already bound at line 2; a principal has one role"},
      {"{\"bindings\": [\n{\"principal\": \"a b \", \"role\": \"operator\"}]}",
       "p.json:2: \"principal\" must be a certificate CN"},
      {"{\"bindings\": [{\"principal\": \"r\", \"role\": \"reader\",\n"
       "\"counties\": []}]}",
       "p.json:2: \"counties\" must be a non-empty array"},
      {"{\"bindings\": [{\"principal\": \"o\", \"role\": \"county_office\",\n"
       "\"county\": \" 利辛县\"}]}",
       "p.json:2: \"county\" "},
      {"{\"binding\": []}", "p.json:1: unknown key \"binding\""},
      {"{\"bindings\": [\n{\"principal\": \"a\", \"role\": \"operator\"}\n",
       "p.json:3: ',' or ']' expected"},
      {"[]", "p.json:1: the policy must be a JSON object"},
  };
  for (const auto& [text, message] : cases) {
    absl::StatusOr<AccessPolicy> policy = ParseAccessPolicy(text, "p.json");
    EXPECT_EQ(policy.status().code(), absl::StatusCode::kInvalidArgument)
        << text;
    EXPECT_THAT(policy.status().message(), HasSubstr(message)) << text;
  }
}

TEST(AccessPolicyTest, UnreadableFileIsNamed) {
  absl::StatusOr<AccessPolicy> policy = LoadAccessPolicy("/nonexistent/p.json");
  EXPECT_EQ(policy.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(policy.status().message(), HasSubstr("/nonexistent/p.json"));
}

Caller CallerOf(const char* principal) {
  static const AccessPolicy* policy =
      new AccessPolicy(*ParseAccessPolicy(kPolicy, "p.json"));
  return {principal, *policy->Find(principal)};
}

TEST(RequestScopeTest, ListsAreNarrowedToTheCallersPlace) {
  v1::ListSchoolsRequest request;
  request.set_term("2015-autumn");
  ASSERT_TRUE(AuthorizeScope(CallerOf("clerk-yongxing"), request).ok());
  EXPECT_EQ(request.county(), "利辛县");
  EXPECT_EQ(request.district(), "永兴");

  v1::ListGradeDiscrepanciesRequest grades;
  grades.set_term("2015-autumn");
  grades.set_county("利辛县");
  ASSERT_TRUE(AuthorizeScope(CallerOf("clerk-yongxing"), grades).ok());
  EXPECT_EQ(grades.district(), "永兴");
  grades.set_district("旧城");
  EXPECT_EQ(AuthorizeScope(CallerOf("clerk-yongxing"), grades).code(),
            absl::StatusCode::kPermissionDenied);

  v1::ListSchoolsRequest office;
  office.set_term("2015-autumn");
  ASSERT_TRUE(AuthorizeScope(CallerOf("lixin-office"), office).ok());
  EXPECT_EQ(office.county(), "利辛县");
  EXPECT_EQ(office.district(), "");
}

TEST(RequestScopeTest, WithoutAPolicyEverythingPassesUnchanged) {
  Caller open;  // plaintext development mode
  v1::SubmitRequest submit;
  submit.set_county("临泉县");
  EXPECT_TRUE(AuthorizeScope(open, submit).ok());
  v1::ListSchoolsRequest list;
  EXPECT_TRUE(AuthorizeScope(open, list).ok());
  EXPECT_EQ(list.county(), "");
  for (Method method : AllMethods()) {
    EXPECT_TRUE(AuthorizeMethod(open, method).ok()) << MethodName(method);
  }
}

}  // namespace
}  // namespace headcount
