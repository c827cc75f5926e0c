#pragma once
// The registration service's HTTP surface: parse, call the Registrar, map outcomes to statuses.

#include <memory>
#include <string>

namespace expo::http {
class Router;
class StaticFiles;
}  // namespace expo::http
namespace expo::model {
struct Event;
}
namespace expo::metrics {
class Registry;
}

namespace expo::registration {

class Registrar;
class Pages;

void add_routes(http::Router& router, std::shared_ptr<Registrar> registrar, std::shared_ptr<const Pages> pages,
                std::shared_ptr<const http::StaticFiles> assets, const model::Event& event,
                const std::string& admin_token, metrics::Registry& metrics);

}  // namespace expo::registration
