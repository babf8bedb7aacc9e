// headcount-echo: the baseline server of headcount-bench. The callback API
// on raw bytes: each request's bytes go back as the response, unparsed,
// so that it costs what the transport costs and nothing else. With
// --sync_dir it is the durable echo: each request's bytes are first
// written into a RocksDB in that directory with sync=true (default
// options), then answered; the floor of a service that acknowledges a
// synced write over this transport. Handlers queue their request; one
// writer thread takes all that are queued into one synced WriteBatch and
// answers them: one hand-off, as in the ingest's GroupCommitter. (Putting
// on the handler's thread instead, relying on RocksDB's own group commit,
// measured slower at 16 and 64 clients: gRPC's handler threads block.)
// Collect reads a client stream of the same messages to its end and, with
// --sync_dir, writes them all in one synced batch before its answer: the
// floor of SubmitBatch.
// Prints "listening on HOST:PORT" like the services; SIGTERM stops it.
#include <signal.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "headcount/bench/echo.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "rocksdb/db.h"
#include "rocksdb/write_batch.h"

ABSL_FLAG(std::string, listen, "127.0.0.1:0", "HOST:PORT; port 0 picks one");
ABSL_FLAG(std::string, sync_dir, "",
          "when set, put each request into a RocksDB here with sync=true "
          "before answering (the durable echo)");

namespace {

// The bytes of a request, in one string.
std::string Bytes(const grpc::ByteBuffer& buffer) {
  std::vector<grpc::Slice> slices;
  std::string bytes;
  if (!buffer.Dump(&slices).ok()) return bytes;
  for (const grpc::Slice& slice : slices) {
    bytes.append(reinterpret_cast<const char*>(slice.begin()), slice.size());
  }
  return bytes;
}

// Writes request bytes to `db` under keys of their own, synced. Thread-safe.
class SyncedLog {
 public:
  explicit SyncedLog(rocksdb::DB* db) : db_(db) {}

  // Puts each of `values` in one synced batch.
  bool Write(const std::vector<std::string>& values) {
    rocksdb::WriteBatch batch;
    for (const std::string& value : values) {
      const uint64_t n = next_key_.fetch_add(1, std::memory_order_relaxed);
      char key[8];
      for (int i = 0; i < 8; ++i) key[i] = static_cast<char>(n >> (56 - 8 * i));
      batch.Put(rocksdb::Slice(key, sizeof(key)), value);
    }
    rocksdb::WriteOptions options;
    options.sync = true;
    return db_->Write(options, &batch).ok();
  }

 private:
  rocksdb::DB* const db_;
  std::atomic<uint64_t> next_key_{0};
};

// One writer thread: takes every queued request into one synced batch,
// then finishes their calls.
class GroupWriter {
 public:
  explicit GroupWriter(SyncedLog* log)
      : log_(log), thread_([this] { Run(); }) {}
  ~GroupWriter() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping_ = true;
    }
    wake_.notify_one();
    thread_.join();
  }

  // Writes `bytes`, then finishes `reactor`: OK, or UNAVAILABLE if the
  // write failed.
  void Enqueue(std::string bytes, grpc::ServerUnaryReactor* reactor) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      queue_.emplace_back(std::move(bytes), reactor);
    }
    wake_.notify_one();
  }

 private:
  void Run() {
    std::unique_lock<std::mutex> lock(mu_);
    while (true) {
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;
      std::deque<std::pair<std::string, grpc::ServerUnaryReactor*>> group;
      group.swap(queue_);
      lock.unlock();
      std::vector<std::string> values;
      values.reserve(group.size());
      for (auto& [bytes, reactor] : group) values.push_back(std::move(bytes));
      const bool ok = log_->Write(values);
      for (auto& [bytes, reactor] : group) {
        reactor->Finish(ok ? grpc::Status::OK
                           : grpc::Status(grpc::StatusCode::UNAVAILABLE,
                                          "the synced put failed"));
      }
      lock.lock();
    }
  }

  SyncedLog* const log_;
  std::mutex mu_;
  std::condition_variable wake_;
  std::deque<std::pair<std::string, grpc::ServerUnaryReactor*>> queue_;
  bool stopping_ = false;
  std::thread thread_;
};

