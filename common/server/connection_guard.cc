#include "common/server/connection_guard.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "common/domain/mutex.h"
#include "common/server/log.h"

namespace headcount {
namespace {

using Accept4 = int (*)(int, sockaddr*, socklen_t*, int);

Accept4 RealAccept4() {
  static const Accept4 real =
      reinterpret_cast<Accept4>(dlsym(RTLD_NEXT, "accept4"));
  return real;
}

ino_t InodeOf(int fd) {
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISSOCK(st.st_mode)) return 0;
  return st.st_ino;
}

class Guard {
 public:
  void Enable(int max_connections) {
    MutexLock lock(&mu_);
    max_connections_ = max_connections;
    TakeReserve();
    enabled_.store(true, std::memory_order_release);
  }

  bool enabled() const { return enabled_.load(std::memory_order_acquire); }

  int Accept(int listener, sockaddr* address, socklen_t* length, int flags) {
    for (;;) {
      const int fd = RealAccept4()(listener, address, length, flags);
      if (fd >= 0) {
        if (Admit(fd)) return fd;
        close(fd);
        continue;  // the next waiting connection, until EAGAIN
      }
      if (errno != EMFILE && errno != ENFILE) return -1;
      if (!TurnAwayWithReserve(listener)) {
        errno = EAGAIN;
        return -1;
      }
    }
  }

 private:
  // Counts `fd` as open, or refuses it at the limit.
  bool Admit(int fd) {
    const ino_t inode = InodeOf(fd);
    MutexLock lock(&mu_);
    // A descriptor was free just now: take the reserve back if another
    // thread took its place while it was briefly closed (see
    // TurnAwayWithReserve), so that the next time descriptors run out
    // there is one to turn a connection away with.
    TakeReserve();
    open_.erase(fd);  // a descriptor number reused: that one was closed
    if (static_cast<int>(open_.size()) >= max_connections_) Prune();
    if (static_cast<int>(open_.size()) >= max_connections_) {
      ++refused_at_limit_;
      MaybeLog(absl::StrCat("connection refused: ", open_.size(),
                            " connections are open, the --max_connections "
                            "limit (",
                            refused_at_limit_, " refused so far)"));
      return false;
    }
    open_[fd] = inode;
    return true;
  }

  // Frees the reserve descriptor to accept and close one waiting
  // connection, then takes it back. False when there is no reserve. Another
  // thread may take the freed descriptor first; then the reserve is lost
  // until Admit finds a descriptor free again.
  bool TurnAwayWithReserve(int listener) {
    MutexLock lock(&mu_);
    if (reserve_ < 0) {
      TakeReserve();
      return false;
    }
    close(reserve_);
    const int fd = RealAccept4()(listener, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd >= 0) close(fd);
    reserve_ = -1;
    TakeReserve();
    if (fd < 0) return false;  // nothing waiting (or still no descriptor)
    ++refused_no_descriptor_;
    MaybeLog(absl::StrCat(
        "connection refused: no file descriptor free (",
        refused_no_descriptor_,
        " refused so far); raise --max_open_files or lower "
        "--max_connections"));
    return true;
  }

  // Opens the reserve descriptor if it is not held; it stays unheld when
  // no descriptor is free.
  void TakeReserve() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (reserve_ < 0) reserve_ = open("/dev/null", O_RDONLY | O_CLOEXEC);
  }

  // Forgets connections whose descriptor was closed (or now holds another
  // file).
  void Prune() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    for (auto it = open_.begin(); it != open_.end();) {
      auto current = it++;
      if (InodeOf(current->first) != current->second) open_.erase(current);
    }
  }

  // At most one line per second.
  void MaybeLog(const std::string& text) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    const absl::Time now = absl::Now();
    if (now - last_log_ < absl::Seconds(1)) return;
    last_log_ = now;
    Log(LogLevel::kWarning, "connections", text);
  }

  std::atomic<bool> enabled_{false};
  absl::Mutex mu_;
  int max_connections_ ABSL_GUARDED_BY(mu_) = 0;
  int reserve_ ABSL_GUARDED_BY(mu_) = -1;
  absl::flat_hash_map<int, ino_t> open_ ABSL_GUARDED_BY(mu_);
  int64_t refused_at_limit_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t refused_no_descriptor_ ABSL_GUARDED_BY(mu_) = 0;
  absl::Time last_log_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
};

Guard& TheGuard() {
  static Guard* guard = new Guard();
  return *guard;
}

}  // namespace

void GuardAcceptedConnections(int max_connections) {
  TheGuard().Enable(max_connections);
}

}  // namespace headcount

// The interposer (see the header). Not inside a namespace: it replaces the
// C library's symbol for the whole process.
extern "C" int accept4(int listener, sockaddr* address, socklen_t* length,
                       int flags) {
  headcount::Guard& guard = headcount::TheGuard();
  if (!guard.enabled()) {
    return headcount::RealAccept4()(listener, address, length, flags);
  }
  return guard.Accept(listener, address, length, flags);
}
