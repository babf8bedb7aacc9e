#include "audit_service/audit_store.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <tuple>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "common/domain/alert_filter.h"
#include "common/domain/mutex.h"
#include "common/domain/random_id.h"
#include "common/domain/school_key.h"
#include "common/domain/status_util.h"
#include "common/domain/validation.h"
#include "common/storage/durable_db.h"
#include "common/server/metrics.h"
#include "common/storage/rocksdb_reader.h"
#include "google/protobuf/util/time_util.h"
#include "headcount/storage/storage.pb.h"
#include "rocksdb/options.h"
#include "rocksdb/utilities/write_batch_with_index.h"

namespace headcount::audit {
namespace {

// Key spaces, one leading byte each.
constexpr char kSchoolSpace = 'G';  // G + school key -> v1::SchoolRecord
// K + school key -> the district's self-check v1::SchoolRecord: compared
// with the inspection's, never summed into the published tables.
constexpr char kSelfCheckSpace = 'K';
constexpr char kTotalsSpace = 'A';  // A + level + scope -> storage::Totals
constexpr char kOpenSpace = 'O';    // O + alert key -> open v1::AlertEvent
constexpr char kEventSpace = 'E';   // E + alert id -> v1::AlertEvent
constexpr char kRosterSpace = 'R';  // R + school key -> v1::RosterEntry
constexpr char kRegionSpace = 'N';  // N + county -> v1::Region
// C + term -> the coverage deadline (Timestamp) the term was found due at.
constexpr char kCoverageDueSpace = 'C';
constexpr char kAppliedKey[] = "Mapplied";  // -> last ingest revision applied
constexpr char kLastAlertKey[] = "Malert";  // -> last alert id
constexpr char kHistoryKey[] = "Mhistory";  // -> ingest history id
constexpr char kEpochKey[] = "Mepoch";      // -> alert epoch

constexpr absl::string_view kSep("\0", 1);

absl::string_view Space(const char& space) {
  return absl::string_view(&space, 1);
}

// Scope of a sum: term, county[, district[, school]] joined by NUL.
std::string Scope(v1::Level level, absl::string_view term,
                  absl::string_view county, absl::string_view district,
                  absl::string_view school) {
  switch (level) {
    case v1::COUNTY:
      return absl::StrCat(term, kSep, county);
    case v1::DISTRICT:
      return absl::StrCat(term, kSep, county, kSep, district);
    default:
      return absl::StrCat(term, kSep, county, kSep, district, kSep, school);
  }
}

std::string TotalsKey(v1::Level level, const std::string& scope) {
  const char level_byte = static_cast<char>('0' + level);
  return absl::StrCat(Space(kTotalsSpace), Space(level_byte), scope);
}

// The prefix of the sums that are the rows of a county's report (its
// districts) or, with `district`, of that district's report (its schools).
std::string RowTotalsPrefix(absl::string_view term, absl::string_view county,
                            absl::string_view district) {
  return district.empty()
             ? TotalsKey(v1::DISTRICT,
                         absl::StrCat(Scope(v1::COUNTY, term, county, "", ""),
                                      kSep))
             : TotalsKey(v1::SCHOOL,
                         absl::StrCat(Scope(v1::DISTRICT, term, county,
                                            district, ""),
                                      kSep));
}

std::string AreaTotalsKey(v1::Level level, const v1::SchoolRecord& school) {
  return TotalsKey(level, Scope(level, school.term(), school.county(),
                                school.district(), ""));
}

// Keys of the open alerts sort by level, then place, then grade.
std::string AlertKey(const v1::AlertEvent& e) {
  const char level = static_cast<char>('0' + e.level());
  const char grade = static_cast<char>(e.grade());
  // A district's coverage alert is apart from its counts' alert, a
  // grade's source mismatch apart from its over-registration. Above the
  // county the province and city stand where county and district do.
  const bool above = e.level() == v1::CITY || e.level() == v1::PROVINCE;
  return absl::StrCat(Space(kOpenSpace), Space(level), e.term(), kSep,
                      above ? e.province() : e.county(), kSep,
                      above ? e.city() : e.district(), kSep, e.school(), kSep,
                      Space(grade),
                      e.rule() == v1::INCOMPLETE_COVERAGE ? "C"
                      : e.rule() == v1::SOURCE_MISMATCH   ? "S"
                                                          : "");
}

std::string CoverageDueKey(absl::string_view term) {
  return absl::StrCat(Space(kCoverageDueSpace), term);
}

google::protobuf::Timestamp ToTimestamp(absl::Time time) {
  return google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(
      absl::ToUnixMicros(time));
}

// Grades by school, and those by district.
using SchoolGrades = std::map<std::string, std::set<int>>;
using DistrictGrades = std::map<std::string, SchoolGrades>;

// The roster's grades and the counted grades under one prefix of the
// school key (a county's or a district's).
absl::Status ReadGrades(RocksDbReader& reader, const std::string& key_prefix,
                        DistrictGrades& expected, DistrictGrades& reported) {
  RETURN_IF_ERROR(reader.Scan<v1::RosterEntry>(
      absl::StrCat(Space(kRosterSpace), key_prefix), "",
      [&](absl::string_view, v1::RosterEntry& entry) {
        expected[entry.district()][entry.school()].insert(
            entry.grades().begin(), entry.grades().end());
        return true;
      }));
  return reader.Scan<v1::SchoolRecord>(
      absl::StrCat(Space(kSchoolSpace), key_prefix), "",
      [&](absl::string_view, v1::SchoolRecord& record) {
        std::set<int>& grades = reported[record.district()][record.school()];
        for (const v1::GradeCount& g : record.grades()) grades.insert(g.grade());
        return true;
      });
}

void SortByPinyin(const PinyinOrder& order, std::vector<std::string>& names) {
  std::sort(names.begin(), names.end(),
            [&order](const std::string& a, const std::string& b) {
              return order.Less(a, b);
            });
}

// One district's row of the coverage report: what `roster` expects and what
// of it `counted` holds; lists in pinyin order.
v1::DistrictCoverage CoverageRow(const std::string& district,
                                 const SchoolGrades& roster,
                                 const SchoolGrades& counted,
                                 const PinyinOrder& order) {
  v1::DistrictCoverage row;
  row.set_district(district);
  std::vector<std::string> missing, unexpected;
  for (const auto& [school, grades] : roster) {
    row.set_schools_expected(row.schools_expected() + 1);
    row.set_grades_expected(row.grades_expected() +
                            static_cast<int>(grades.size()));
    auto found = counted.find(school);
    if (found == counted.end()) {
      missing.push_back(school);
      continue;
    }
    row.set_schools_reported(row.schools_reported() + 1);
    std::vector<int> lacking;
    for (int grade : grades) {
      if (found->second.count(grade) > 0) {
        row.set_grades_reported(row.grades_reported() + 1);
      } else {
        lacking.push_back(grade);
      }
    }
    if (!lacking.empty()) {
      v1::MissingGrades* gap = row.add_missing_grades();
      gap->set_school(school);
      for (int grade : lacking) gap->add_grades(grade);
    }
  }
  for (const auto& [school, grades] : counted) {
    if (roster.count(school) == 0) unexpected.push_back(school);
  }
  SortByPinyin(order, missing);
  SortByPinyin(order, unexpected);
  for (std::string& s : missing) row.add_missing_schools(std::move(s));
  for (std::string& s : unexpected) row.add_unexpected_schools(std::move(s));
  std::sort(row.mutable_missing_grades()->begin(),
            row.mutable_missing_grades()->end(),
            [&order](const v1::MissingGrades& a, const v1::MissingGrades& b) {
              return order.Less(a.school(), b.school());
            });
  return row;
}

std::string EventKey(int64_t alert_id) {
  return absl::StrCat(Space(kEventSpace), EncodeCounter(alert_id));
}

bool IsRegionEvent(const v1::Event& event) {
  return event.type() == v1::Event::REGION_PUT;
}

std::string RegionDbKey(absl::string_view county) {
  return absl::StrCat(Space(kRegionSpace), county);
}

bool IsRosterEvent(const v1::Event& event) {
  return event.type() == v1::Event::ROSTER_PUT ||
         event.type() == v1::Event::ROSTER_DELETE;
}

std::string RosterDbKey(const v1::RosterEntry& e) {
  return absl::StrCat(
      Space(kRosterSpace),
      EncodeSchoolKey({e.term(), e.county(), e.district(), e.school()}));
}

bool IsSelfCheck(const v1::SchoolRecord& r) {
  return r.source() == v1::SELF_CHECK;
}

// The key space of `source`'s school records.
const char& SchoolSpace(v1::Source source) {
  return source == v1::SELF_CHECK ? kSelfCheckSpace : kSchoolSpace;
}

// The record's key in its source's space.
std::string SchoolDbKey(const v1::SchoolRecord& r) {
  return absl::StrCat(
      Space(SchoolSpace(r.source())),
      EncodeSchoolKey({r.term(), r.county(), r.district(), r.school()}));
}

// The record's name alone: term, county, district, school and source.
v1::SchoolRecord NameOf(const v1::SchoolRecord& r) {
  v1::SchoolRecord name;
  name.set_term(r.term());
  name.set_county(r.county());
  name.set_district(r.district());
  name.set_school(r.school());
  name.set_source(r.source());
  return name;
}

// Every county's region as `reader` sees it, by county.
absl::StatusOr<std::map<std::string, v1::Region>> ReadRegions(
    RocksDbReader& reader) {
  std::map<std::string, v1::Region> regions;
  RETURN_IF_ERROR(reader.Scan<v1::Region>(
      std::string(1, kRegionSpace), "",
      [&](absl::string_view, v1::Region& region) {
        regions.emplace(region.county(), std::move(region));
        return true;
      }));
  return regions;
}

std::optional<v1::GradeCount> GradeOf(
    const std::optional<v1::SchoolRecord>& record, int grade) {
  if (!record.has_value()) return std::nullopt;
  for (const v1::GradeCount& g : record->grades()) {
    if (g.grade() == grade) return g;
  }
  return std::nullopt;
}

Counts FromTotals(const storage::Totals& stored) {
  return {stored.onsite_count(), stored.registry_count()};
}

std::string TotalsValue(const Counts& counts) {
  storage::Totals stored;
  stored.set_onsite_count(counts.onsite_count);
  stored.set_registry_count(counts.registry_count);
  return stored.SerializeAsString();
}

// Reads of one revision's batch: the database under the batch's writes.
absl::StatusOr<Counts> ReadCounts(RocksDbReader& reader,
                                  const std::string& key) {
  ASSIGN_OR_RETURN(std::optional<storage::Totals> stored,
                   reader.GetProto<storage::Totals>(key));
  return stored.has_value() ? FromTotals(*stored) : Counts{};
}

// A county's sums in `term`; nullopt when it counted nothing there.
absl::StatusOr<std::optional<Counts>> ReadCountyCounts(RocksDbReader& reader,
                                                       absl::string_view term,
                                                       absl::string_view county) {
  ASSIGN_OR_RETURN(std::optional<storage::Totals> stored,
                   reader.GetProto<storage::Totals>(TotalsKey(
                       v1::COUNTY, Scope(v1::COUNTY, term, county, "", ""))));
  if (!stored.has_value()) return std::optional<Counts>();
  return std::optional<Counts>(FromTotals(*stored));
}

}  // namespace

// Numbers, stamps and writes the alert events of one batch: the event log
// and the open alert each changes.
class AuditStore::AlertAppender {
 public:
  // `reader` reads the batch's state: each event carries its county's
  // region as of it.
  AlertAppender(rocksdb::WriteBatchWithIndex& batch, RocksDbReader& reader,
                int64_t last_alert_id, int64_t revision, absl::Time now)
      : batch_(batch),
        reader_(reader),
        next_alert_id_(last_alert_id + 1),
        revision_(revision),
        now_(ToTimestamp(now)) {}