// One Collect call: every message's bytes kept, then written in one synced
// batch (`log` null: not written) when the client has sent its last.
class CollectReactor final : public grpc::ServerReadReactor<grpc::ByteBuffer> {
 public:
  CollectReactor(SyncedLog* log, grpc::ByteBuffer* response)
      : log_(log), response_(response) {
    StartRead(&message_);
  }

  void OnReadDone(bool ok) override {
    if (ok) {
      values_.push_back(Bytes(message_));
      StartRead(&message_);
      return;
    }
    if (log_ != nullptr && !log_->Write(values_)) {
      Finish(grpc::Status(grpc::StatusCode::UNAVAILABLE,
                          "the synced write failed"));
      return;
    }
    grpc::Slice empty;  // an ImportSummary with no field set
    *response_ = grpc::ByteBuffer(&empty, 1);
    Finish(grpc::Status::OK);
  }

  void OnDone() override { delete this; }

 private:
  SyncedLog* const log_;
  grpc::ByteBuffer* const response_;
  grpc::ByteBuffer message_;
  std::vector<std::string> values_;
};

class EchoService final
    : public headcount::bench::Echo::WithRawCallbackMethod_Echo<
          headcount::bench::Echo::WithRawCallbackMethod_Collect<
              headcount::bench::Echo::Service>> {
 public:
  // `group` and `log` null: the plain echo.
  EchoService(GroupWriter* group, SyncedLog* log) : group_(group), log_(log) {}

  grpc::ServerReadReactor<grpc::ByteBuffer>* Collect(
      grpc::CallbackServerContext* /*context*/,
      grpc::ByteBuffer* response) override {
    return new CollectReactor(log_, response);
  }

  grpc::ServerUnaryReactor* Echo(grpc::CallbackServerContext* context,
                                 const grpc::ByteBuffer* request,
                                 grpc::ByteBuffer* response) override {
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    *response = *request;  // shares the slices: no copy of the bytes
    if (group_ != nullptr) {
      group_->Enqueue(Bytes(*request), reactor);
    } else {
      reactor->Finish(grpc::Status::OK);
    }
    return reactor;
  }

 private:
  GroupWriter* const group_;
  SyncedLog* const log_;
};

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  // SIGTERM and SIGINT are waited for below, not delivered.
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGTERM);
  sigaddset(&stop, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);

  std::unique_ptr<rocksdb::DB> db;
  const std::string sync_dir = absl::GetFlag(FLAGS_sync_dir);
  if (!sync_dir.empty()) {
    rocksdb::Options options;
    options.create_if_missing = true;
    rocksdb::DB* opened = nullptr;
    const rocksdb::Status status =
        rocksdb::DB::Open(options, sync_dir, &opened);
    if (!status.ok()) {
      std::fprintf(stderr, "headcount-echo: %s\n", status.ToString().c_str());
      return 1;
    }
    db.reset(opened);
  }

  std::unique_ptr<SyncedLog> log;
  std::unique_ptr<GroupWriter> group;
  if (db != nullptr) log = std::make_unique<SyncedLog>(db.get());
  if (log != nullptr) group = std::make_unique<GroupWriter>(log.get());
  EchoService service(group.get(), log.get());
  grpc::ServerBuilder builder;
  int port = 0;
  const std::string listen = absl::GetFlag(FLAGS_listen);
  builder.AddListeningPort(listen, grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(&service);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || port == 0) {
    std::fprintf(stderr, "headcount-echo: cannot listen on %s\n",
                 listen.c_str());
    return 1;
  }
  std::printf("listening on %s:%d\n",
              listen.substr(0, listen.rfind(':')).c_str(), port);
  std::fflush(stdout);
  int signal = 0;
  sigwait(&stop, &signal);
  server->Shutdown();  // every call finished: the writer's queue is empty
  return 0;
}
