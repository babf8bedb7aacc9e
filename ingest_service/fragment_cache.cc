#include "ingest_service/fragment_cache.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "common/domain/mutex.h"
#include "common/domain/status_util.h"
#include "google/protobuf/io/coded_stream.h"
#include "headcount/v1/ingest.pb.h"

namespace headcount::ingest {
namespace {

// WatchResponse.header_revision: field 4, varint.
constexpr uint8_t kHeaderRevisionTag = (4 << 3) | 0;

grpc::Slice SerializeToSlice(const v1::WatchResponse& message) {
  std::string bytes;
  message.SerializeToString(&bytes);
  return grpc::Slice(bytes);
}

// `entry` cut into fragments and serialized (the cache's miss path).
SerializedRevision SerializeRevision(storage::RevisionEntry entry,
                                     const std::string& history_id) {
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

absl::StatusOr<std::shared_ptr<const SerializedRevision>> FragmentCache::Get(
    SubmissionStore& store, int64_t revision) {
  MutexLock lock(&mu_);
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
  ASSIGN_OR_RETURN(std::vector<storage::RevisionEntry> entries,
                   store.ReadLog(revision - 1, 1));
  if (entries.empty() || entries.front().revision() != revision) {
    return absl::InternalError(
        absl::StrCat("the log has no revision ", revision));
  }
  auto serialized = std::make_shared<const SerializedRevision>(
      SerializeRevision(std::move(entries.front()), store.history_id()));
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