  // The events appended from now on are caused by `revision` (a batch of
  // several); regions are read again, as that revision leaves them.
  void set_revision(int64_t revision) {
    revision_ = revision;
    regions_.clear();
  }

  // `event` (without id, revision or time) changes the alert open at
  // `open_key`.
  absl::Status Append(const std::string& open_key, v1::AlertEvent event,
                      const std::string& submitted_by) {
    event.set_alert_id(next_alert_id_++);
    event.set_revision(revision_);
    *event.mutable_time() = now_;
    event.set_submitted_by(submitted_by);
    if (!event.county().empty()) {
      auto region = regions_.find(event.county());
      if (region == regions_.end()) {
        ASSIGN_OR_RETURN(std::optional<v1::Region> stored,
                         reader_.GetProto<v1::Region>(
                             RegionDbKey(event.county())));
        region = regions_.emplace(event.county(),
                                  stored.value_or(v1::Region()))
                     .first;
      }
      event.set_city(region->second.city());
      event.set_province(region->second.province());
    }
    const std::string serialized = event.SerializeAsString();
    RETURN_IF_ERROR(BatchPut(batch_, EventKey(event.alert_id()), serialized));
    if (event.state() == v1::AlertEvent::CLEARED) {
      RETURN_IF_ERROR(FromRocksDb(batch_.Delete(open_key), "batch"));
    } else {
      RETURN_IF_ERROR(BatchPut(batch_, open_key, serialized));
    }
    ++states_[event.state()];
    return absl::OkStatus();
  }

  int64_t last_alert_id() const { return next_alert_id_ - 1; }
  int appended() const {
    int total = 0;
    for (const auto& [state, count] : states_) total += count;
    return total;
  }
  // Counts the events in the metrics; once the batch is written.
  void Count() const {
    static prometheus::Family<prometheus::Counter>& alert_events =
        prometheus::BuildCounter()
            .Name("headcount_audit_alert_events_total")
            .Help("Alert events written, by state (RAISED, UPDATED, CLEARED).")
            .Register(MetricsRegistry());
    for (const auto& [state, count] : states_) {
      alert_events.Add({{"state", v1::AlertEvent::State_Name(state)}})
          .Increment(count);
    }
  }

