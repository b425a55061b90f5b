// Copyright 2026 gridroute authors.
#include "load/loopback.h"

#include <arpa/inet.h>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace gridroute::load {

absl::Status CheckLoopbackTarget(const std::string& target) {
  auto refuse = [&](const std::string& why) {
    return absl::InvalidArgumentError(
        absl::StrCat("--server ", target, ": ", why,
                     "; gridroute-load only targets loopback (127.0.0.0/8, "
                     "localhost, [::1]) with a port"));
  };
  std::string t = absl::AsciiStrToLower(target);
  for (const char* scheme : {"dns:///", "dns:", "ipv4:", "ipv6:"}) {
    if (absl::StartsWith(t, scheme)) {
      t = t.substr(std::string(scheme).size());
      break;
    }
  }
  std::string host, port;
  if (absl::StartsWith(t, "[")) {
    const size_t close = t.find(']');
    if (close == std::string::npos || close + 1 >= t.size() ||
        t[close + 1] != ':') {
      return refuse("expected [host]:port");
    }
    host = t.substr(1, close - 1);
    port = t.substr(close + 2);
  } else {
    const size_t colon = t.rfind(':');
    if (colon == std::string::npos) return refuse("missing :port");
    host = t.substr(0, colon);
    port = t.substr(colon + 1);
    if (host.find(':') != std::string::npos)
      return refuse("an IPv6 address needs [brackets]");
  }
  int port_number = 0;
  if (!absl::SimpleAtoi(port, &port_number) || port_number < 1 ||
      port_number > 65535) {
    return refuse(absl::StrCat("bad port \"", port, "\""));
  }
  if (host == "localhost") return absl::OkStatus();
  in_addr v4{};
  if (inet_pton(AF_INET, host.c_str(), &v4) == 1) {
    if ((ntohl(v4.s_addr) >> 24) == 127) return absl::OkStatus();
    return refuse(absl::StrCat(host, " is not in 127.0.0.0/8"));
  }
  in6_addr v6{};
  if (inet_pton(AF_INET6, host.c_str(), &v6) == 1) {
    if (IN6_IS_ADDR_LOOPBACK(&v6)) return absl::OkStatus();
    return refuse(absl::StrCat(host, " is not ::1"));
  }
  return refuse(absl::StrCat(
      "\"", host, "\" is not a loopback address (names are not resolved)"));
}

}  // namespace gridroute::load
