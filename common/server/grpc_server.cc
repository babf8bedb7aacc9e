#include "common/server/grpc_server.h"

#include <climits>
#include <csignal>
#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/server/metrics.h"
#include "grpc/health/v1/health.pb.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/resource_quota.h"

namespace headcount {

absl::StatusOr<std::unique_ptr<GrpcServer>> GrpcServer::Start(
    const std::string& listen, const std::vector<NamedService>& services,
    std::shared_ptr<grpc::ServerCredentials> credentials,
    const ResourceLimits& limits) {
  std::vector<std::string> names;
  for (const auto& [name, service] : services) names.push_back(name);
  return Build("--listen", listen, services, std::move(names),
               /*health_only=*/false, std::move(credentials), limits);
}

absl::StatusOr<std::unique_ptr<GrpcServer>> GrpcServer::StartHealthOnly(
    const std::string& listen, std::vector<std::string> service_names,
    const ResourceLimits& limits) {
  return Build("--health_listen", listen, {}, std::move(service_names),
               /*health_only=*/true, grpc::InsecureServerCredentials(),
               limits);
}

absl::StatusOr<std::unique_ptr<GrpcServer>> GrpcServer::Build(
    absl::string_view flag, const std::string& listen, const std::vector<NamedService>& services,
    std::vector<std::string> health_names, bool health_only,
    std::shared_ptr<grpc::ServerCredentials> credentials,
    const ResourceLimits& limits) {
  const size_t colon = listen.rfind(':');
  int requested_port = -1;
  if (colon == std::string::npos ||
      !absl::SimpleAtoi(listen.substr(colon + 1), &requested_port) ||
      requested_port < 0 || requested_port > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat(flag, ": must be HOST:PORT, got \"", listen, "\""));
  }
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  // gRPC's built-in health service registers no descriptor, so reflection
  // lists grpc.health.v1.Health but cannot describe it and grpcurl cannot
  // call it. Naming our compiled copy of health.proto links its descriptor
  // into the generated pool, where reflection finds it.
  (void)grpc::health::v1::HealthCheckRequest::descriptor();

  grpc::ServerBuilder builder;
  std::vector<std::unique_ptr<
      grpc::experimental::ServerInterceptorFactoryInterface>>
      interceptors;
  interceptors.push_back(NewRpcMetricsInterceptorFactory());
  builder.experimental().SetInterceptorCreators(std::move(interceptors));
  int port = 0;
  builder.AddListeningPort(listen, std::move(credentials), &port);
  builder.SetMaxReceiveMessageSize(kMaxReceiveMessageBytes);
  // Let watchers keep idle streams alive with pings (the audit service pings
  // every 10 s to notice a dead connection), but no more often than
  // min_ping_interval: the third ping too early ends the connection.
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  builder.AddChannelArgument(
      GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS,
      static_cast<int>(absl::ToInt64Milliseconds(limits.min_ping_interval)));
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MAX_PING_STRIKES, 2);
  builder.AddChannelArgument(GRPC_ARG_MAX_CONCURRENT_STREAMS,
                             limits.max_concurrent_streams);
  builder.AddChannelArgument(
      GRPC_ARG_MAX_CONNECTION_IDLE_MS,
      static_cast<int>(std::min<int64_t>(
          absl::ToInt64Milliseconds(limits.max_connection_idle), INT_MAX)));
  grpc::ResourceQuota quota("headcount-server");
  quota.Resize(limits.grpc_memory_bytes);
  builder.SetResourceQuota(quota);
  for (const auto& [name, service] : services) {
    builder.RegisterService(service);
  }
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || port == 0) {
    return absl::UnavailableError(
        absl::StrCat(flag, ": cannot listen on ", listen));
  }
  std::string address = absl::StrCat(listen.substr(0, colon), ":", port);
  std::unique_ptr<GrpcServer> result(new GrpcServer(
      std::move(server), std::move(health_names), health_only, address, port));
  result->SetServing(false);
  if (health_only) result->SetOverallServing(true);  // alive
  return result;
}

GrpcServer::~GrpcServer() {
  if (!shut_down_) Shutdown(absl::Seconds(5));
}

void GrpcServer::SetServing(bool serving) {
  grpc::HealthCheckServiceInterface* health = server_->GetHealthCheckService();
  if (health == nullptr) return;
  if (!health_only_) health->SetServingStatus(serving);  // overall, ""
  for (const std::string& name : service_names_) {
    health->SetServingStatus(name, serving);
  }
}

void GrpcServer::SetOverallServing(bool serving) {
  grpc::HealthCheckServiceInterface* health = server_->GetHealthCheckService();
  // By name: the one-argument overload sets every name at once.
  if (health != nullptr) health->SetServingStatus("", serving);
}

void GrpcServer::Shutdown(absl::Duration grace) {
  if (shut_down_) return;
  shut_down_ = true;
  SetServing(false);
  if (health_only_) SetOverallServing(false);
  server_->Shutdown(absl::ToChronoTime(absl::Now() + grace));
  server_->Wait();
}

void BlockTerminationSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

int WaitForTerminationSignal() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  int signal_number = 0;
  sigwait(&set, &signal_number);
  return signal_number;
}

}  // namespace headcount
