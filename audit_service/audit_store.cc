#include "audit_service/audit_store.h"
#include "common/mutex.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/durable_db.h"
#include "common/school_key.h"
#include "common/status_util.h"
#include "google/protobuf/util/time_util.h"
#include "headcount/storage/storage.pb.h"
#include "rocksdb/options.h"
#include "rocksdb/write_batch.h"

namespace headcount::audit {
namespace {

// Key spaces.
constexpr char kSchoolSpace = 'G';  // G + school key -> v1::SchoolRecord
constexpr char kTotalsSpace = 'A';  // A + level + scope -> storage::Totals
constexpr char kOpenSpace = 'O';    // O + alert key -> open v1::AlertEvent
constexpr char kEventSpace = 'E';   // E + alert id -> v1::AlertEvent
constexpr char kAppliedKey[] = "Mapplied";
constexpr char kLastAlertKey[] = "Malert";

constexpr char kSep = '\0';

// Scope of a sum: term, county[, district[, school]] joined by NUL.
std::string Scope(v1::Level level, absl::string_view term,
                  absl::string_view county, absl::string_view district,
                  absl::string_view school) {
  const absl::string_view sep(&kSep, 1);
  switch (level) {
    case v1::COUNTY:
      return absl::StrCat(term, sep, county);
    case v1::DISTRICT:
      return absl::StrCat(term, sep, county, sep, district);
    default:
      return absl::StrCat(term, sep, county, sep, district, sep, school);
  }
}

std::string TotalsKey(v1::Level level, const std::string& scope) {
  const char level_byte = static_cast<char>('0' + level);
  return absl::StrCat(absl::string_view(&kTotalsSpace, 1),
                      absl::string_view(&level_byte, 1), scope);
}

// Keys of the open alerts sort by level, then place, then grade.
std::string AlertKey(const v1::AlertEvent& e) {
  const absl::string_view sep(&kSep, 1);
  const char level = static_cast<char>('0' + e.level());
  const char grade = static_cast<char>(e.grade());
  return absl::StrCat(absl::string_view(&kOpenSpace, 1),
                      absl::string_view(&level, 1), e.term(), sep, e.county(),
                      sep, e.district(), sep, e.school(), sep,
                      absl::string_view(&grade, 1));
}

std::string EventKey(int64_t alert_id) {
  return absl::StrCat(absl::string_view(&kEventSpace, 1),
                      EncodeRevision(alert_id));
}

std::string SchoolDbKey(const v1::SchoolRecord& r) {
  return absl::StrCat(absl::string_view(&kSchoolSpace, 1),
                      EncodeSchoolKey({r.term(), r.county(), r.district(),
                                       r.school()}));
}

Counts SchoolCounts(const v1::SchoolRecord& record) {
  Counts counts;
  for (const v1::GradeCount& g : record.grades()) {
    counts.onsite_count += g.onsite_count();
    counts.registry_count += g.registry_count();
  }
  return counts;
}

std::optional<Counts> GradeCounts(const v1::SchoolRecord& record, int grade) {
  for (const v1::GradeCount& g : record.grades()) {
    if (g.grade() == grade) return Counts{g.onsite_count(), g.registry_count()};
  }
  return std::nullopt;
}

absl::StatusOr<std::optional<std::string>> Get(
    rocksdb::DB& db, const rocksdb::ReadOptions& read_options,
    const std::string& key) {
  std::string value;
  rocksdb::Status s = db.Get(read_options, key, &value);
  if (s.IsNotFound()) return std::optional<std::string>();
  if (!s.ok()) return FromRocksDb(s, "read audit state");
  return std::optional<std::string>(std::move(value));
}

absl::StatusOr<int64_t> GetCounter(rocksdb::DB& db,
                                   const rocksdb::ReadOptions& read_options,
                                   const std::string& key) {
  ASSIGN_OR_RETURN(std::optional<std::string> value, Get(db, read_options, key));
  if (!value.has_value()) return 0;
  const int64_t decoded = DecodeRevision(*value);
  if (decoded < 0) return absl::DataLossError(absl::StrCat("malformed ", key));
  return decoded;
}

// Reads `keys` under `prefix` and parses each value as a Message.
template <typename Message>
absl::Status ScanPrefix(
    rocksdb::DB& db, const rocksdb::ReadOptions& read_options,
    const std::string& prefix,
    const std::function<void(absl::string_view suffix, Message&)>& visit) {
  std::unique_ptr<rocksdb::Iterator> it(db.NewIterator(read_options));
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix);
       it->Next()) {
    Message message;
    if (!message.ParseFromArray(it->value().data(),
                                static_cast<int>(it->value().size()))) {
      return absl::DataLossError(absl::StrCat(
          "unparseable audit value under ", absl::CHexEscape(it->key().ToString())));
    }
    absl::string_view key(it->key().data(), it->key().size());
    visit(key.substr(prefix.size()), message);
  }
  return FromRocksDb(it->status(), "scan audit state");
}

