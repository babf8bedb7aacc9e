#include "tests/fault/watch_validator.h"

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/domain/mutex.h"
#include "tests/test_util.h"

namespace headcount::testing {

WatchValidator::WatchValidator(std::string address)
    : address_(std::move(address)) {
  thread_ = std::thread([this] { Run(); });
}

WatchValidator::~WatchValidator() {
  {
    MutexLock lock(&mu_);
    stopping_ = true;
    if (active_ != nullptr) active_->TryCancel();
  }
  thread_.join();
}

void WatchValidator::Violation(std::string what) {
  if (violations_.size() < 20) violations_.push_back(std::move(what));
}

void WatchValidator::Run() {
  while (true) {
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(60)));
    v1::WatchRequest request;
    {
      MutexLock lock(&mu_);
      if (stopping_) return;
      active_ = &context;
      request.set_after_revision(last_);
      ++connections_;
    }
    request.set_progress_interval_ms(50);
    auto stub = v1::IngestService::NewStub(FastReconnectChannel(address_));
    auto reader = stub->Watch(&context, request);
    int64_t pending_revision = 0;
    std::vector<v1::SchoolRecord> pending;
    v1::WatchResponse response;
    while (reader->Read(&response)) {
      MutexLock lock(&mu_);
      ++responses_;
      if (response.progress()) {
        if (pending_revision != 0) {
          Violation(absl::StrCat("atomic: progress inside revision ", pending_revision));
        }
        if (response.header_revision() < last_) {
          Violation(absl::StrCat("bookmarkable: progress at ", response.header_revision(),
                                 " after revision ", last_, " was delivered"));
        }
        bookmark_ = std::max(bookmark_, response.header_revision());
        continue;
      }
      const int64_t revision = response.revision();
      if (response.events().empty()) {
        Violation(absl::StrCat("revision ", revision, " without events"));
      }
      if (pending_revision != 0) {
        if (revision != pending_revision) {
          Violation(absl::StrCat("atomic: revision ", revision,
                                 " inside the fragments of ", pending_revision));
        }
      } else {
        if (revision <= last_) {
          Violation(absl::StrCat("ordered/unique: revision ", revision,
                                 " after ", last_));
        } else if (revision != last_ + 1) {
          Violation(absl::StrCat("reliable/resumable: gap from ", last_, " to ",
                                 revision));
        }
        if (revision <= bookmark_) {
          Violation(absl::StrCat("bookmarkable: revision ", revision,
                                 " after a progress message at ", bookmark_));
        }
        pending_revision = revision;
      }
      for (const v1::Event& event : response.events()) {
        pending.push_back(event.school());
      }
      if (!response.fragment()) {
        revisions_[revision] = std::move(pending);
        pending.clear();
        last_ = std::max(last_, revision);
        pending_revision = 0;
      }
    }
    reader->Finish();
    {
      MutexLock lock(&mu_);
      active_ = nullptr;
      if (stopping_) return;
    }
    absl::SleepFor(absl::Milliseconds(20));
  }
}

bool WatchValidator::WaitFor(int64_t revision, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (true) {
    {
      MutexLock lock(&mu_);
      if (last_ >= revision) return true;
    }
    if (absl::Now() > deadline) return false;
    absl::SleepFor(absl::Milliseconds(5));
  }
}

std::vector<std::string> WatchValidator::violations() const {
  MutexLock lock(&mu_);
  return violations_;
}

std::map<int64_t, std::vector<v1::SchoolRecord>> WatchValidator::revisions() const {
  MutexLock lock(&mu_);
  return revisions_;
}

int64_t WatchValidator::responses_checked() const {
  MutexLock lock(&mu_);
  return responses_;
}

int WatchValidator::connections() const {
  MutexLock lock(&mu_);
  return connections_;
}

}  // namespace headcount::testing
