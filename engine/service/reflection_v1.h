// Copyright 2026 gridroute authors.
//
// grpc.reflection.v1.ServerReflection beside the v1alpha service gRPC 1.51
// ships (Debian's libgrpc++_reflection serves only v1alpha; newer clients,
// grpcurl among them, try v1 first). The two protocols' messages are
// identical on the wire; this is v1 answered the way v1alpha answers, from
// the process's generated descriptor pool:
//
//   ReflectionV1 reflection({"gridroute.v1.RoutingService", ...});
//   builder.RegisterService(&reflection);   // must outlive the server
//
// list_services answers the names given at construction (the server's
// services); file_by_filename, file_containing_symbol,
// file_containing_extension and all_extension_numbers_of_type look in
// google::protobuf::DescriptorPool::generated_pool() and send each file's
// transitive dependencies once per stream (as v1alpha does); an unknown
// name is an error_response NOT_FOUND, an empty request INVALID_ARGUMENT.
//
// Thread-safety: streams are independent; the pool is thread-safe.
#ifndef GRIDROUTE_SERVICE_REFLECTION_V1_H_
#define GRIDROUTE_SERVICE_REFLECTION_V1_H_

#include <string>
#include <vector>

#include "grpc/reflection/v1/reflection.grpc.pb.h"

namespace gridroute {

class ReflectionV1 final : public grpc::reflection::v1::ServerReflection::CallbackService {
 public:
  explicit ReflectionV1(std::vector<std::string> services) : services_(std::move(services)) {}

  grpc::ServerBidiReactor<grpc::reflection::v1::ServerReflectionRequest,
                          grpc::reflection::v1::ServerReflectionResponse>*
  ServerReflectionInfo(grpc::CallbackServerContext* ctx) override;

 private:
  class Reactor;
  const std::vector<std::string> services_;
};

}  // namespace gridroute

#endif  // GRIDROUTE_SERVICE_REFLECTION_V1_H_