// A consistent view for one report: a snapshot and its applied revision.
class SnapshotRead {
 public:
  explicit SnapshotRead(rocksdb::DB& db) : db_(db), snapshot_(db.GetSnapshot()) {
    options.snapshot = snapshot_;
  }
  ~SnapshotRead() { db_.ReleaseSnapshot(snapshot_); }
  rocksdb::ReadOptions options;

 private:
  rocksdb::DB& db_;
  const rocksdb::Snapshot* snapshot_;
};

// The alert targets one revision touched, and the counts they end with.
struct Target {
  v1::AlertEvent identity;          // level, term, county, district, school, grade
  std::optional<Counts> counts;     // nullopt: nothing counted any more
};

}  // namespace

absl::StatusOr<std::unique_ptr<AuditStore>> AuditStore::Open(
    const Options& options) {
  ASSIGN_OR_RETURN(std::unique_ptr<PinyinOrder> order, PinyinOrder::Create());
  ASSIGN_OR_RETURN(std::unique_ptr<rocksdb::DB> db,
                   OpenDurableDb(options.data_dir, options.env));
  ASSIGN_OR_RETURN(int64_t applied,
                   GetCounter(*db, rocksdb::ReadOptions(), kAppliedKey));
  ASSIGN_OR_RETURN(int64_t last_alert,
                   GetCounter(*db, rocksdb::ReadOptions(), kLastAlertKey));
  return std::unique_ptr<AuditStore>(new AuditStore(
      options, std::move(db), std::move(order), applied, last_alert));
}

AuditStore::AuditStore(const Options& options, std::unique_ptr<rocksdb::DB> db,
                       std::unique_ptr<PinyinOrder> order,
                       int64_t applied_revision, int64_t last_alert_id)
    : options_(options),
      db_(std::move(db)),
      order_(std::move(order)),
      applied_revision_(applied_revision),
      last_alert_id_(last_alert_id) {}

AuditStore::~AuditStore() { db_->Close().PermitUncheckedError(); }

