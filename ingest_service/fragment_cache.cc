#include "ingest_service/fragment_cache.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/domain/mutex.h"
#include "common/domain/status_util.h"
#include "google/protobuf/io/coded_stream.h"
#include "headcount/v1/ingest.pb.h"

namespace headcount::ingest {

const std::string& EventCounty(const v1::Event& event) {
  switch (event.type()) {
    case v1::Event::ROSTER_PUT:
      return event.roster().county();
    case v1::Event::ROSTER_DELETE:
      return event.prev_roster().county();
    case v1::Event::REGION_PUT:
      return event.region().county();
    default:
      return event.school().county();
  }
}

bool SerializedRevision::HasCounty(absl::string_view county) const {
  return std::binary_search(counties.begin(), counties.end(), county);
}

namespace {

// WatchResponse.header_revision: field 4, varint.
constexpr uint8_t kHeaderRevisionTag = (4 << 3) | 0;

grpc::Slice SerializeToSlice(const v1::WatchResponse& message) {
  std::string bytes;
  message.SerializeToString(&bytes);
  return grpc::Slice(bytes);
}

// `entry` cut into fragments and serialized, with events of `county` alone
// when it is not empty.
SerializedRevision SerializeRevision(storage::RevisionEntry entry,
                                     const std::string& history_id,
                                     absl::string_view county) {
  SerializedRevision serialized;
  serialized.history_id = history_id;
  serialized.revision = entry.revision();
  v1::WatchResponse message;
  size_t message_bytes = 0;
  auto flush = [&](bool more_follow) {
    message.set_revision(entry.revision());
    message.set_history_id(history_id);
    message.set_fragment(more_follow);
    serialized.fragments.push_back(SerializeToSlice(message));
    serialized.bytes += serialized.fragments.back().size();
    message.Clear();
    message_bytes = 0;
  };
  if (!county.empty()) {
    auto* events = entry.mutable_events();
    events->erase(std::remove_if(events->begin(), events->end(),
                                 [&](const v1::Event& event) {
                                   return EventCounty(event) != county;
                                 }),
                  events->end());
  }
  for (const v1::Event& event : entry.events()) {
    serialized.counties.push_back(EventCounty(event));
  }
  std::sort(serialized.counties.begin(), serialized.counties.end());
  serialized.counties.erase(
      std::unique(serialized.counties.begin(), serialized.counties.end()),
      serialized.counties.end());
  const int events = entry.events_size();
  for (int i = 0; i < events; ++i) {
    message_bytes += entry.events(i).ByteSizeLong();
    *message.add_events() = std::move(*entry.mutable_events(i));
    if (i + 1 < events && (message.events_size() == kMaxEventsPerMessage ||
                           message_bytes >= kFragmentBytes)) {
      flush(/*more_follow=*/true);
    }
  }
  flush(/*more_follow=*/false);
  return serialized;
}

}  // namespace

absl::StatusOr<SerializedRevision> ReadSerializedRevision(
    SubmissionStore& store, int64_t revision, absl::string_view county) {
  ASSIGN_OR_RETURN(std::vector<storage::RevisionEntry> entries,
                   store.ReadLog(revision - 1, 1));
  if (entries.empty() || entries.front().revision() != revision) {
    return absl::InternalError(
        absl::StrCat("the log has no revision ", revision));
  }
  return SerializeRevision(std::move(entries.front()), store.history_id(),
                           county);
}

absl::StatusOr<std::shared_ptr<const SerializedRevision>> FragmentCache::Get(
    SubmissionStore& store, int64_t revision) {
  MutexLock lock(&mu_);
  return GetLocked(store, revision);
}

absl::StatusOr<int64_t> FragmentCache::FirstWithCounty(
    SubmissionStore& store, absl::string_view county, int64_t first,
    int64_t last) {
  // Spans of a bounded length, so that a stream replaying a long log does
  // not hold the lock for all of it.
  constexpr int64_t kSpan = 256;
  for (int64_t start = first; start <= last; start += kSpan) {
    MutexLock lock(&mu_);
    for (int64_t revision = start;
         revision <= std::min(last, start + kSpan - 1); ++revision) {
      ASSIGN_OR_RETURN(Entry entry, GetLocked(store, revision));
      if (entry->HasCounty(county)) return revision;
    }
  }
  return last + 1;
}

absl::StatusOr<FragmentCache::Entry> FragmentCache::GetLocked(
    SubmissionStore& store, int64_t revision) {
  auto found = by_revision_.find(revision);
  if (found != by_revision_.end() &&
      (*found->second)->history_id == store.history_id()) {
    recent_.splice(recent_.begin(), recent_, found->second);
    return *found->second;
  }
  if (found != by_revision_.end()) {  // another history: forget it
    bytes_ -= (*found->second)->bytes;
    recent_.erase(found->second);
    by_revision_.erase(found);
  }
  ASSIGN_OR_RETURN(SerializedRevision read,
                   ReadSerializedRevision(store, revision));
  auto serialized = std::make_shared<const SerializedRevision>(std::move(read));
  recent_.push_front(serialized);
  by_revision_[revision] = recent_.begin();
  bytes_ += serialized->bytes;
  // Evict the least recently used, keeping at least the one just made;
  // watchers sending an evicted revision keep their fragment alive.
  while (bytes_ > capacity_bytes_ && recent_.size() > 1) {
    bytes_ -= recent_.back()->bytes;
    by_revision_.erase(recent_.back()->revision);
    recent_.pop_back();
  }
  return serialized;
}

grpc::ByteBuffer FragmentCache::Message(const SerializedRevision& serialized,
                                        size_t index,
                                        int64_t header_revision) {
  return Combined({serialized.fragments[index]}, header_revision);
}

grpc::ByteBuffer FragmentCache::Combined(std::vector<grpc::Slice> revisions,
                                         int64_t header_revision) {
  uint8_t header[1 + 10];
  header[0] = kHeaderRevisionTag;
  uint8_t* end = google::protobuf::io::CodedOutputStream::WriteVarint64ToArray(
      static_cast<uint64_t>(header_revision), header + 1);
  // A field appended to a serialized message is parsed as if set in it;
  // messages one after the other merge (repeated fields concatenate, the
  // last scalar wins).
  revisions.emplace_back(header, static_cast<size_t>(end - header));
  return grpc::ByteBuffer(revisions.data(), revisions.size());
}

size_t FragmentCache::bytes() const {
  MutexLock lock(&mu_);
  return bytes_;
}

}  // namespace headcount::ingest
