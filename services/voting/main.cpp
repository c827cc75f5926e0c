// The voting service. main() only composes: libs/service runs the process; domain/ holds the rules,
// app/ the flows (Votes, Operations, CheckinView, the topic projections), store/ the Redis keys,
// api/ the HTTP mapping, pages/ the visitor's page.
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include "api/probe.hpp"
#include "api/routes.hpp"
#include "app/checkin_view.hpp"
#include "app/exports.hpp"
#include "app/operations.hpp"
#include "app/projections.hpp"
#include "app/settings.hpp"
#include "app/votes.hpp"
#include "expo/config/config.hpp"
#include "expo/devices/registry.hpp"
#include "expo/events/envelope.hpp"
#include "expo/events/topics.hpp"
#include "expo/http/static_files.hpp"
#include "expo/service/csv_export.hpp"
#include "expo/service/service.hpp"
#include "pages/pages.hpp"
#include "store/ledger_store.hpp"
#include "store/vote_store.hpp"

namespace {

using namespace expo;

// expo_voting_open follows the clock (opening hours) as well as operations' switch.
void refresh_periodically(std::shared_ptr<boost::asio::steady_timer> timer, std::shared_ptr<voting::Votes> votes,
                          std::shared_ptr<voting::Probe> probe) {
  probe->set_open(votes->open_now());
  timer->expires_after(std::chrono::seconds(1));
  timer->async_wait([timer, votes, probe](boost::system::error_code ec) {
    if (ec) return;
    refresh_periodically(timer, votes, probe);
  });
}

Result<void> setup(service::Context& context) {
  auto settings = voting::read_settings(context.settings);
  if (!settings) return settings.error();
  auto pages = voting::Pages::load(settings->web_dir, context.event);
  if (!pages) return pages.error();
  auto assets = http::StaticFiles::load(voting::Pages::assets_dir(settings->web_dir));
  if (!assets) return assets.error();
  const auto checkins_group = settings->checkins_group;
  const auto ledger_group = settings->ledger_group;

  auto store = std::make_shared<voting::VoteStore>(context.redis, context.projection_redis);
  auto ledger = std::make_shared<voting::LedgerStore>(context.redis, context.projection_redis);
  auto view = std::make_shared<voting::CheckinView>(context.io, context.producer, store, settings->checkin_wait);
  auto operations = std::make_shared<voting::Operations>(context.event, context.clock, context.producer);
  auto registry = std::make_shared<devices::DeviceRegistry>();
  auto probe = std::make_shared<voting::Probe>(context.metrics, context.event);
  auto votes = std::make_shared<voting::Votes>(std::move(*settings), context.event, context.clock, context.producer,
                                               store, ledger, view, operations);
  votes->on_flag([probe](const devices::Device& device, std::int64_t) { probe->flagged(device.device_id, device.booth_id); });
  voting::add_routes(context.router, votes, operations, ledger, registry, probe, context.event, context.admin_token);
  voting::add_page_routes(context.router, votes, std::make_shared<const voting::Pages>(std::move(*pages)),
                          std::move(*assets));

  // The organisers' CSV export reads votes.v1 and admin.v1 on worker threads (add_csv_export's,
  // joined when the service stops).
  service::add_csv_export(context, "votes",
                          [brokers = context.settings.str("kafka.brokers"), &event = context.event](
                              const std::optional<std::string>& day, http::ChunkWriter& out) {
                            return voting::write_votes_csv(brokers, event, day, out);
                          });

  auto timer = std::make_shared<boost::asio::steady_timer>(context.io);
  refresh_periodically(timer, votes, probe);
  // Stop hooks run on a worker thread; the timer belongs to the io thread.
  context.on_stop([timer, &io = context.io] { boost::asio::post(io, [timer] { timer->cancel(); }); });

  // Every instance reads admin.v1 whole, with a group of its own: it knows every tablet and the
  // voting switch at start, and applies a change as soon as it is written.
  auto followed = context.start_consumer(
      {.group_id = "voting-admin-" + events::new_event_id(), .topics = {std::string(events::topics::admin)}},
      [registry, operations](const kafka::Message& message) -> Result<void> {
        voting::apply_admin(*registry, *operations, message);
        return {};
      });
  if (!followed) return followed.error();
  auto viewed = context.start_batched_consumer(
      {.group_id = checkins_group, .topics = {std::string(events::topics::checkins)}},
      [store](std::span<const kafka::Message> messages) { return voting::apply_checkins(*store, messages); }, {});
  if (!viewed) return viewed.error();
  return context.start_batched_consumer(
      {.group_id = ledger_group, .topics = {std::string(events::topics::votes), std::string(events::topics::admin)}},
      [store, ledger](std::span<const kafka::Message> messages) {
        return voting::apply_ledger(*store, *ledger, messages);
      },
      // The ledger serves audits and exports, not the visitor's answer: larger, less frequent batches
      // cost Redis and the broker far less under a peak, and it is still current within a second.
      {.max_messages = 2000, .max_wait = std::chrono::milliseconds(250)});
}

}  // namespace

int main(int argc, char** argv) {
  return service::run(argc, argv,
                      {.name = "voting",
                       .default_port = 8083,
                       .extend_schema = voting::add_settings,
                       .check_settings = [](const config::Settings& s) -> Result<void> {
                         auto checked = voting::read_settings(s);
                         if (!checked) return checked.error();
                         return {};
                       },
                       .setup = setup});
}