absl::StatusOr<int> AuditStore::Apply(
    int64_t revision, const std::vector<v1::SchoolRecord>& schools) {
  MutexLock lock(&apply_mu_);
  if (revision <= applied_revision_.load()) return 0;
  rocksdb::WriteBatch batch;
  const rocksdb::ReadOptions read;

  // Sums read through this revision's own changes.
  std::map<std::string, Counts> totals;
  auto load_totals = [&](const std::string& key) -> absl::StatusOr<Counts*> {
    auto it = totals.find(key);
    if (it != totals.end()) return &it->second;
    ASSIGN_OR_RETURN(std::optional<std::string> value, Get(*db_, read, key));
    Counts counts;
    if (value.has_value()) {
      storage::Totals stored;
      if (!stored.ParseFromString(*value)) {
        return absl::DataLossError("unparseable totals");
      }
      counts = {stored.onsite_count(), stored.registry_count()};
    }
    return &totals.emplace(key, counts).first->second;
  };
  std::map<std::string, v1::SchoolRecord> stored_schools;
  std::map<std::string, Target> targets;  // by open-alert key
  auto touch = [&](v1::Level level, const v1::SchoolRecord& r, int grade,
                   std::optional<Counts> counts) {
    if (!options_.policy.Evaluates(level)) return;
    Target target;
    target.identity.set_level(level);
    target.identity.set_term(r.term());
    target.identity.set_county(r.county());
    if (level != v1::COUNTY) target.identity.set_district(r.district());
    if (level == v1::SCHOOL || level == v1::GRADE) {
      target.identity.set_school(r.school());
    }
    target.identity.set_grade(grade);
    target.counts = counts;
    targets[AlertKey(target.identity)] = std::move(target);
  };

  for (const v1::SchoolRecord& record : schools) {
    const std::string key = SchoolDbKey(record);
    // Our own copy, not the feed's prev_school: a correction replaces
    // exactly what this store counted.
    v1::SchoolRecord previous;
    auto cached = stored_schools.find(key);
    if (cached != stored_schools.end()) {
      previous = cached->second;
    } else {
      ASSIGN_OR_RETURN(std::optional<std::string> value, Get(*db_, read, key));
      if (value.has_value() && !previous.ParseFromString(*value)) {
        return absl::DataLossError("unparseable school record");
      }
    }
    const Counts before = SchoolCounts(previous);
    const Counts after = SchoolCounts(record);
    const Counts delta{after.onsite_count - before.onsite_count,
                       after.registry_count - before.registry_count};
    for (v1::Level level : {v1::DISTRICT, v1::COUNTY}) {
      ASSIGN_OR_RETURN(Counts * sum,
                       load_totals(TotalsKey(level, Scope(level, record.term(),
                                                          record.county(),
                                                          record.district(),
                                                          ""))));
      *sum += delta;
    }
    totals[TotalsKey(v1::SCHOOL, Scope(v1::SCHOOL, record.term(),
                                       record.county(), record.district(),
                                       record.school()))] = after;
    stored_schools[key] = record;
    batch.Put(key, record.SerializeAsString());

    std::set<int> grades;
    for (const auto& g : previous.grades()) grades.insert(g.grade());
    for (const auto& g : record.grades()) grades.insert(g.grade());
    for (int grade : grades) touch(v1::GRADE, record, grade, GradeCounts(record, grade));
    touch(v1::SCHOOL, record, 0, after);
  }
  for (const v1::SchoolRecord& record : schools) {
    for (v1::Level level : {v1::DISTRICT, v1::COUNTY}) {
      const std::string key = TotalsKey(
          level, Scope(level, record.term(), record.county(), record.district(), ""));
      touch(level, record, 0, totals[key]);
    }
  }
  for (const auto& [key, counts] : totals) {
    storage::Totals stored;
    stored.set_onsite_count(counts.onsite_count);
    stored.set_registry_count(counts.registry_count);
    batch.Put(key, stored.SerializeAsString());
  }

  // Alerts: evaluated once the whole revision is applied.
  int64_t next_alert_id = last_alert_id_.load() + 1;
  const google::protobuf::Timestamp now =
      google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(
          absl::ToUnixMicros(absl::Now()));
  int appended = 0;
  for (auto& [open_key, target] : targets) {
    ASSIGN_OR_RETURN(std::optional<std::string> open_value,
                     Get(*db_, read, open_key));
    std::optional<v1::AlertEvent> open;
    if (open_value.has_value()) {
      open.emplace();
      if (!open->ParseFromString(*open_value)) {
        return absl::DataLossError("unparseable open alert");
      }
    }
    const Counts counts = target.counts.value_or(Counts{});
    const v1::Rule rule = target.counts.has_value()
                              ? options_.policy.Evaluate(counts)
                              : v1::RULE_UNSPECIFIED;
    v1::AlertEvent::State state = v1::AlertEvent::STATE_UNSPECIFIED;
    if (rule != v1::RULE_UNSPECIFIED && !open.has_value()) {
      state = v1::AlertEvent::RAISED;
    } else if (rule != v1::RULE_UNSPECIFIED &&
               (open->onsite_count() != counts.onsite_count ||
                open->registry_count() != counts.registry_count ||
                open->rule() != rule)) {
      state = v1::AlertEvent::UPDATED;
    } else if (rule == v1::RULE_UNSPECIFIED && open.has_value()) {
      state = v1::AlertEvent::CLEARED;
    }
    if (state == v1::AlertEvent::STATE_UNSPECIFIED) continue;

    v1::AlertEvent event = target.identity;
    event.set_alert_id(next_alert_id++);
    event.set_state(state);
    event.set_onsite_count(counts.onsite_count);
    event.set_registry_count(counts.registry_count);
    event.set_difference(counts.difference());
    event.set_ratio(FormatRatio(counts));
    event.set_rule(state == v1::AlertEvent::CLEARED ? open->rule() : rule);
    event.set_revision(revision);
    *event.mutable_time() = now;
    const std::string serialized = event.SerializeAsString();
    batch.Put(EventKey(event.alert_id()), serialized);
    if (state == v1::AlertEvent::CLEARED) {
      batch.Delete(open_key);
    } else {
      batch.Put(open_key, serialized);
    }
    ++appended;
  }

  batch.Put(kAppliedKey, EncodeRevision(revision));
  batch.Put(kLastAlertKey, EncodeRevision(next_alert_id - 1));
  rocksdb::WriteOptions write_options;
  write_options.sync = options_.sync;
  RETURN_IF_ERROR(FromRocksDb(db_->Write(write_options, &batch),
                              absl::StrCat("apply revision ", revision)));
  applied_revision_.store(revision);
  last_alert_id_.store(next_alert_id - 1);
  return appended;
}

