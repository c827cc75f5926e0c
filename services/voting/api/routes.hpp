#pragma once
// The voting service's HTTP surface: parse, authenticate (admin token; a tablet's key when present),
// call the flows, map answers.

#include <memory>
#include <string>

namespace expo::http {
class Router;
class StaticFiles;
}  // namespace expo::http
namespace expo::model {
struct Event;
}
namespace expo::devices {
class DeviceRegistry;
}

namespace expo::voting {

class Votes;
class Operations;
class LedgerStore;
class Probe;
class Pages;

void add_routes(http::Router& router, std::shared_ptr<Votes> votes, std::shared_ptr<Operations> operations,
                std::shared_ptr<LedgerStore> ledger, std::shared_ptr<const devices::DeviceRegistry> registry,
                std::shared_ptr<Probe> probe, const model::Event& event, const std::string& admin_token);

// The visitor's page (GET /vote?token=...) and its assets (/vote/assets/...).
void add_page_routes(http::Router& router, std::shared_ptr<Votes> votes, std::shared_ptr<const Pages> pages,
                     std::shared_ptr<const http::StaticFiles> assets);

}  // namespace expo::voting
