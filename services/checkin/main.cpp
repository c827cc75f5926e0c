// The check-in service. main() only composes: libs/service runs the process; app/ holds the flows
// (Checkins, Fleet), api/ the HTTP mapping, store/ the Redis keys, pages/ the tablet app.
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include "api/probe.hpp"
#include "api/routes.hpp"
#include "app/checkins.hpp"
#include "app/exports.hpp"
#include "app/fleet.hpp"
#include "app/settings.hpp"
#include "pages/pages.hpp"
#include "expo/config/config.hpp"
#include "expo/core/log.hpp"
#include "expo/events/envelope.hpp"
#include "expo/events/topics.hpp"
#include "expo/http/static_files.hpp"
#include "expo/service/csv_export.hpp"
#include "expo/service/service.hpp"

namespace {

using namespace expo;

// Keeps the fleet gauges current when tablets go quiet (no heartbeat means no update otherwise).
void refresh_periodically(std::shared_ptr<boost::asio::steady_timer> timer, std::shared_ptr<checkin::Probe> probe) {
  timer->expires_after(std::chrono::seconds(10));
  timer->async_wait([timer, probe](boost::system::error_code ec) {
    if (ec) return;
    probe->refresh(std::chrono::steady_clock::now());
    refresh_periodically(timer, probe);
  });
}

Result<void> setup(service::Context& context) {
  auto settings = checkin::read_settings(context.settings);
  if (!settings) return settings.error();
  const auto visitors_group = settings->visitors_group;
  auto pages = checkin::Pages::load(settings->web_dir, context.event);
  if (!pages) return pages.error();
  auto assets = http::StaticFiles::load(checkin::Pages::assets_dir(settings->web_dir));
  if (!assets) return assets.error();
  const checkin::RouteLimits limits{settings->scans_per_second, settings->scan_burst};

  auto checkins = std::make_shared<checkin::Checkins>(std::move(*settings), context.event, context.clock,
                                                      context.producer, context.redis, context.projection_redis);
  auto registry = std::make_shared<devices::DeviceRegistry>();
  auto fleet = std::make_shared<checkin::Fleet>(registry, checkins->store(), context.event, context.clock,
                                                context.producer);
  auto probe = std::make_shared<checkin::Probe>(context.metrics, context.event);
  checkin::add_routes(context.router, checkins, fleet, probe, context.event, context.admin_token, limits);
  checkin::add_page_routes(context.router, std::make_shared<const checkin::Pages>(std::move(*pages)),
                           std::move(*assets));

  // The organisers' CSV export reads checkins.v1 on worker threads (add_csv_export's, joined when the
  // service stops).
  service::add_csv_export(context, "checkins",
                          [brokers = context.settings.str("kafka.brokers"), &event = context.event](
                              const std::optional<std::string>& day, http::ChunkWriter& out) {
                            return checkin::write_checkins_csv(brokers, event, day, out);
                          });

  auto timer = std::make_shared<boost::asio::steady_timer>(context.io);
  refresh_periodically(timer, probe);
  // Stop hooks run on a worker thread; the timer belongs to the io thread.
  context.on_stop([timer, &io = context.io] { boost::asio::post(io, [timer] { timer->cancel(); }); });

  // Every instance reads admin.v1 whole, with a group of its own: it knows every tablet at start and
  // applies a revocation as soon as it is written.
  auto followed = context.start_consumer(
      {.group_id = "checkin-devices-" + events::new_event_id(), .topics = {std::string(events::topics::admin)}},
      [registry](const kafka::Message& message) -> Result<void> {
        auto event = events::decode(message.value);
        if (!event) {
          log::warn("skipping a malformed admin event", {{"error", event.error().message}});
          return {};
        }
        registry->apply(*event);
        return {};
      });
  if (!followed) return followed.error();
  return context.start_consumer(
      {.group_id = visitors_group,
       .topics = {std::string(events::topics::visitors), std::string(events::topics::visitor_keys)}},
      [checkins](const kafka::Message& message) { return checkins->apply(message); });
}

}  // namespace

int main(int argc, char** argv) {
  return service::run(argc, argv,
                      {.name = "checkin",
                       .default_port = 8082,
                       .extend_schema = checkin::add_settings,
                       .check_settings = [](const config::Settings& s) -> Result<void> {
                         auto checked = checkin::read_settings(s);
                         if (!checked) return checked.error();
                         return {};
                       },
                       .setup = setup});
}