void AuditStore::FillRow(const Counts& counts, v1::ReportRow& row) const {
  row.set_onsite_count(counts.onsite_count);
  row.set_registry_count(counts.registry_count);
  row.set_difference(counts.difference());
  row.set_ratio(FormatRatio(counts));
  row.set_ratio_ppm(RatioPpm(counts));
  const v1::Rule rule = options_.policy.Evaluate(counts);
  row.set_over_threshold(rule != v1::RULE_UNSPECIFIED);
  row.set_rule(rule);
}

namespace {

// Sorts `rows` by pinyin of their names and numbers them from 1.
void SortRows(const PinyinOrder& order,
              google::protobuf::RepeatedPtrField<v1::ReportRow>& rows) {
  std::sort(rows.begin(), rows.end(),
            [&order](const v1::ReportRow& a, const v1::ReportRow& b) {
              return order.Less(a.name(), b.name());
            });
  int number = 1;
  for (v1::ReportRow& row : rows) row.set_row_number(number++);
}

}  // namespace

absl::StatusOr<v1::ListCountiesResponse> AuditStore::ListCounties(
    absl::string_view term) {
  SnapshotRead view(*db_);
  v1::ListCountiesResponse response;
  ASSIGN_OR_RETURN(int64_t revision, GetCounter(*db_, view.options, kAppliedKey));
  response.set_revision(revision);
  const std::string prefix = TotalsKey(
      v1::COUNTY, absl::StrCat(term, absl::string_view(&kSep, 1)));
  RETURN_IF_ERROR(ScanPrefix<storage::Totals>(
      *db_, view.options, prefix,
      [&](absl::string_view county, storage::Totals&) {
        response.add_counties(std::string(county));
      }));
  std::sort(response.mutable_counties()->begin(),
            response.mutable_counties()->end(),
            [this](const std::string& a, const std::string& b) {
              return order_->Less(a, b);
            });
  return response;
}

absl::StatusOr<v1::CountyReport> AuditStore::GetCountyReport(
    absl::string_view term, absl::string_view county) {
  SnapshotRead view(*db_);
  v1::CountyReport report;
  report.set_term(std::string(term));
  report.set_county(std::string(county));
  ASSIGN_OR_RETURN(int64_t revision, GetCounter(*db_, view.options, kAppliedKey));
  report.set_revision(revision);
  const std::string prefix = TotalsKey(
      v1::DISTRICT, absl::StrCat(Scope(v1::COUNTY, term, county, "", ""),
                                 absl::string_view(&kSep, 1)));
  Counts total;
  RETURN_IF_ERROR(ScanPrefix<storage::Totals>(
      *db_, view.options, prefix,
      [&](absl::string_view district, storage::Totals& sum) {
        const Counts counts{sum.onsite_count(), sum.registry_count()};
        v1::ReportRow* row = report.add_rows();
        row->set_name(std::string(district));
        FillRow(counts, *row);
        total += counts;
      }));
  if (report.rows().empty()) {
    return absl::NotFoundError(absl::StrCat("nothing counted for county ",
                                            county, " in term ", term));
  }
  SortRows(*order_, *report.mutable_rows());
  report.mutable_total()->set_name("合计");
  FillRow(total, *report.mutable_total());
  report.set_over_threshold_ppm(options_.policy.over_ppm);
  return report;
}

absl::StatusOr<v1::DistrictReport> AuditStore::GetDistrictReport(
    absl::string_view term, absl::string_view county,
    absl::string_view district) {
  SnapshotRead view(*db_);
  v1::DistrictReport report;
  report.set_term(std::string(term));
  report.set_county(std::string(county));
  report.set_district(std::string(district));
  ASSIGN_OR_RETURN(int64_t revision, GetCounter(*db_, view.options, kAppliedKey));
  report.set_revision(revision);
  const std::string prefix = TotalsKey(
      v1::SCHOOL, absl::StrCat(Scope(v1::DISTRICT, term, county, district, ""),
                               absl::string_view(&kSep, 1)));
  Counts total;
  RETURN_IF_ERROR(ScanPrefix<storage::Totals>(
      *db_, view.options, prefix,
      [&](absl::string_view school, storage::Totals& sum) {
        const Counts counts{sum.onsite_count(), sum.registry_count()};
        v1::ReportRow* row = report.add_rows();
        row->set_name(std::string(school));
        FillRow(counts, *row);
        total += counts;
      }));
  if (report.rows().empty()) {
    return absl::NotFoundError(absl::StrCat("nothing counted for district ",
                                            district, " of ", county,
                                            " in term ", term));
  }
  SortRows(*order_, *report.mutable_rows());
  report.mutable_total()->set_name("合计");
  FillRow(total, *report.mutable_total());
  report.set_over_threshold_ppm(options_.policy.over_ppm);
  return report;
}

