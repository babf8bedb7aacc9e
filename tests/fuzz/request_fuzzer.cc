// libFuzzer target: request parsing and validation at the server's edge
// must never crash on any bytes; a request that validates must hold only
// well-formed names, grades and counts.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <set>
#include <string>

#include "common/domain/term.h"
#include "common/domain/validation.h"
#include "common/server/request_parser.h"
#include "headcount/v1/audit.pb.h"
#include "headcount/v1/ingest.pb.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  grpc::Slice slice(data, size);
  grpc::ByteBuffer buffer(&slice, 1);

  headcount::v1::SubmitRequest submit;
  if (headcount::ParseRequest(buffer, submit).ok() &&
      headcount::ValidateSubmitRequest(submit).empty()) {
    if (!headcount::IsValidUtf8(submit.school()) ||
        !headcount::ParseTerm(submit.term()).ok() || submit.grades().empty() ||
        submit.grades_size() > headcount::kMaxGrade) {
      std::abort();
    }
    std::set<int> grades;
    for (const auto& g : submit.grades()) {
      if (g.grade() < headcount::kMinGrade ||
          g.grade() > headcount::kMaxGrade ||
          !grades.insert(g.grade()).second || g.onsite_count() < 0 ||
          g.registry_count() > headcount::kMaxCount) {
        std::abort();
      }
    }
  }
  headcount::v1::WatchAlertsRequest watch;
  (void)headcount::ParseRequest(buffer, watch);
  headcount::v1::ListSchoolsRequest list;
  (void)headcount::ParseRequest(buffer, list);
  return 0;
}
