#pragma once
// The check-in service's HTTP surface: authenticate the device, parse, call the flows, map answers.

#include <memory>
#include <string>

namespace expo::http {
class Router;
class StaticFiles;
}
namespace expo::model {
struct Event;
}
namespace expo::checkin {

class Checkins;
class Fleet;
class Probe;
class Pages;

struct RouteLimits {
  double scans_per_second;
  double scan_burst;
};

void add_routes(http::Router& router, std::shared_ptr<Checkins> checkins, std::shared_ptr<Fleet> fleet,
                std::shared_ptr<Probe> probe, const model::Event& event, const std::string& admin_token,
                RouteLimits limits);

// The tablet app, its service worker and assets, and the tablets' admin page.
void add_page_routes(http::Router& router, std::shared_ptr<const Pages> pages,
                     std::shared_ptr<const http::StaticFiles> assets);

}  // namespace expo::checkin