absl::StatusOr<v1::ListGradeDiscrepanciesResponse>
AuditStore::ListGradeDiscrepancies(
    const v1::ListGradeDiscrepanciesRequest& request) {
  SnapshotRead view(*db_);
  v1::ListGradeDiscrepanciesResponse response;
  ASSIGN_OR_RETURN(int64_t revision, GetCounter(*db_, view.options, kAppliedKey));
  response.set_revision(revision);
  const std::string prefix =
      absl::StrCat(absl::string_view(&kSchoolSpace, 1),
                   SchoolKeyPrefix(request.term(), request.county(),
                                   request.district()));
  RETURN_IF_ERROR(ScanPrefix<v1::SchoolRecord>(
      *db_, view.options, prefix,
      [&](absl::string_view, v1::SchoolRecord& record) {
        for (const v1::GradeCount& g : record.grades()) {
          const Counts counts{g.onsite_count(), g.registry_count()};
          const v1::Rule rule = options_.policy.Evaluate(counts);
          if (request.only_flagged() && rule == v1::RULE_UNSPECIFIED) continue;
          v1::GradeDiscrepancy* out = response.add_grades();
          out->set_district(record.district());
          out->set_school(record.school());
          out->set_grade(g.grade());
          out->set_onsite_count(counts.onsite_count);
          out->set_registry_count(counts.registry_count);
          out->set_difference(counts.difference());
          out->set_ratio(FormatRatio(counts));
          out->set_over_threshold(rule != v1::RULE_UNSPECIFIED);
          out->set_rule(rule);
        }
      }));
  auto& grades = *response.mutable_grades();
  std::stable_sort(grades.begin(), grades.end(),
                   [this](const v1::GradeDiscrepancy& a,
                          const v1::GradeDiscrepancy& b) {
                     if (a.district() != b.district()) {
                       return order_->Less(a.district(), b.district());
                     }
                     if (a.school() != b.school()) {
                       return order_->Less(a.school(), b.school());
                     }
                     return a.grade() < b.grade();
                   });
  return response;
}

absl::StatusOr<v1::ListAlertsResponse> AuditStore::ListAlerts(
    const v1::AlertFilter& filter) {
  SnapshotRead view(*db_);
  v1::ListAlertsResponse response;
  ASSIGN_OR_RETURN(int64_t revision, GetCounter(*db_, view.options, kAppliedKey));
  ASSIGN_OR_RETURN(int64_t last_id, GetCounter(*db_, view.options, kLastAlertKey));
  response.set_revision(revision);
  response.set_last_alert_id(last_id);
  RETURN_IF_ERROR(ScanPrefix<v1::AlertEvent>(
      *db_, view.options, std::string(1, kOpenSpace),
      [&](absl::string_view, v1::AlertEvent& event) {
        if (Matches(filter, event)) *response.add_alerts() = std::move(event);
      }));
  std::sort(response.mutable_alerts()->begin(), response.mutable_alerts()->end(),
            [](const v1::AlertEvent& a, const v1::AlertEvent& b) {
              return a.alert_id() < b.alert_id();
            });
  return response;
}

absl::StatusOr<std::vector<v1::AlertEvent>> AuditStore::ReadAlerts(
    int64_t after_alert_id, int max_events) {
  std::vector<v1::AlertEvent> events;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek(EventKey(std::max<int64_t>(after_alert_id, 0) + 1));
       it->Valid() && it->key().size() == 9 && it->key()[0] == kEventSpace &&
       static_cast<int>(events.size()) < max_events;
       it->Next()) {
    if (!events.emplace_back().ParseFromArray(
            it->value().data(), static_cast<int>(it->value().size()))) {
      return absl::DataLossError("unparseable alert event");
    }
  }
  RETURN_IF_ERROR(FromRocksDb(it->status(), "read alert events"));
  return events;
}

}  // namespace headcount::audit
