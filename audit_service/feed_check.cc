#include "audit_service/feed_check.h"

#include "absl/strings/str_cat.h"
#include "common/domain/validation.h"

namespace headcount::audit {

absl::Status CheckFeedRevision(FeedSource source, int64_t applied,
                               int64_t revision,
                               const std::vector<v1::Event>& events) {
  if (source == FeedSource::kWatch && revision != applied + 1) {
    return absl::DataLossError(absl::StrCat(
        "the feed jumped from revision ", applied, " to ", revision,
        ": revisions ", applied + 1, "..", revision - 1, " are missing"));
  }
  if (source == FeedSource::kList && revision < applied) {
    return absl::DataLossError(absl::StrCat("a listing at revision ", revision,
                                            " is behind the applied ",
                                            applied));
  }
  for (const v1::Event& event : events) {
    if (event.type() == v1::Event::REGION_PUT) {
      const v1::Region& region = event.region();
      std::vector<FieldViolation> violations = ValidateRegion(region);
      const bool stamped_right = source == FeedSource::kWatch
                                     ? region.mod_revision() == revision
                                     : region.mod_revision() <= revision;
      if (violations.empty() && !stamped_right) {
        violations.push_back(
            {"region.mod_revision", absl::StrCat("is ", region.mod_revision(),
                                                 " in revision ", revision)});
      }
      if (!violations.empty()) {
        return absl::DataLossError(absl::StrCat(
            "revision ", revision, ", region of ", region.county(), ": ",
            violations.front().field, ": ", violations.front().description));
      }
      continue;
    }
    if (event.type() == v1::Event::ROSTER_PUT ||
        event.type() == v1::Event::ROSTER_DELETE) {
      const v1::RosterEntry& entry = event.roster();
      const bool removal = event.type() == v1::Event::ROSTER_DELETE;
      std::vector<FieldViolation> violations;
      if (removal && source == FeedSource::kList) {
        violations.push_back({"type", "must be ROSTER_PUT in a listing"});
      } else {
        violations = ValidateRosterEntry(entry, removal);
      }
      const bool stamped_right = source == FeedSource::kWatch
                                     ? entry.mod_revision() == revision
                                     : entry.mod_revision() <= revision;
      if (violations.empty() && !stamped_right) {
        violations.push_back(
            {"roster.mod_revision", absl::StrCat("is ", entry.mod_revision(),
                                                 " in revision ", revision)});
      }
      if (!violations.empty()) {
        return absl::DataLossError(absl::StrCat(
            "revision ", revision, ", roster entry ", entry.county(), "/",
            entry.district(), "/", entry.school(), ": ",
            violations.front().field, ": ", violations.front().description));
      }
      continue;
    }
    const v1::SchoolRecord& record = event.school();
    const bool removal = event.type() == v1::Event::DELETE;
    std::vector<FieldViolation> violations;
    if (event.type() != v1::Event::PUT &&
        (!removal || source == FeedSource::kList)) {
      violations.push_back(
          {"type", absl::StrCat("must be PUT", source == FeedSource::kList
                                                   ? " in a listing"
                                                   : " or DELETE",
                                ", got ", v1::Event::Type_Name(event.type()))});
    } else {
      violations = removal ? ValidateRemovedSchool(record)
                           : ValidateSchoolRecord(record);
    }
    const bool stamped_right = source == FeedSource::kWatch
                                   ? record.mod_revision() == revision
                                   : record.mod_revision() <= revision;
    if (violations.empty() && !stamped_right) {
      violations.push_back(
          {"mod_revision",
           absl::StrCat("is ", record.mod_revision(), " in revision ",
                        revision)});
    }
    if (!violations.empty()) {
      return absl::DataLossError(absl::StrCat(
          "revision ", revision, ", school ", record.county(), "/",
          record.district(), "/", record.school(), ": ",
          violations.front().field, ": ", violations.front().description));
    }
  }
  return absl::OkStatus();
}

std::vector<v1::Event> PutEvents(std::vector<v1::SchoolRecord> records,
                                 std::vector<v1::RosterEntry> roster,
                                 std::vector<v1::Region> regions) {
  std::vector<v1::Event> events;
  events.reserve(records.size() + roster.size() + regions.size());
  for (v1::Region& region : regions) {
    v1::Event& event = events.emplace_back();
    event.set_type(v1::Event::REGION_PUT);
    *event.mutable_region() = std::move(region);
  }
  events.resize(events.size() + records.size() + roster.size());
  const size_t first = regions.size();
  for (size_t i = 0; i < records.size(); ++i) {
    events[first + i].set_type(v1::Event::PUT);
    *events[first + i].mutable_school() = std::move(records[i]);
  }
  for (size_t i = 0; i < roster.size(); ++i) {
    v1::Event& event = events[first + records.size() + i];
    event.set_type(v1::Event::ROSTER_PUT);
    *event.mutable_roster() = std::move(roster[i]);
  }
  return events;
}

std::vector<FeedRevision> SplitByRevision(int64_t revision,
                                          std::vector<v1::Event> events) {
  auto stamp = [](const v1::Event& e) {
    switch (e.type()) {
      case v1::Event::ROSTER_PUT:
      case v1::Event::ROSTER_DELETE:
        return e.roster().mod_revision();
      case v1::Event::REGION_PUT:
        return e.region().mod_revision();
      default:
        return e.school().mod_revision();
    }
  };
  bool clean = !events.empty() && stamp(events.back()) == revision;
  for (size_t i = 0; clean && i < events.size(); ++i) {
    const int64_t r = stamp(events[i]);
    clean = r > 0 && r <= revision && (i == 0 || r >= stamp(events[i - 1]));
  }
  std::vector<FeedRevision> revisions;
  if (!clean) {
    revisions.push_back({revision, std::move(events)});
    return revisions;
  }
  for (v1::Event& event : events) {
    const int64_t r = stamp(event);
    if (revisions.empty() || revisions.back().revision != r) {
      revisions.push_back({r, {}});
    }
    revisions.back().events.push_back(std::move(event));
  }
  return revisions;
}

}  // namespace headcount::audit
