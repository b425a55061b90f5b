// Copyright 2026 gridroute authors.
//
// CheckLoopbackTarget: gridroute-load only ever loads a server on this
// machine.
//
//   absl::Status s = CheckLoopbackTarget("127.0.0.1:19090");   // OK
//   CheckLoopbackTarget("10.0.0.5:9090");  // InvalidArgument, says why
//
// Accepted: host:port with host in 127.0.0.0/8 (dotted quad), "localhost",
// "[::1]", optionally with gRPC's "ipv4:"/"ipv6:"/"dns:" scheme
// ("dns:///localhost:9090" too). No name resolution happens: anything else is
// refused. Thread-safe, pure.
#ifndef GRIDROUTE_TOOLS_LOAD_LOOPBACK_H_
#define GRIDROUTE_TOOLS_LOAD_LOOPBACK_H_

#include <string>

#include "absl/status/status.h"

namespace gridroute::load {

absl::Status CheckLoopbackTarget(const std::string& target);

}  // namespace gridroute::load

#endif  // GRIDROUTE_TOOLS_LOAD_LOOPBACK_H_
