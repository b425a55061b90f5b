// Copyright 2026 gridroute authors.
#include "service/serving_health.h"

#include <chrono>

#include "absl/strings/str_cat.h"
#include "common/log.h"

#include "grpcpp/health_check_service_interface.h"
#include "gridroute/v1/admin.grpc.pb.h"
#include "gridroute/v1/cases.grpc.pb.h"
#include "gridroute/v1/routing.grpc.pb.h"
#include "service/connection_guard.h"

namespace gridroute {
namespace {

// How often the watch looks at the guard: a flag read, so cheap; the
// orchestrator's probe period (seconds) dominates how fast it reacts.
constexpr auto kPollEvery = std::chrono::milliseconds(200);

}  // namespace

std::vector<std::string> HealthServiceNames() {
  return {v1::RoutingService::service_full_name(), v1::AdminService::service_full_name(),
          v1::CaseService::service_full_name()};
}

void SetServiceHealth(grpc::Server* server, bool serving, bool cases_on) {
  grpc::HealthCheckServiceInterface* health = server->GetHealthCheckService();
  if (health == nullptr) return;
  health->SetServingStatus("", serving);
  for (const std::string& name : HealthServiceNames()) {
    const bool on = name != v1::CaseService::service_full_name() || cases_on;
    health->SetServingStatus(name, serving && on);
  }
}

ServingWatch::ServingWatch(grpc::Server* server, bool cases_on)
    : server_(server), cases_on_(cases_on), thread_([this] { Run(); }) {}

ServingWatch::~ServingWatch() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

bool ServingWatch::serving() const {
  std::lock_guard<std::mutex> lock(mu_);
  return serving_;
}

void ServingWatch::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop_) {
    const ConnectionGuardState g = ConnectionGuard::Get().state();
    const bool serving = !g.listener_failed && !g.fd_exhausted;
    if (serving != serving_) {
      // serving_ changes only after health says so, so a caller that saw
      // serving() flip also sees the new status through Health/Check.
      lock.unlock();
      Log(serving ? LogLevel::kInfo : LogLevel::kError, "server",
          absl::StrCat("health ", serving ? "SERVING again" : "NOT_SERVING", " (",
                       g.listener_failed ? "the listener stopped accepting connections"
                       : g.fd_exhausted  ? "out of file descriptors: new connections are closed"
                                         : "connections are accepted again",
                       ")"));
      SetServiceHealth(server_, serving, cases_on_);
      lock.lock();
      serving_ = serving;
    }
    cv_.wait_for(lock, kPollEvery, [this] { return stop_; });
  }
}

}  // namespace gridroute
