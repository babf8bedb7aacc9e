// Hands freed heap memory back to the system after a burst (a large batch,
// many streams closing). glibc keeps freed pages in its arenas, so without
// this the resident size stays at the burst's peak after the load is gone.
#ifndef HEADCOUNT_COMMON_SERVER_MEMORY_RETURN_H_
#define HEADCOUNT_COMMON_SERVER_MEMORY_RETURN_H_

namespace headcount {

// Asks a background thread to call malloc_trim about a second from now;
// requests in the meantime are folded into that one. Cheap; any thread.
void ReturnFreedMemorySoon();

}  // namespace headcount

#endif  // HEADCOUNT_COMMON_SERVER_MEMORY_RETURN_H_
