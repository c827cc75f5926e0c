// The registration service. main() only composes: the shared runtime (libs/service) brings configuration,
// health, readiness, metrics and the stop sequence; the service's rules, routes and Redis keys join it.
#include "expo/service/service.hpp"

int main(int argc, char** argv) {
  return expo::service::run(argc, argv, {.name = "registration", .default_port = 8081});
}
