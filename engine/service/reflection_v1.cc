// Copyright 2026 gridroute authors.
#include "service/reflection_v1.h"

#include <string>
#include <unordered_set>

#include "google/protobuf/descriptor.h"
#include "google/protobuf/descriptor.pb.h"

namespace gridroute {

using grpc::reflection::v1::ServerReflectionRequest;
using grpc::reflection::v1::ServerReflectionResponse;
using google::protobuf::DescriptorPool;
using google::protobuf::FileDescriptor;

namespace {

void SetError(grpc::StatusCode code, const std::string& message, ServerReflectionResponse* out) {
  out->mutable_error_response()->set_error_code(code);
  out->mutable_error_response()->set_error_message(message);
}

// `file` and the files it depends on, each once per stream (`seen`).
void AddFile(const FileDescriptor* file, std::unordered_set<std::string>* seen,
             ServerReflectionResponse* out) {
  if (!seen->insert(file->name()).second) return;
  google::protobuf::FileDescriptorProto proto;
  file->CopyTo(&proto);
  proto.SerializeToString(out->mutable_file_descriptor_response()->add_file_descriptor_proto());
  for (int i = 0; i < file->dependency_count(); ++i) AddFile(file->dependency(i), seen, out);
}

}  // namespace

// One request in, one response out, one at a time; the stream ends OK when
// the client half-closes.
class ReflectionV1::Reactor final
    : public grpc::ServerBidiReactor<ServerReflectionRequest, ServerReflectionResponse> {
 public:
  explicit Reactor(const std::vector<std::string>* services) : services_(services) {
    StartRead(&request_);
  }
  void OnReadDone(bool ok) override {
    if (!ok) {
      Finish(grpc::Status::OK);
      return;
    }
    response_.Clear();
    Answer(request_, &response_);
    StartWrite(&response_);
  }
  void OnWriteDone(bool ok) override {
    if (!ok) {
      Finish(grpc::Status(grpc::StatusCode::CANCELLED, "reflection: the client went away"));
      return;
    }
    StartRead(&request_);
  }
  void OnDone() override { delete this; }

 private:
  void Answer(const ServerReflectionRequest& req, ServerReflectionResponse* out) {
    const DescriptorPool* pool = DescriptorPool::generated_pool();
    out->set_valid_host(req.host());
    *out->mutable_original_request() = req;
    switch (req.message_request_case()) {
      case ServerReflectionRequest::kListServices:
        for (const std::string& s : *services_) {
          out->mutable_list_services_response()->add_service()->set_name(s);
        }
        return;
      case ServerReflectionRequest::kFileByFilename:
        if (const FileDescriptor* f = pool->FindFileByName(req.file_by_filename())) {
          AddFile(f, &seen_, out);
        } else {
          SetError(grpc::StatusCode::NOT_FOUND, "File not found.", out);
        }
        return;
      case ServerReflectionRequest::kFileContainingSymbol:
        if (const FileDescriptor* f = pool->FindFileContainingSymbol(req.file_containing_symbol())) {
          AddFile(f, &seen_, out);
        } else {
          SetError(grpc::StatusCode::NOT_FOUND, "Symbol not found.", out);
        }
        return;
      case ServerReflectionRequest::kFileContainingExtension: {
        const auto* type = pool->FindMessageTypeByName(req.file_containing_extension().containing_type());
        const auto* ext = type == nullptr ? nullptr
                          : pool->FindExtensionByNumber(
                                type, req.file_containing_extension().extension_number());
        if (ext != nullptr) {
          AddFile(ext->file(), &seen_, out);
        } else {
          SetError(grpc::StatusCode::NOT_FOUND,
                   type == nullptr ? "Type not found." : "Extension not found.", out);
        }
        return;
      }
      case ServerReflectionRequest::kAllExtensionNumbersOfType: {
        const auto* type = pool->FindMessageTypeByName(req.all_extension_numbers_of_type());
        if (type == nullptr) {
          SetError(grpc::StatusCode::NOT_FOUND, "Type not found.", out);
          return;
        }
        std::vector<const google::protobuf::FieldDescriptor*> exts;
        pool->FindAllExtensions(type, &exts);
        auto* r = out->mutable_all_extension_numbers_response();
        r->set_base_type_name(type->full_name());
        for (const auto* e : exts) r->add_extension_number(e->number());
        return;
      }
      case ServerReflectionRequest::MESSAGE_REQUEST_NOT_SET:
        break;
    }
    SetError(grpc::StatusCode::INVALID_ARGUMENT, "message_request: none of the known requests",
             out);
  }

  const std::vector<std::string>* const services_;
  ServerReflectionRequest request_;
  ServerReflectionResponse response_;
  std::unordered_set<std::string> seen_;  // files sent on this stream
};

grpc::ServerBidiReactor<ServerReflectionRequest, ServerReflectionResponse>*
ReflectionV1::ServerReflectionInfo(grpc::CallbackServerContext*) {
  return new Reactor(&services_);
}

}  // namespace gridroute
