#include "common/domain/validation.h"

#include <functional>

#include "common/domain/term.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/test_util.h"

namespace headcount {
namespace {

using ::testing::ElementsAre;
using ::testing::Field;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

v1::SubmitRequest ValidRequest() {
  v1::SubmitRequest request;
  request.set_submission_id("lixin-2015-autumn-城北中心小学");
  request.set_term("2015-autumn");
  request.set_county("利辛县");
  request.set_district("城北");
  request.set_school("城北中心小学");
  auto* grade = request.add_grades();
  grade->set_grade(1);
  grade->set_onsite_count(63);
  grade->set_registry_count(62);
  grade = request.add_grades();
  grade->set_grade(2);
  grade->set_onsite_count(71);
  grade->set_registry_count(71);
  return request;
}

TEST(ValidateSubmitRequestTest, AcceptsAValidSchool) {
  EXPECT_THAT(ValidateSubmitRequest(ValidRequest()), IsEmpty());
}

struct Case {
  std::string name;
  std::function<void(v1::SubmitRequest&)> mutate;
  std::string field;
  std::string rule;  // a substring of the description
};

// Test listings show the case's name, not its bytes.
void PrintTo(const Case& c, std::ostream* out) { *out << c.name; }

class ValidationRuleTest : public ::testing::TestWithParam<Case> {};

TEST_P(ValidationRuleTest, NamesTheFieldAndTheRule) {
  v1::SubmitRequest request = ValidRequest();
  GetParam().mutate(request);
  std::vector<FieldViolation> violations = ValidateSubmitRequest(request);
  ASSERT_EQ(violations.size(), 1u) << GetParam().name;
  EXPECT_EQ(violations[0].field, GetParam().field);
  EXPECT_THAT(violations[0].description, HasSubstr(GetParam().rule));
}

INSTANTIATE_TEST_SUITE_P(
    Rules, ValidationRuleTest,
    ::testing::Values(
        Case{"EmptyId", [](auto& r) { r.clear_submission_id(); },
             "submission_id", "must not be empty"},
        Case{"LongId",
             [](auto& r) { r.set_submission_id(std::string(129, 'x')); },
             "submission_id", "at most 128"},
        Case{"EmptyTerm", [](auto& r) { r.clear_term(); }, "term",
             "must not be empty"},
        Case{"TermShape", [](auto& r) { r.set_term("2015秋"); }, "term",
             "YEAR-spring or YEAR-autumn"},
        Case{"TermSeason", [](auto& r) { r.set_term("2015-summer"); }, "term",
             "YEAR-spring or YEAR-autumn"},
        Case{"TermYear", [](auto& r) { r.set_term("1999-autumn"); }, "term",
             "2000..2099"},
        Case{"EmptyCounty", [](auto& r) { r.clear_county(); }, "county",
             "must not be empty"},
        Case{"EmptyDistrict", [](auto& r) { r.clear_district(); }, "district",
             "must not be empty"},
        Case{"EmptySchool", [](auto& r) { r.clear_school(); }, "school",
             "must not be empty"},
        Case{"LongSchool", [](auto& r) { r.set_school(std::string(257, 'x')); },
             "school", "at most 256 bytes"},
        Case{"InvalidUtf8", [](auto& r) { r.set_school("\xe5\x9f"); }, "school",
             "valid UTF-8"},
        Case{"Surrogate", [](auto& r) { r.set_district("\xed\xa0\x80"); },
             "district", "valid UTF-8"},
        Case{"Overlong", [](auto& r) { r.set_county("\xc0\xaf"); }, "county",
             "valid UTF-8"},
        Case{"ControlCharacter",
             [](auto& r) { r.set_school(std::string("a\0b", 3)); }, "school",
             "control characters"},
        Case{"Whitespace", [](auto& r) { r.set_school("城北 "); }, "school",
             "whitespace"},
        Case{"IdeographicSpace",
             [](auto& r) { r.set_county("利辛县\u3000"); }, "county",
             "whitespace (U+3000)"},
        Case{"NoBreakSpaceFirst",
             [](auto& r) { r.set_district("\u00a0城北"); }, "district",
             "whitespace (U+00A0)"},
        Case{"ZeroWidthSpace",
             [](auto& r) { r.set_county("利辛县\u200b"); }, "county",
             "invisible or format characters (U+200B)"},
        Case{"ByteOrderMarkInside",
             [](auto& r) { r.set_school("城北\ufeff小学"); }, "school",
             "invisible or format characters (U+FEFF)"},
        Case{"LineSeparator",
             [](auto& r) { r.set_school("城北\u2028小学"); }, "school",
             "invisible or format characters (U+2028)"},
        Case{"RightToLeftMark",
             [](auto& r) { r.set_district("城\u200f北"); }, "district",
             "invisible or format characters (U+200F)"},
        Case{"NoGrades", [](auto& r) { r.clear_grades(); }, "grades",
             "at least one grade"},
        Case{"GradeZero", [](auto& r) { r.mutable_grades(1)->set_grade(0); },
             "grades[1].grade", "must be in 1..12, got 0"},
        Case{"GradeThirteen",
             [](auto& r) { r.mutable_grades(0)->set_grade(13); },
             "grades[0].grade", "must be in 1..12"},
        Case{"RepeatedGrade",
             [](auto& r) { r.mutable_grades(1)->set_grade(1); },
             "grades[1].grade", "appears more than once"},
        Case{"NegativeOnsite",
             [](auto& r) { r.mutable_grades(0)->set_onsite_count(-1); },
             "grades[0].onsite_count", "must not be negative"},
        Case{"NegativeRegistry",
             [](auto& r) { r.mutable_grades(1)->set_registry_count(-5); },
             "grades[1].registry_count", "must not be negative"},
        Case{"HugeRegistry",
             [](auto& r) {
               r.mutable_grades(1)->set_registry_count(kMaxCount + 1);
             },
             "grades[1].registry_count", "at most 1000000"},
        Case{"TooManyGrades",
             [](auto& r) {
               for (int i = 0; i < 11; ++i) r.add_grades()->set_grade(3 + i);
             },
             "grades", "at most 12 grades"}),
    [](const ::testing::TestParamInfo<Case>& info) { return info.param.name; });

TEST(ValidateSubmitRequestTest, ReportsEveryViolation) {
  v1::SubmitRequest request = ValidRequest();
  request.clear_term();
  request.mutable_grades(0)->set_onsite_count(-1);
  EXPECT_THAT(
      ValidateSubmitRequest(request),
      ElementsAre(Field(&FieldViolation::field, "term"),
                  Field(&FieldViolation::field, "grades[0].onsite_count")));
}

TEST(ValidateSubmitRequestTest, SpacesInsideANameAreFine) {
  v1::SubmitRequest request = ValidRequest();
  request.set_school("Lixin No. 1 Middle School");
  EXPECT_THAT(ValidateSubmitRequest(request), IsEmpty());
}

TEST(ValidateSubmitRequestTest, AcceptsTheLimits) {
  v1::SubmitRequest request = ValidRequest();
  request.mutable_grades(0)->set_onsite_count(0);
  request.mutable_grades(0)->set_registry_count(kMaxCount);
  request.mutable_grades(1)->set_grade(12);
  EXPECT_THAT(ValidateSubmitRequest(request), IsEmpty());
}

TEST(TermTest, ParsesBothSeasons) {
  absl::StatusOr<Term> autumn = ParseTerm("2015-autumn");
  ASSERT_THAT(autumn.status(), testing::IsOk());
  EXPECT_EQ(autumn->year, 2015);
  EXPECT_EQ(autumn->season, Term::Season::kAutumn);
  EXPECT_EQ(autumn->ToString(), "2015-autumn");
  absl::StatusOr<Term> spring = ParseTerm("2016-spring");
  ASSERT_THAT(spring.status(), testing::IsOk());
  EXPECT_EQ(spring->ToString(), "2016-spring");
  for (const char* bad : {"", "2015", "2015-", "15-autumn", "2015-Autumn",
                          "2015_autumn", "2015-autumnx", "x015-autumn"}) {
    EXPECT_FALSE(ParseTerm(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace headcount
