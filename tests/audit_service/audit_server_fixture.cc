#include "tests/audit_service/audit_server_fixture.h"

#include <algorithm>
#include <fstream>
#include <sstream>

namespace headcount::audit {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::vector<std::vector<std::string>> ReadTsv(const std::string& name) {
  std::vector<std::vector<std::string>> rows;
  for (absl::string_view line : absl::StrSplit(
           ReadFile(testing::FixturePath(name)), '\n', absl::SkipEmpty())) {
    rows.push_back(absl::StrSplit(line, '\t'));
  }
  return rows;
}

// The roster of the fixture's 109 schools, each with the grades it counted.
v1::PutRosterRequest FixtureRoster() {
  v1::PutRosterRequest roster;
  roster.set_submission_id("roster");
  roster.set_term(kTerm);
  roster.set_county(kCounty);
  for (const auto& s : FixtureSchools()) {
    v1::RosterEntry* entry = roster.add_schools();
    entry->set_district(s.district());
    entry->set_school(s.school());
    for (const auto& g : s.grades()) entry->add_grades(g.grade());
  }
  return roster;
}

std::vector<v1::SubmitRequest> FixtureSchools() {
  auto imported =
      ParseHeadcountCsv(ReadFile(testing::FixturePath("headcounts.csv")));
  EXPECT_TRUE(imported.ok()) << imported.status();
  return imported->schools;
}

std::vector<std::string> OpenAlertFacts(AuditStore& store) {
  auto alerts = store.ListAlerts({});
  EXPECT_TRUE(alerts.ok()) << alerts.status();
  std::vector<std::string> facts;
  if (!alerts.ok()) return facts;
  for (const v1::AlertEvent& a : alerts->alerts()) {
    facts.push_back(absl::StrCat(a.level(), "|", a.term(), "|", a.county(), "|",
                                 a.district(), "|", a.school(), "|", a.grade(),
                                 "|", a.onsite_count(), "|", a.registry_count(),
                                 "|", a.ratio(), "|", a.rule()));
  }
  std::sort(facts.begin(), facts.end());
  return facts;
}

}  // namespace headcount::audit
