// The published tables without storage or servers: pinyin order, numbering,
// totals, flags and the notice's ratios.
#include "audit_service/report_builder.h"

#include <memory>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace headcount::audit {
namespace {

using ::testing::ElementsAre;

class ReportBuilderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto order = PinyinOrder::Create();
    ASSERT_TRUE(order.ok()) << order.status();
    order_ = *std::move(order);
  }

  std::vector<std::string> Names(
      const google::protobuf::RepeatedPtrField<v1::ReportRow>& rows) {
    std::vector<std::string> names;
    for (const v1::ReportRow& row : rows) {
      names.push_back(absl::StrCat(row.row_number(), " ", row.name()));
    }
    return names;
  }

  ThresholdPolicy policy_;
  std::unique_ptr<PinyinOrder> order_;
};

TEST_F(ReportBuilderTest, CountyReportIsAttachmentOnesShape) {
  ReportBuilder builder(&policy_, order_.get());
  // Given in key (byte) order, printed in pinyin order.
  auto report = builder.CountyReport("2015-autumn", "利辛县", 7,
                                     {{"永兴", {514, 533}},
                                      {"城关", {4000, 4010}},
                                      {"阚疃", {2000, 2001}},
                                      {"巩店", {1032, 1000}}});
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_THAT(Names(report->rows()),
              ElementsAre("1 城关", "2 巩店", "3 阚疃", "4 永兴"));
  EXPECT_EQ(report->revision(), 7);
  EXPECT_EQ(report->over_threshold_ppm(), 20'000);
  const v1::ReportRow& yongxing = report->rows(3);
  EXPECT_EQ(yongxing.difference(), 19);
  EXPECT_EQ(yongxing.ratio(), "0.036");
  EXPECT_EQ(yongxing.ratio_ppm(), 35'647);
  EXPECT_TRUE(yongxing.over_threshold());
  EXPECT_EQ(yongxing.rule(), v1::OVER_REGISTRATION);
  const v1::ReportRow& gongdian = report->rows(1);
  EXPECT_EQ(gongdian.ratio(), "-0.032");
  EXPECT_FALSE(gongdian.over_threshold());  // the under rule is off
  // 合计: exact integer sums, the same rounding.
  EXPECT_EQ(report->total().name(), "合计");
  EXPECT_EQ(report->total().row_number(), 0);
  EXPECT_EQ(report->total().onsite_count(), 514 + 4000 + 2000 + 1032);
  EXPECT_EQ(report->total().registry_count(), 533 + 4010 + 2001 + 1000);
  EXPECT_EQ(report->total().ratio(), "0.000");  // -2 of 7544 rounds to zero
}

TEST_F(ReportBuilderTest, DistrictReportAndNothingCounted) {
  ReportBuilder builder(&policy_, order_.get());
  auto report = builder.DistrictReport(
      "2015-autumn", "利辛县", "永兴", 3,
      {{"双龙中学", {103, 123}}, {"永兴中心小学", {411, 410}}});
  ASSERT_TRUE(report.ok());
  EXPECT_THAT(Names(report->rows()),
              ElementsAre("1 双龙中学", "2 永兴中心小学"));
  EXPECT_EQ(report->district(), "永兴");
  EXPECT_EQ(report->rows(1).ratio(), "-0.002");
  EXPECT_EQ(report->total().ratio(), "0.036");

  auto nothing = builder.CountyReport("2015-autumn", "无县", 3, {});
  EXPECT_EQ(nothing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(nothing.status().message()),
              ::testing::HasSubstr("nothing counted for county 无县"));
  EXPECT_EQ(builder.DistrictReport("2015-autumn", "利辛县", "无", 3, {})
                .status()
                .code(),
            absl::StatusCode::kNotFound);
}

TEST_F(ReportBuilderTest, RegistryZeroHasNoRatio) {
  ReportBuilder builder(&policy_, order_.get());
  auto report = builder.DistrictReport("2015-autumn", "利辛县", "永兴", 1,
                                       {{"新教学点", {12, 0}}});
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->rows(0).ratio(), "-");
  EXPECT_EQ(report->rows(0).ratio_ppm(), 0);
  EXPECT_FALSE(report->rows(0).over_threshold());
}

TEST_F(ReportBuilderTest, GradeDiscrepanciesInDistrictSchoolGradeOrder) {
  ReportBuilder builder(&policy_, order_.get());
  std::vector<v1::SchoolRecord> schools(2);
  schools[0].set_district("永兴");
  schools[0].set_school("双龙中学");
  for (auto [grade, onsite, registry] :
       {std::tuple{9, 53, 72}, std::tuple{7, 60, 60}}) {
    v1::GradeCount* g = schools[0].add_grades();
    g->set_grade(grade);
    g->set_onsite_count(onsite);
    g->set_registry_count(registry);
  }
  schools[1].set_district("城关");
  schools[1].set_school("城关小学");
  v1::GradeCount* g = schools[1].add_grades();
  g->set_grade(1);
  g->set_onsite_count(50);
  g->set_registry_count(50);

  auto all = builder.GradeDiscrepancies(schools, false, 4);
  std::vector<std::string> listed;
  for (const auto& d : all.grades()) {
    listed.push_back(absl::StrCat(d.district(), " ", d.school(), " ", d.grade(),
                                  " ", d.ratio(),
                                  d.over_threshold() ? " over" : ""));
  }
  EXPECT_THAT(listed,
              ElementsAre("城关 城关小学 1 0.000", "永兴 双龙中学 7 0.000",
                          "永兴 双龙中学 9 0.264 over"));
  EXPECT_EQ(all.revision(), 4);
  auto flagged = builder.GradeDiscrepancies(schools, true, 4);
  ASSERT_EQ(flagged.grades_size(), 1);
  EXPECT_EQ(flagged.grades(0).grade(), 9);
}

TEST_F(ReportBuilderTest, SortsNamesByPinyin) {
  ReportBuilder builder(&policy_, order_.get());
  std::vector<std::string> counties = {"利辛县", "蒙城县", "涡阳县", "谯城区"};
  builder.SortNames(counties);
  EXPECT_THAT(counties, ElementsAre("利辛县", "蒙城县", "谯城区", "涡阳县"));
}

}  // namespace
}  // namespace headcount::audit
