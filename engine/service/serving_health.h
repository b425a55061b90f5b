// Copyright 2026 gridroute authors.
//
// The server's grpc.health.v1 answers: "" (the whole server) and one name
// per service, and a watch that turns them all NOT_SERVING when the
// listener fails, so an orchestrator (a Kubernetes probe, grpc_health_probe,
// docker compose's healthcheck) restarts the process.
//
//   std::unique_ptr<grpc::Server> server = StartServer(options, &service, &port, &error);
//   ServingWatch watch(server.get());   // destroy before the server
//
// StartServer already sets the per-service statuses (SetServiceHealth);
// the watch adds the listener: NOT_SERVING while ConnectionGuard reports
// the listener failed (sticky: gRPC 1.51's listener never recovers) or the
// process out of file descriptors (until an accept succeeds again).
//
// Thread-safety: ServingWatch runs one thread; its constructor and
// destructor are not concurrent with each other.
#ifndef GRIDROUTE_SERVICE_SERVING_HEALTH_H_
#define GRIDROUTE_SERVICE_SERVING_HEALTH_H_

#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "grpcpp/grpcpp.h"

namespace gridroute {

// The service names health answers for besides "": gridroute.v1's three
// services (CaseService only when `cases_on`; without cases it answers
// NOT_SERVING, as its calls answer FAILED_PRECONDITION).
std::vector<std::string> HealthServiceNames();

// Sets "" and every name of HealthServiceNames() on `server`'s default
// health service: `serving`, except CaseService which is serving only with
// `cases_on` too. No-op without a health service.
void SetServiceHealth(grpc::Server* server, bool serving, bool cases_on);

class ServingWatch {
 public:
  // Watches ConnectionGuard for `server` (not owned; must outlive the
  // watch). `cases_on` as for SetServiceHealth.
  ServingWatch(grpc::Server* server, bool cases_on);
  ~ServingWatch();
  ServingWatch(const ServingWatch&) = delete;
  ServingWatch& operator=(const ServingWatch&) = delete;

  // What the watch last published.
  bool serving() const;

 private:
  void Run();

  grpc::Server* const server_;
  const bool cases_on_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;     // guarded by mu_
  bool serving_ = true;   // guarded by mu_
  std::thread thread_;
};

}  // namespace gridroute

#endif  // GRIDROUTE_SERVICE_SERVING_HEALTH_H_
