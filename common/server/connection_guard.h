// Bounds the connections a server process accepts, and keeps its listeners
// alive when descriptors run out.
//
// gRPC 1.51 has no connection limit, and its listener stops accepting for
// good (until a restart) after one accept4() fails with EMFILE or ENFILE.
// So this process wraps accept4() (the executable's definition interposes
// the C library's, which gRPC calls through the PLT):
//  - with `max_connections` connections open, a new one is accepted and
//    closed at once (the client sees the connection closed, UNAVAILABLE),
//    and logged as refused by the --max_connections limit;
//  - when no descriptor is free, one held in reserve is given up to accept
//    and close the waiting connection, then taken back, and gRPC is told
//    EAGAIN, so its listener waits for the next connection instead of
//    stopping.
// Connections are counted by descriptor and socket inode, so a closed one
// is noticed when its descriptor is reused or checked. Without
// GuardAcceptedConnections, accept4 behaves as the C library's.
#ifndef HEADCOUNT_COMMON_SERVER_CONNECTION_GUARD_H_
#define HEADCOUNT_COMMON_SERVER_CONNECTION_GUARD_H_

namespace headcount {

// Turns the guard on for every listener of the process with this limit
// (the last call wins). Opens the reserve descriptor.
void GuardAcceptedConnections(int max_connections);

}  // namespace headcount

#endif  // HEADCOUNT_COMMON_SERVER_CONNECTION_GUARD_H_