 private:
  rocksdb::WriteBatchWithIndex& batch_;
  RocksDbReader& reader_;
  std::map<std::string, v1::Region> regions_;  // by county, as read
  int64_t next_alert_id_;
  int64_t revision_;
  const google::protobuf::Timestamp now_;
  std::map<v1::AlertEvent::State, int> states_;
};

absl::StatusOr<std::unique_ptr<AuditStore>> AuditStore::Open(
    const Options& options) {
  ASSIGN_OR_RETURN(std::unique_ptr<PinyinOrder> order, PinyinOrder::Create());
  ASSIGN_OR_RETURN(std::unique_ptr<rocksdb::DB> db,
                   OpenDurableDb(options.data_dir, options.env));
  RocksDbReader reader(db.get());
  ASSIGN_OR_RETURN(int64_t applied, reader.GetCounter(kAppliedKey));
  ASSIGN_OR_RETURN(int64_t last_alert, reader.GetCounter(kLastAlertKey));
  ASSIGN_OR_RETURN(std::optional<std::string> history,
                   reader.Get(kHistoryKey));
  ASSIGN_OR_RETURN(std::string epoch,
                   ReadOrRecordRandomId(*db, kEpochKey, "alert epoch"));
  std::set<std::string> coverage_terms;
  RETURN_IF_ERROR(reader.Scan<google::protobuf::Timestamp>(
      std::string(1, kCoverageDueSpace), "",
      [&](absl::string_view key, google::protobuf::Timestamp&) {
        coverage_terms.insert(std::string(key.substr(1)));
        return true;
      }));
  return std::unique_ptr<AuditStore>(new AuditStore(
      options, std::move(db), std::move(order), applied, last_alert,
      history.value_or(""), std::move(epoch), std::move(coverage_terms)));
}

AuditStore::AuditStore(const Options& options, std::unique_ptr<rocksdb::DB> db,
                       std::unique_ptr<PinyinOrder> order,
                       int64_t applied_revision, int64_t last_alert_id,
                       std::string history_id, std::string epoch,
                       std::set<std::string> coverage_terms)
    : options_(options),
      db_(std::move(db)),
      order_(std::move(order)),
      evaluator_(options_.policy),
      builder_(&options_.policy, order_.get()),
      coverage_terms_(std::move(coverage_terms)),
      applied_revision_(applied_revision),
      last_alert_id_(last_alert_id),
      history_id_(std::move(history_id)),
      epoch_(std::move(epoch)) {}

AuditStore::~AuditStore() { db_->Close().PermitUncheckedError(); }

std::string AuditStore::history_id() const {
  ReaderMutexLock lock(&ids_mu_);
  return history_id_;
}

std::string AuditStore::epoch() const {
  ReaderMutexLock lock(&ids_mu_);
  return epoch_;
}

absl::StatusOr<bool> AuditStore::EnterHistory(const std::string& history_id) {
  MutexLock apply_lock(&apply_mu_);
  const std::string ours = this->history_id();
  if (ours == history_id) return false;
  rocksdb::WriteOptions write_options;
  write_options.sync = options_.sync;
  rocksdb::WriteBatch batch;
  const bool start_over = !ours.empty();
  const std::string epoch = start_over ? NewRandomId() : this->epoch();
  if (start_over) {
    // Every key of every space; the meta keys are written again below.
    RETURN_IF_ERROR(FromRocksDb(batch.DeleteRange(std::string(1, '\0'),
                                                  std::string(1, '\xff')),
                                "batch"));
    RETURN_IF_ERROR(FromRocksDb(batch.Put(kAppliedKey, EncodeCounter(0)),
                                "batch"));
    RETURN_IF_ERROR(FromRocksDb(batch.Put(kLastAlertKey, EncodeCounter(0)),
                                "batch"));
    RETURN_IF_ERROR(FromRocksDb(batch.Put(kEpochKey, epoch), "batch"));
  }
  RETURN_IF_ERROR(FromRocksDb(batch.Put(kHistoryKey, history_id), "batch"));
  // Readers that take epoch() before and after a read know that what they
  // read belongs to one epoch when both agree.
  if (options_.disk_floor != nullptr) {
    RETURN_IF_ERROR(options_.disk_floor->Check());
  }
  MutexLock lock(&ids_mu_);
  RETURN_IF_ERROR(FromRocksDb(db_->Write(write_options, &batch),
                              "record the ingest history"));
  if (start_over) {
    applied_revision_.store(0);
    last_alert_id_.store(0);
    coverage_terms_.clear();
  }
  history_id_ = history_id;
  epoch_ = epoch;
  return start_over;
}

absl::StatusOr<int> AuditStore::Apply(int64_t revision,
                                      const std::vector<v1::Event>& events) {
  MutexLock lock(&apply_mu_);
  return ApplyLocked({{revision, &events}});
}

absl::StatusOr<int> AuditStore::ApplyRevisions(
    const std::vector<Revision>& revisions) {
  std::vector<std::pair<int64_t, const std::vector<v1::Event>*>> staged;
  for (const Revision& r : revisions) staged.emplace_back(r.revision, &r.events);
  MutexLock lock(&apply_mu_);
  return ApplyLocked(staged);
}

absl::StatusOr<int> AuditStore::ApplySnapshot(
    int64_t revision, const std::vector<v1::Event>& events) {
  MutexLock lock(&apply_mu_);
  if (revision <= applied_revision_.load()) return 0;
  std::set<std::string> listed;
  for (const v1::Event& event : events) {
    listed.insert(IsRegionEvent(event)   ? RegionDbKey(event.region().county())
                  : IsRosterEvent(event) ? RosterDbKey(event.roster())
                                         : SchoolDbKey(event.school()));
  }
  // What this store holds and the listing lacks goes.
  std::vector<v1::Event> all = events;
  RocksDbReader reader = RocksDbReader::AtSnapshot(db_.get());
  for (const char space : {kSchoolSpace, kSelfCheckSpace}) {
    RETURN_IF_ERROR(reader.Scan<v1::SchoolRecord>(
        std::string(1, space), "",
        [&](absl::string_view key, v1::SchoolRecord& record) {
          if (listed.count(std::string(key)) > 0) return true;
          v1::Event& removal = all.emplace_back();
          removal.set_type(v1::Event::DELETE);
          *removal.mutable_school() = NameOf(record);
          removal.mutable_school()->set_mod_revision(revision);
          return true;
        }));
  }
  RETURN_IF_ERROR(reader.Scan<v1::RosterEntry>(
      std::string(1, kRosterSpace), "",
      [&](absl::string_view key, v1::RosterEntry& entry) {
        if (listed.count(std::string(key)) > 0) return true;
        v1::Event& removal = all.emplace_back();
        removal.set_type(v1::Event::ROSTER_DELETE);
        entry.clear_grades();
        entry.set_mod_revision(revision);
        *removal.mutable_roster() = std::move(entry);
        return true;
      }));
  return ApplyLocked({{revision, &all}});
}

absl::StatusOr<int> AuditStore::ApplyLocked(
    const std::vector<std::pair<int64_t, const std::vector<v1::Event>*>>&
        revisions) {
  const int64_t applied_before = applied_revision_.load();
  const absl::Time apply_start = absl::Now();
  // Everything of these revisions goes into one batch; reads see its
  // writes, so each revision builds on the ones before it.
  rocksdb::WriteBatchWithIndex batch(rocksdb::BytewiseComparator(), 0,
                                     /*overwrite_key=*/true);
  RocksDbReader reader(db_.get(), rocksdb::ReadOptions(), &batch);
  AlertAppender alerts(batch, reader, last_alert_id_.load(), applied_before,
                       options_.clock->Now());
  int64_t last = applied_before;
  int staged = 0;
  for (const auto& [revision, events] : revisions) {
    if (revision <= last) continue;
    alerts.set_revision(revision);
    RETURN_IF_ERROR(StageRevision(batch, reader, alerts, revision, *events));
    last = revision;
    ++staged;
  }
  if (staged == 0) return 0;
  RETURN_IF_ERROR(BatchPut(batch, kAppliedKey, EncodeCounter(last)));
  RETURN_IF_ERROR(WriteWithAlerts(
      batch, alerts,
      staged == 1 ? absl::StrCat("apply revision ", last)
                  : absl::StrCat("apply revisions ", applied_before + 1, "..",
                                 last)));
  applied_revision_.store(last);
  last_alert_id_.store(alerts.last_alert_id());
  alerts.Count();
  static prometheus::Histogram& apply_seconds = MetricHistogram(
      "headcount_audit_apply_seconds",
      "Time to apply one batch of ingest revisions (discrepancies, sums, "
      "alerts, one synced write).");
  apply_seconds.Observe(absl::ToDoubleSeconds(absl::Now() - apply_start));
  static prometheus::Histogram& batch_revisions = MetricHistogram(
      "headcount_audit_apply_batch_revisions",
      "Ingest revisions applied together in one synced write.", {},
      {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024});
  batch_revisions.Observe(staged);
  return alerts.appended();
}

absl::Status AuditStore::StageRevision(rocksdb::WriteBatchWithIndex& batch,
                                       RocksDbReader& reader,
                                       AlertAppender& alerts, int64_t revision,
                                       const std::vector<v1::Event>& events) {
  std::map<std::string, AlertTarget> targets;  // by open-alert key
  // District and county sums, read once, written once after the loop.
  std::map<std::string, Counts> area_sums;  // by totals key

  // Districts and counties that lost a school: each leaves the reports
  // when it has none left.
  std::set<std::string> emptied;  // totals keys
  // Schools whose self-check or inspection changed, with the grades either
  // held before (source mismatch alerts only), by inspection key.
  ComparedSchools compared;
  for (const v1::Event& change : events) {
    if (IsRegionEvent(change)) {
      // Where the county lies: kept for the reports above counties.
      RETURN_IF_ERROR(BatchPut(batch, RegionDbKey(change.region().county()),
                               change.region().SerializeAsString()));
      continue;
    }
    if (IsRosterEvent(change)) {
      // The roster: kept for coverage, no sums or alerts of its own.
      const v1::RosterEntry& entry = change.roster();
      const std::string roster_key = RosterDbKey(entry);
      RETURN_IF_ERROR(change.type() == v1::Event::ROSTER_PUT
                          ? BatchPut(batch, roster_key,
                                     entry.SerializeAsString())
                          : FromRocksDb(batch.Delete(roster_key), "batch"));
      continue;
    }
    // A removal's record holds the school's name and no grades: its
    // counts are zero, so the sums lose what the school had.
    const v1::SchoolRecord& record = change.school();
    const bool removal = change.type() == v1::Event::DELETE;
    const std::string key = SchoolDbKey(record);
    // Our own copy, not the feed's prev_school: a correction replaces
    // exactly what this store counted.
    ASSIGN_OR_RETURN(std::optional<v1::SchoolRecord> previous,
                     reader.GetProto<v1::SchoolRecord>(key));
    if (removal && !previous.has_value()) {
      return absl::DataLossError(absl::StrCat(
          "revision ", revision, " removes school ", record.county(), "/",
          record.district(), "/", record.school(),
          ", which the audit does not hold"));
    }
    const v1::SchoolRecord& before =
        previous.has_value() ? *previous : v1::SchoolRecord::default_instance();
    if (options_.policy.source_mismatch_alerts) {
      v1::SchoolRecord name = NameOf(record);
      name.clear_source();  // the inspection's: the key both compare under
      auto& [school, grades] = compared[SchoolDbKey(name)];
      school = std::move(name);
      for (const v1::GradeCount& g : before.grades()) grades.insert(g.grade());
    }
    if (IsSelfCheck(record)) {
      // Kept to be compared; no sums, no over-registration alerts.
      RETURN_IF_ERROR(removal
                          ? FromRocksDb(batch.Delete(key), "batch")
                          : BatchPut(batch, key, record.SerializeAsString()));
      continue;
    }
    const Counts old_counts = SchoolCounts(before);
    const Counts new_counts = SchoolCounts(record);
    for (v1::Level level : {v1::DISTRICT, v1::COUNTY}) {
      const std::string totals_key = AreaTotalsKey(level, record);
      auto sum = area_sums.find(totals_key);
      if (sum == area_sums.end()) {
        ASSIGN_OR_RETURN(Counts stored, ReadCounts(reader, totals_key));
        sum = area_sums.emplace(totals_key, stored).first;
      }
      // Records are checked at the feed (at most 12 grades of 1,000,000),
      // so this holds by a wide margin; checked all the same rather than
      // publish a wrapped sum.
      if (!sum->second.AddWithoutOverflow(
              Counts{new_counts.onsite_count - old_counts.onsite_count,
                     new_counts.registry_count - old_counts.registry_count})) {
        return absl::DataLossError(absl::StrCat(
            "revision ", revision, ": the ", LevelName(level), " sum of ",
            record.county(), "/", record.district(), " would overflow"));
      }
    }
    const std::string school_totals_key =
        TotalsKey(v1::SCHOOL, Scope(v1::SCHOOL, record.term(), record.county(),
                                    record.district(), record.school()));
    if (removal) {
      RETURN_IF_ERROR(FromRocksDb(batch.Delete(school_totals_key), "batch"));
      RETURN_IF_ERROR(FromRocksDb(batch.Delete(key), "batch"));
      emptied.insert(AreaTotalsKey(v1::DISTRICT, record));
      emptied.insert(AreaTotalsKey(v1::COUNTY, record));
    } else {
      RETURN_IF_ERROR(
          BatchPut(batch, school_totals_key, TotalsValue(new_counts)));
      RETURN_IF_ERROR(BatchPut(batch, key, record.SerializeAsString()));
    }
    for (AlertTarget& target : evaluator_.SchoolTargets(before, record)) {
      targets[AlertKey(target.identity)] = std::move(target);
    }
  }
  // Districts and counties with the sums the whole revision ends with;
  // those left without a school go.
  for (const v1::Event& change : events) {
    if (change.type() != v1::Event::DELETE || IsSelfCheck(change.school())) {
      continue;
    }
    const v1::SchoolRecord& record = change.school();
    for (v1::Level level : {v1::DISTRICT, v1::COUNTY}) {
      const std::string totals_key = AreaTotalsKey(level, record);
      if (emptied.count(totals_key) == 0) continue;  // decided already
      ASSIGN_OR_RETURN(
          bool any_school,
          reader.AnyKeyUnder(absl::StrCat(
              Space(kSchoolSpace),
              SchoolKeyPrefix(record.term(), record.county(),
                              level == v1::DISTRICT ? record.district()
                                                    : ""))));
      if (any_school) emptied.erase(totals_key);
    }
  }
  for (const auto& [totals_key, sum] : area_sums) {
    if (emptied.count(totals_key) > 0) {
      RETURN_IF_ERROR(FromRocksDb(batch.Delete(totals_key), "batch"));
    } else {
      RETURN_IF_ERROR(BatchPut(batch, totals_key, TotalsValue(sum)));
    }
  }
  for (const v1::Event& change : events) {
    if (IsRosterEvent(change) || IsRegionEvent(change) ||
        IsSelfCheck(change.school())) {
      continue;
    }
    const v1::SchoolRecord& record = change.school();
    for (v1::Level level : {v1::DISTRICT, v1::COUNTY}) {
      std::optional<AlertTarget> target = evaluator_.AreaTarget(
          level, record, area_sums.at(AreaTotalsKey(level, record)));
      if (target.has_value()) {
        targets[AlertKey(target->identity)] = *std::move(target);
      }
    }
  }

  RETURN_IF_ERROR(AddRegionTargets(reader, events, targets));

  // Alerts: evaluated once the whole revision is applied.
  // One revision is one commit of one caller.
  std::string submitted_by;
  for (const v1::Event& change : events) {
    if (!IsRosterEvent(change) && !IsRegionEvent(change)) {
      submitted_by = change.school().submitted_by();
      break;
    }
  }
  for (const auto& [open_key, target] : targets) {
    ASSIGN_OR_RETURN(std::optional<v1::AlertEvent> open,
                     reader.GetProto<v1::AlertEvent>(open_key));
    std::optional<v1::AlertEvent> event = evaluator_.Evaluate(target, open);
    if (!event.has_value()) continue;
    RETURN_IF_ERROR(alerts.Append(open_key, *std::move(event), submitted_by));
  }
  RETURN_IF_ERROR(
      EvaluateSourceMismatches(reader, compared, submitted_by, alerts));
  // Coverage of the districts the revision touched, in terms past their
  // deadline.
  std::set<DistrictName> coverage;
  for (const v1::Event& change : events) {
    if (IsRegionEvent(change)) continue;
    const bool roster = IsRosterEvent(change);
    const std::string& term =
        roster ? change.roster().term() : change.school().term();
    if (!CoverageDue(term)) continue;
    coverage.insert(roster ? DistrictName{term, change.roster().county(),
                                          change.roster().district()}
                           : DistrictName{term, change.school().county(),
                                          change.school().district()});
  }
  return EvaluateCoverage(reader, coverage, alerts);
}

absl::Status AuditStore::EvaluateSourceMismatches(
    RocksDbReader& reader, const ComparedSchools& compared,
    const std::string& submitted_by, AlertAppender& alerts) {
  for (const auto& [inspection_key, school] : compared) {
    const auto& [name, grades_before] = school;
    v1::SchoolRecord self_check_name = name;
    self_check_name.set_source(v1::SELF_CHECK);
    ASSIGN_OR_RETURN(std::optional<v1::SchoolRecord> found,
                     reader.GetProto<v1::SchoolRecord>(inspection_key));
    ASSIGN_OR_RETURN(std::optional<v1::SchoolRecord> reported,
                     reader.GetProto<v1::SchoolRecord>(
                         SchoolDbKey(self_check_name)));
    std::set<int> grades = grades_before;
    for (const auto* record : {&found, &reported}) {
      if (!record->has_value()) continue;
      for (const v1::GradeCount& g : (*record)->grades()) {
        grades.insert(g.grade());
      }
    }
    for (int grade : grades) {
      v1::AlertEvent identity;
      identity.set_level(v1::GRADE);
      identity.set_term(name.term());
      identity.set_county(name.county());
      identity.set_district(name.district());
      identity.set_school(name.school());
      identity.set_grade(grade);
      identity.set_rule(v1::SOURCE_MISMATCH);
      const std::string open_key = AlertKey(identity);
      ASSIGN_OR_RETURN(std::optional<v1::AlertEvent> open,
                       reader.GetProto<v1::AlertEvent>(open_key));
      std::optional<v1::AlertEvent> event = evaluator_.EvaluateSources(
          identity, GradeOf(found, grade), GradeOf(reported, grade), open);
      if (!event.has_value()) continue;
      RETURN_IF_ERROR(
          alerts.Append(open_key, *std::move(event), submitted_by));
    }
  }
  return absl::OkStatus();
}

absl::Status AuditStore::AddRegionTargets(
    RocksDbReader& reader, const std::vector<v1::Event>& events,
    std::map<std::string, AlertTarget>& targets) {
  const bool cities = options_.policy.Evaluates(v1::CITY);
  const bool provinces = options_.policy.Evaluates(v1::PROVINCE);
  if (!cities && !provinces) return absl::OkStatus();
  // Every county's region as the batch leaves it.
  ASSIGN_OR_RETURN(auto regions, ReadRegions(reader));
  // (term, province, city) whose sums may have changed; city empty: the
  // province's.
  std::set<std::tuple<std::string, std::string, std::string>> touched;
  auto touch = [&](const std::string& term, const v1::Region& region) {
    if (region.province().empty()) return;
    touched.emplace(term, region.province(), region.city());
    touched.emplace(term, region.province(), "");
  };
  std::set<std::string> moved;  // counties placed anew
  for (const v1::Event& change : events) {
    if (IsRegionEvent(change)) {
      moved.insert(change.region().county());
      continue;
    }
    if (IsRosterEvent(change) || IsSelfCheck(change.school())) continue;
    auto region = regions.find(change.school().county());
    if (region != regions.end()) touch(change.school().term(), region->second);
  }
  if (!moved.empty()) {
    // Every term a moved county has counts in, for its old and new place.
    std::map<std::string, v1::Region> before;
    for (const v1::Event& change : events) {
      if (IsRegionEvent(change) && change.has_prev_region()) {
        before.emplace(change.region().county(), change.prev_region());
      }
    }
    RETURN_IF_ERROR(reader.Scan<storage::Totals>(
        TotalsKey(v1::COUNTY, ""), "",
        [&](absl::string_view key, storage::Totals&) {
          const std::vector<std::string> scope =
              absl::StrSplit(key.substr(2), kSep);
          if (scope.size() != 2 || moved.count(scope[1]) == 0) return true;
          touch(scope[0], regions[scope[1]]);
          auto old = before.find(scope[1]);
          if (old != before.end()) touch(scope[0], old->second);
          return true;
        }));
  }
  for (const auto& [term, province, city] : touched) {
    const v1::Level level = city.empty() ? v1::PROVINCE : v1::CITY;
    if (!options_.policy.Evaluates(level)) continue;
    std::optional<Counts> sum;
    for (const auto& [county, region] : regions) {
      if (region.province() != province ||
          (!city.empty() && region.city() != city)) {
        continue;
      }
      ASSIGN_OR_RETURN(std::optional<Counts> counted,
                       ReadCountyCounts(reader, term, county));
      if (!counted.has_value()) continue;
      if (!sum.has_value()) sum.emplace();
      if (!sum->AddWithoutOverflow(*counted)) {
        return absl::DataLossError(absl::StrCat(
            "the sum of ", province, city, " would overflow"));
      }
    }
    AlertTarget target;
    target.identity.set_level(level);
    target.identity.set_term(term);
    target.identity.set_province(province);
    target.identity.set_city(city);
    target.counts = sum;  // none counted any more: an open alert clears
    targets[AlertKey(target.identity)] = std::move(target);
  }
  return absl::OkStatus();
}

absl::Status AuditStore::WriteWithAlerts(rocksdb::WriteBatchWithIndex& batch,
                                         const AlertAppender& alerts,
                                         absl::string_view what) {
  RETURN_IF_ERROR(
      BatchPut(batch, kLastAlertKey, EncodeCounter(alerts.last_alert_id())));
  if (options_.disk_floor != nullptr) {
    RETURN_IF_ERROR(options_.disk_floor->Check());
  }
  return WriteInKeyOrder(*db_, batch, options_.sync, what);
}

bool AuditStore::CoverageDue(const std::string& term) const {
  return coverage_terms_.count(term) > 0 &&
         options_.coverage_deadlines.count(term) > 0;
}

absl::Status AuditStore::EvaluateCoverage(
    RocksDbReader& reader, const std::set<DistrictName>& districts,
    AlertAppender& alerts) {
  for (const DistrictName& name : districts) {
    DistrictGrades expected, reported;
    RETURN_IF_ERROR(ReadGrades(
        reader, SchoolKeyPrefix(name.term, name.county, name.district),
        expected, reported));
    v1::AlertEvent identity;
    identity.set_level(v1::DISTRICT);
    identity.set_term(name.term);
    identity.set_county(name.county);
    identity.set_district(name.district);
    identity.set_rule(v1::INCOMPLETE_COVERAGE);
    *identity.mutable_deadline() =
        ToTimestamp(options_.coverage_deadlines.at(name.term));
    const std::string open_key = AlertKey(identity);
    ASSIGN_OR_RETURN(std::optional<v1::AlertEvent> open,
                     reader.GetProto<v1::AlertEvent>(open_key));
    std::optional<v1::AlertEvent> event = AlertEvaluator::EvaluateCoverage(
        identity,
        CoverageRow(name.district, expected[name.district],
                    reported[name.district], *order_),
        open);
    if (event.has_value()) {
      RETURN_IF_ERROR(alerts.Append(open_key, *std::move(event), ""));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<int> AuditStore::CheckCoverageDeadlines() {
  MutexLock lock(&apply_mu_);
  const absl::Time now = options_.clock->Now();
  std::vector<std::string> due, withdrawn;
  for (const auto& [term, deadline] : options_.coverage_deadlines) {
    if (deadline <= now && coverage_terms_.count(term) == 0) {
      due.push_back(term);
    }
  }
  for (const std::string& term : coverage_terms_) {
    auto deadline = options_.coverage_deadlines.find(term);
    if (deadline == options_.coverage_deadlines.end() ||
        deadline->second > now) {
      withdrawn.push_back(term);
    }
  }
  if (due.empty() && withdrawn.empty()) return 0;

  rocksdb::WriteBatchWithIndex batch(rocksdb::BytewiseComparator(), 0,
                                     /*overwrite_key=*/true);
  RocksDbReader reader(db_.get(), rocksdb::ReadOptions(), &batch);
  AlertAppender alerts(batch, reader, last_alert_id_.load(),
                       applied_revision_.load(), now);
  // Every district of a due term with a roster or counts.
  std::set<DistrictName> districts;
  for (const std::string& term : due) {
    const std::string term_prefix = SchoolKeyPrefix(term, "", "");
    RETURN_IF_ERROR(reader.Scan<v1::RosterEntry>(
        absl::StrCat(Space(kRosterSpace), term_prefix), "",
        [&](absl::string_view, v1::RosterEntry& entry) {
          districts.insert({term, entry.county(), entry.district()});
          return true;
        }));
    RETURN_IF_ERROR(reader.Scan<v1::SchoolRecord>(
        absl::StrCat(Space(kSchoolSpace), term_prefix), "",
        [&](absl::string_view, v1::SchoolRecord& record) {
          districts.insert({term, record.county(), record.district()});
          return true;
        }));
    RETURN_IF_ERROR(BatchPut(
        batch, CoverageDueKey(term),
        ToTimestamp(options_.coverage_deadlines.at(term)).SerializeAsString()));
  }
  RETURN_IF_ERROR(EvaluateCoverage(reader, districts, alerts));
  // Terms no longer due: their open coverage alerts clear.
  for (const std::string& term : withdrawn) {
    std::vector<std::pair<std::string, v1::AlertEvent>> open;
    RETURN_IF_ERROR(reader.Scan<v1::AlertEvent>(
        std::string(1, kOpenSpace), "",
        [&](absl::string_view key, v1::AlertEvent& event) {
          if (event.rule() == v1::INCOMPLETE_COVERAGE && event.term() == term) {
            open.emplace_back(std::string(key), std::move(event));
          }
          return true;
        }));
    for (auto& [key, event] : open) {
      event.set_state(v1::AlertEvent::CLEARED);
      event.clear_alert_id();
      RETURN_IF_ERROR(alerts.Append(key, std::move(event), ""));
    }
    RETURN_IF_ERROR(
        FromRocksDb(batch.Delete(CoverageDueKey(term)), "batch"));
  }
  RETURN_IF_ERROR(
      WriteWithAlerts(batch, alerts, "record the coverage deadlines reached"));
  coverage_terms_.insert(due.begin(), due.end());
  for (const std::string& term : withdrawn) coverage_terms_.erase(term);
  last_alert_id_.store(alerts.last_alert_id());
  alerts.Count();
  return alerts.appended();
}

absl::StatusOr<std::vector<NamedCounts>> AuditStore::ReadTotals(
    RocksDbReader& reader, const std::string& prefix) {
  std::vector<NamedCounts> rows;
  RETURN_IF_ERROR(reader.Scan<storage::Totals>(
      prefix, "", [&](absl::string_view key, storage::Totals& sum) {
        rows.push_back(
            {std::string(key.substr(prefix.size())), FromTotals(sum)});
        return true;
      }));
  return rows;
}

absl::StatusOr<v1::ListCountiesResponse> AuditStore::ListCounties(
    absl::string_view term) {
  RocksDbReader reader = RocksDbReader::AtSnapshot(db_.get());
  v1::ListCountiesResponse response;
  ASSIGN_OR_RETURN(int64_t revision, reader.GetCounter(kAppliedKey));
  response.set_revision(revision);
  ASSIGN_OR_RETURN(
      std::vector<NamedCounts> counties,
      ReadTotals(reader, TotalsKey(v1::COUNTY, absl::StrCat(term, kSep))));
  std::vector<std::string> names;
  for (NamedCounts& county : counties) names.push_back(std::move(county.name));
  builder_.SortNames(names);
  for (std::string& name : names) response.add_counties(std::move(name));
  return response;
}

absl::StatusOr<v1::CountyReport> AuditStore::GetCountyReport(
    const v1::GetCountyReportRequest& request) {
  const std::string& term = request.term();
  const std::string& county = request.county();
  const v1::Source source = request.source();
  RocksDbReader reader = RocksDbReader::AtSnapshot(db_.get());
  ASSIGN_OR_RETURN(int64_t revision, reader.GetCounter(kAppliedKey));
  ASSIGN_OR_RETURN(std::vector<NamedCounts> districts,
                   ReadRows(reader, term, county, "", source));
  ASSIGN_OR_RETURN(
      v1::CountyReport report,
      builder_.CountyReport(term, county, revision, std::move(districts)));
  report.set_source(source);
  if (request.include_schools()) {
    for (const v1::ReportRow& row : report.rows()) {
      ASSIGN_OR_RETURN(*report.add_district_reports(),
                       DistrictReportAt(reader, revision, term, county,
                                        row.name(), source));
    }
  }
  if (!request.has_corrected_after()) return report;
  // The schools of the county (from the same snapshot) changed after it.
  const google::protobuf::Timestamp& after = request.corrected_after();
  auto later = [&after](const google::protobuf::Timestamp& t) {
    return t.seconds() > after.seconds() ||
           (t.seconds() == after.seconds() && t.nanos() > after.nanos());
  };
  std::vector<v1::LateCorrection> late;
  RETURN_IF_ERROR(reader.Scan<v1::SchoolRecord>(
      absl::StrCat(Space(SchoolSpace(source)),
                   SchoolKeyPrefix(term, county, "")),
      "", [&](absl::string_view, v1::SchoolRecord& record) {
        int64_t count = 0;
        for (const auto& t : record.corrected_at()) count += later(t) ? 1 : 0;
        if (count == 0) return true;
        v1::LateCorrection entry;
        entry.set_district(record.district());
        entry.set_school(record.school());
        entry.set_corrections(count);
        *entry.mutable_first_submitted_at() = record.first_submitted_at();
        *entry.mutable_last_corrected_at() =
            record.corrected_at(record.corrected_at_size() - 1);
        entry.set_submitted_by(record.submitted_by());
        const Counts counts = SchoolCounts(record);
        entry.set_onsite_count(counts.onsite_count);
        entry.set_registry_count(counts.registry_count);
        late.push_back(std::move(entry));
        return true;
      }));
  std::sort(late.begin(), late.end(),
            [this](const v1::LateCorrection& a, const v1::LateCorrection& b) {
              if (a.district() != b.district()) {
                return order_->Less(a.district(), b.district());
              }
              return order_->Less(a.school(), b.school());
            });
  for (v1::LateCorrection& entry : late) {
    *report.add_late_corrections() = std::move(entry);
  }
  return report;
}

absl::StatusOr<v1::CoverageReport> AuditStore::GetCoverageReport(
    absl::string_view term, absl::string_view county) {
  RocksDbReader reader = RocksDbReader::AtSnapshot(db_.get());
  ASSIGN_OR_RETURN(int64_t revision, reader.GetCounter(kAppliedKey));
  DistrictGrades expected, reported;
  RETURN_IF_ERROR(
      ReadGrades(reader, SchoolKeyPrefix(term, county, ""), expected, reported));
  if (expected.empty() && reported.empty()) {
    return absl::NotFoundError(absl::StrCat("no roster and no counts for ",
                                            county, " in term ", term));
  }
  std::vector<std::string> districts;
  for (const auto& [district, schools] : expected) districts.push_back(district);
  for (const auto& [district, schools] : reported) {
    if (expected.count(district) == 0) districts.push_back(district);
  }
  SortByPinyin(*order_, districts);
  v1::CoverageReport report;
  report.set_term(std::string(term));
  report.set_county(std::string(county));
  report.set_revision(revision);
  v1::DistrictCoverage& total = *report.mutable_total();
  for (const std::string& district : districts) {
    v1::DistrictCoverage& row = *report.add_districts();
    row = CoverageRow(district, expected[district], reported[district],
                      *order_);
    total.set_schools_expected(total.schools_expected() + row.schools_expected());
    total.set_schools_reported(total.schools_reported() + row.schools_reported());
    total.set_grades_expected(total.grades_expected() + row.grades_expected());
    total.set_grades_reported(total.grades_reported() + row.grades_reported());
  }
  return report;
}

absl::StatusOr<v1::RegionReport> AuditStore::GetRegionReport(
    const v1::GetRegionReportRequest& request) {
  RocksDbReader reader = RocksDbReader::AtSnapshot(db_.get());
  ASSIGN_OR_RETURN(int64_t revision, reader.GetCounter(kAppliedKey));
  // The counties of the province (city), each read by its own sum: a
  // handful of point reads, however many schools they hold.
  std::map<std::string, Counts> rows;  // city, or county within the city
  ASSIGN_OR_RETURN(auto regions, ReadRegions(reader));
  std::vector<std::string> counted;
  for (const auto& [county, region] : regions) {
    if (region.province() != request.province() ||
        (!request.city().empty() && region.city() != request.city())) {
      continue;
    }
    ASSIGN_OR_RETURN(std::optional<Counts> sum,
                     ReadCountyCounts(reader, request.term(), county));
    if (!sum.has_value()) continue;
    const std::string& row = request.city().empty() ? region.city() : county;
    if (!rows[row].AddWithoutOverflow(*sum)) {
      return absl::DataLossError(absl::StrCat("the sum of ", row,
                                              " would overflow"));
    }
    counted.push_back(county);
  }
  std::vector<NamedCounts> named;
  for (auto& [name, counts] : rows) named.push_back({name, counts});
  ASSIGN_OR_RETURN(v1::RegionReport report,
                   builder_.RegionReport(request.term(), request.province(),
                                         request.city(), revision,
                                         std::move(named)));
  builder_.SortNames(counted);
  for (std::string& county : counted) report.add_counties(std::move(county));
  return report;
}

absl::StatusOr<v1::TermComparison> AuditStore::CompareTerms(
    const v1::CompareTermsRequest& request) {
  RocksDbReader reader = RocksDbReader::AtSnapshot(db_.get());
  ASSIGN_OR_RETURN(int64_t revision, reader.GetCounter(kAppliedKey));
  // The rows of one term: districts, or the schools of the district.
  auto rows_of = [&](const std::string& term) {
    return ReadTotals(reader, RowTotalsPrefix(term, request.county(),
                                              request.district()));
  };
  ASSIGN_OR_RETURN(std::vector<NamedCounts> current, rows_of(request.term()));
  ASSIGN_OR_RETURN(std::vector<NamedCounts> previous,
                   rows_of(request.previous_term()));
  ASSIGN_OR_RETURN(v1::TermComparison comparison,
                   builder_.CompareTerms(request, revision, std::move(current),
                                         std::move(previous)));
  // School-grades flagged in both terms.
  auto flagged_in = [&](const std::string& term)
      -> absl::StatusOr<v1::ListGradeDiscrepanciesResponse> {
    std::vector<v1::SchoolRecord> schools;
    RETURN_IF_ERROR(reader.Scan<v1::SchoolRecord>(
        absl::StrCat(Space(kSchoolSpace),
                     SchoolKeyPrefix(term, request.county(),
                                     request.district())),
        "", [&](absl::string_view, v1::SchoolRecord& record) {
          schools.push_back(std::move(record));
          return true;
        }));
    return builder_.GradeDiscrepancies(schools, /*only_flagged=*/true,
                                       revision);
  };
  ASSIGN_OR_RETURN(v1::ListGradeDiscrepanciesResponse now,
                   flagged_in(request.term()));
  ASSIGN_OR_RETURN(v1::ListGradeDiscrepanciesResponse before,
                   flagged_in(request.previous_term()));
  std::map<std::tuple<std::string, std::string, int>, v1::GradeDiscrepancy>
      earlier;
  for (v1::GradeDiscrepancy& grade : *before.mutable_grades()) {
    earlier.emplace(
        std::make_tuple(grade.district(), grade.school(), grade.grade()),
        std::move(grade));
  }
  for (v1::GradeDiscrepancy& grade : *now.mutable_grades()) {
    auto found = earlier.find(
        std::make_tuple(grade.district(), grade.school(), grade.grade()));
    if (found == earlier.end()) continue;
    v1::PersistentGrade* persistent = comparison.add_persistent_grades();
    *persistent->mutable_current() = std::move(grade);
    *persistent->mutable_previous() = std::move(found->second);
  }
  return comparison;
}

absl::StatusOr<v1::DistrictReport> AuditStore::GetDistrictReport(
    const v1::GetDistrictReportRequest& request) {
  RocksDbReader reader = RocksDbReader::AtSnapshot(db_.get());
  ASSIGN_OR_RETURN(int64_t revision, reader.GetCounter(kAppliedKey));
  return DistrictReportAt(reader, revision, request.term(), request.county(),
                          request.district(), request.source());
}

absl::StatusOr<v1::DistrictReport> AuditStore::DistrictReportAt(
    RocksDbReader& reader, int64_t revision, absl::string_view term,
    absl::string_view county, absl::string_view district,
    v1::Source source) {
  ASSIGN_OR_RETURN(std::vector<NamedCounts> schools,
                   ReadRows(reader, term, county, district, source));
  ASSIGN_OR_RETURN(v1::DistrictReport report,
                   builder_.DistrictReport(term, county, district, revision,
                                           std::move(schools)));
  report.set_source(source);
  return report;
}

absl::StatusOr<std::vector<NamedCounts>> AuditStore::ReadRows(
    RocksDbReader& reader, absl::string_view term, absl::string_view county,
    absl::string_view district, v1::Source source) {
  if (source != v1::SELF_CHECK) {
    return ReadTotals(reader, RowTotalsPrefix(term, county, district));
  }
  // The self-check keeps no sums: its records summed as read (one county's
  // schools).
  std::map<std::string, Counts> rows;
  absl::Status overflow;
  RETURN_IF_ERROR(reader.Scan<v1::SchoolRecord>(
      absl::StrCat(Space(kSelfCheckSpace),
                   SchoolKeyPrefix(term, county, district)),
      "", [&](absl::string_view, v1::SchoolRecord& record) {
        const std::string& row =
            district.empty() ? record.district() : record.school();
        if (!rows[row].AddWithoutOverflow(SchoolCounts(record))) {
          overflow = absl::DataLossError(
              absl::StrCat("the self-check sum of ", row, " would overflow"));
          return false;
        }
        return true;
      }));
  RETURN_IF_ERROR(overflow);
  std::vector<NamedCounts> named;
  for (auto& [name, counts] : rows) named.push_back({name, counts});
  return named;
}

absl::StatusOr<v1::SourceComparison> AuditStore::CompareSources(
    const v1::CompareSourcesRequest& request) {
  RocksDbReader reader = RocksDbReader::AtSnapshot(db_.get());
  ASSIGN_OR_RETURN(int64_t revision, reader.GetCounter(kAppliedKey));
  const std::string prefix =
      SchoolKeyPrefix(request.term(), request.county(), request.district());
  std::vector<v1::SchoolRecord> inspection, self_check;
  for (const char space : {kSchoolSpace, kSelfCheckSpace}) {
    std::vector<v1::SchoolRecord>& records =
        space == kSchoolSpace ? inspection : self_check;
    RETURN_IF_ERROR(reader.Scan<v1::SchoolRecord>(
        absl::StrCat(Space(space), prefix), "",
        [&](absl::string_view, v1::SchoolRecord& record) {
          records.push_back(std::move(record));
          return true;
        }));
  }
  return builder_.CompareSources(request, revision, inspection, self_check);
}

absl::StatusOr<v1::ListGradeDiscrepanciesResponse>
AuditStore::ListGradeDiscrepancies(
    const v1::ListGradeDiscrepanciesRequest& request) {
  RocksDbReader reader = RocksDbReader::AtSnapshot(db_.get());
  ASSIGN_OR_RETURN(int64_t revision, reader.GetCounter(kAppliedKey));
  std::vector<v1::SchoolRecord> schools;
  RETURN_IF_ERROR(reader.Scan<v1::SchoolRecord>(
      absl::StrCat(Space(kSchoolSpace),
                   SchoolKeyPrefix(request.term(), request.county(),
                                   request.district())),
      "", [&](absl::string_view, v1::SchoolRecord& record) {
        schools.push_back(std::move(record));
        return true;
      }));
  v1::ListGradeDiscrepanciesResponse response =
      builder_.GradeDiscrepancies(schools, request.only_flagged(), revision);
  // A page token is the last grade sent: district, school, grade.
  auto* grades = response.mutable_grades();
  if (!request.page_token().empty()) {
    std::string token;
    std::vector<std::string> parts;
    int grade = 0;
    if (absl::WebSafeBase64Unescape(request.page_token(), &token)) {
      parts = absl::StrSplit(token, absl::string_view("\0", 1));
    }
    if (parts.size() != 3 || !absl::SimpleAtoi(parts[2], &grade)) {
      return absl::InvalidArgumentError(
          "page_token: is not a token returned by ListGradeDiscrepancies");
    }
    v1::GradeDiscrepancy last;
    last.set_district(parts[0]);
    last.set_school(parts[1]);
    last.set_grade(grade);
    auto first = std::find_if(grades->begin(), grades->end(),
                              [&](const v1::GradeDiscrepancy& g) {
                                return builder_.GradeBefore(last, g);
                              });
    grades->DeleteSubrange(0, static_cast<int>(first - grades->begin()));
  }
  const int page_size = request.page_size() == 0 ? kDefaultListPageSize
                                                 : request.page_size();
  if (grades->size() > page_size) {
    grades->DeleteSubrange(page_size, grades->size() - page_size);
    const v1::GradeDiscrepancy& last = grades->Get(page_size - 1);
    response.set_next_page_token(absl::WebSafeBase64Escape(
        absl::StrCat(last.district(), absl::string_view("\0", 1),
                     last.school(), absl::string_view("\0", 1),
                     last.grade())));
  }
  return response;
}

absl::StatusOr<v1::ListAlertsResponse> AuditStore::ListAlerts(
    const v1::AlertFilter& filter) {
  RocksDbReader reader = RocksDbReader::AtSnapshot(db_.get());
  v1::ListAlertsResponse response;
  ASSIGN_OR_RETURN(int64_t revision, reader.GetCounter(kAppliedKey));
  ASSIGN_OR_RETURN(int64_t last_id, reader.GetCounter(kLastAlertKey));
  ASSIGN_OR_RETURN(std::optional<std::string> epoch, reader.Get(kEpochKey));
  response.set_revision(revision);
  response.set_last_alert_id(last_id);
  response.set_epoch(epoch.value_or(""));
  // Open alerts are placed by the region table as it is now (an alert
  // raised before its county had a region has none of its own).
  ASSIGN_OR_RETURN(auto regions, ReadRegions(reader));
  RETURN_IF_ERROR(reader.Scan<v1::AlertEvent>(
      std::string(1, kOpenSpace), "",
      [&](absl::string_view, v1::AlertEvent& event) {
        if (!event.county().empty()) {  // above counties: its own place
          auto region = regions.find(event.county());
          event.set_city(region == regions.end() ? ""
                                                 : region->second.city());
          event.set_province(
              region == regions.end() ? "" : region->second.province());
        }
        if (Matches(filter, event)) *response.add_alerts() = std::move(event);
        return true;
      }));
  std::sort(response.mutable_alerts()->begin(),
            response.mutable_alerts()->end(),
            [](const v1::AlertEvent& a, const v1::AlertEvent& b) {
              return a.alert_id() < b.alert_id();
            });
  return response;
}

absl::StatusOr<std::vector<v1::AlertEvent>> AuditStore::ReadAlerts(
    int64_t after_alert_id, int max_events) {
  std::vector<v1::AlertEvent> events;
  if (max_events <= 0) return events;
  RETURN_IF_ERROR(RocksDbReader(db_.get()).Scan<v1::AlertEvent>(
      std::string(1, kEventSpace),
      EventKey(std::max<int64_t>(after_alert_id, 0) + 1),
      [&](absl::string_view, v1::AlertEvent& event) {
        events.push_back(std::move(event));
        return static_cast<int>(events.size()) < max_events;
      }));
  return events;
}

absl::Status AuditStore::Resume() {
  return FromRocksDb(db_->Resume(), "resume writing");
}

}  // namespace headcount::audit
