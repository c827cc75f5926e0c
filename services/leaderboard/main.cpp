// The leaderboard service. main() only composes: libs/service runs the process; domain/ holds the
// ranking, the boards and the audit's canonical form, store/ the Redis keys and scripts, app/ the
// projection, the rebuild and the live boards, api/ the HTTP and WebSocket mapping.
#include <filesystem>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include "api/page_routes.hpp"
#include "api/probe.hpp"

#include "api/routes.hpp"
#include "app/live_boards.hpp"
#include "app/monitoring.hpp"
#include "app/projection.hpp"
#include "app/rebuilder.hpp"
#include "expo/config/config.hpp"
#include "expo/events/topics.hpp"
#include "expo/http/client.hpp"
#include "expo/http/static_files.hpp"
#include "expo/http/websocket.hpp"
#include "expo/service/service.hpp"
#include "pages/pages.hpp"
#include "store/board_store.hpp"

namespace {

using namespace expo;

// While there are no boards the watchdog asks every 250 ms; a rebuild that failed (Kafka away) is
// tried again at this pace instead.
constexpr std::chrono::seconds kRebuildRetry{5};

void add_settings(config::Schema& schema) {
  using config::Field;
  using config::Type;
  schema
      .add(Field{.key = "leaderboard.boards_group", .type = Type::string,
                 .default_value = std::string("leaderboard-boards"),
                 .help = "consumer group of the boards (checkins.v1, votes.v1, admin.v1)"})
      .add(Field{.key = "leaderboard.prometheus_url", .type = Type::string,
                 .default_value = std::string("http://127.0.0.1:19090"),
                 .help = "Prometheus for the operations page's health panel (http://host:port, or none)"})
      .add(Field{.key = "web.dir", .type = Type::string, .default_value = std::string(EXPO_LEADERBOARD_WEB_DIR),
                 .help = "folder of the screen and operations pages"})
      // At least what the screen shows (pages.hpp kScreenRows), or its first message would cut rows.
      .add(Field{.key = "leaderboard.stream_rows", .type = Type::integer,
                 .default_value = static_cast<std::int64_t>(leaderboard::kScreenRows),
                 .help = "rows of each board in the stream's messages (ties at the cut kept)", .min = 1,
                 .max = 1000})
      .add(Field{.key = "leaderboard.stream_queue", .type = Type::integer, .default_value = std::int64_t{16},
                 .help = "stream messages a WebSocket session may have waiting (beyond: it is dropped)", .min = 2,
                 .max = 1024});
}

Result<std::optional<http::Endpoint>> prometheus_endpoint(const config::Settings& settings) {
  // "none" rather than empty: an empty environment variable leaves the default in place.
  const auto url = settings.str("leaderboard.prometheus_url");
  if (url.empty() || url == "none") return std::optional<http::Endpoint>();
  auto endpoint = http::parse_http_url(url);
  if (!endpoint) return endpoint.error();
  return std::optional<http::Endpoint>(std::move(*endpoint));
}

// A probe sample a second: gauges that follow the stream, the boards and the rebuilder.
void sample_periodically(std::shared_ptr<boost::asio::steady_timer> timer, std::shared_ptr<leaderboard::Probe> probe,
                         std::shared_ptr<leaderboard::LiveBoards> boards, std::shared_ptr<http::Broadcaster> broadcaster,
                         std::shared_ptr<leaderboard::Rebuilder> rebuilder) {
  probe->sample(*boards, *broadcaster, rebuilder->progress());
  timer->expires_after(std::chrono::seconds(1));
  timer->async_wait([=](boost::system::error_code ec) {
    if (!ec) sample_periodically(timer, probe, boards, broadcaster, rebuilder);
  });
}

Result<void> setup(service::Context& context) {
  auto prometheus = prometheus_endpoint(context.settings);
  if (!prometheus) return prometheus.error();
  const std::filesystem::path web_dir = context.settings.str("web.dir");
  auto pages = leaderboard::Pages::load(web_dir, context.event);
  if (!pages) return pages.error();
  auto assets = http::StaticFiles::load(leaderboard::Pages::assets_dir(web_dir));
  if (!assets) return assets.error();
  auto store = std::make_shared<leaderboard::BoardStore>(context.redis, context.projection_redis);
  auto rebuilder = std::make_shared<leaderboard::Rebuilder>(store, context.settings.str("kafka.brokers"));
  auto broadcaster =
      std::make_shared<http::Broadcaster>(static_cast<std::size_t>(context.settings.integer("leaderboard.stream_queue")));
  auto rebuild_missing = [rebuilder] { rebuilder->start("no_boards", kRebuildRetry); };
  auto boards = std::make_shared<leaderboard::LiveBoards>(context.io, store, context.event, context.clock,
                                                          broadcaster, rebuild_missing,
                                                          static_cast<std::size_t>(context.settings.integer("leaderboard.stream_rows")));
  leaderboard::add_routes(context.router, {.boards = boards,
                                           .store = store,
                                           .rebuilder = rebuilder,
                                           .broadcaster = broadcaster,
                                           .monitoring = std::make_shared<leaderboard::Monitoring>(context.io, *prometheus),
                                           .event = context.event,
                                           .clock = context.clock,
                                           .admin_token = context.admin_token});
  leaderboard::add_page_routes(context.router, boards, std::make_shared<const leaderboard::Pages>(std::move(*pages)),
                               std::move(*assets), context.event);
  boards->start();
  auto timer = std::make_shared<boost::asio::steady_timer>(context.io);
  sample_periodically(timer, std::make_shared<leaderboard::Probe>(context.metrics), boards, broadcaster, rebuilder);
  // The server closes the stream's sessions itself when it stops.
  context.on_stop([boards, rebuilder, timer, &io = context.io] {
    rebuilder->stop();
    // The timers belong to the io thread.
    boost::asio::post(io, [boards, timer] {
      timer->cancel();
      boards->stop();
    });
  });

  auto projection =
      std::make_shared<leaderboard::BoardProjection>(store, rebuild_missing, [boards] { boards->nudge(); });
  return context.start_batched_consumer(
      {.group_id = context.settings.str("leaderboard.boards_group"),
       .topics = {std::string(events::topics::checkins), std::string(events::topics::votes),
                  std::string(events::topics::admin)},
       // A batch waiting for a rebuild comes back within a second of the swap.
       .retry_backoff_max = std::chrono::milliseconds(1000),
       // The screens are the point: fetch what arrived within 20 ms rather than waiting for 64 KiB
       // (the suite's default trades latency for fewer fetches under a peak).
       .extra = {{"fetch.wait.max.ms", "20"}, {"fetch.min.bytes", "1"}}},
      [projection](std::span<const kafka::Message> messages) { return projection->apply(messages); },
      {.max_messages = 5000, .max_wait = std::chrono::milliseconds(20)});
}

}  // namespace

int main(int argc, char** argv) {
  return service::run(argc, argv,
                      {.name = "leaderboard",
                       .default_port = 8084,
                       .extend_schema = add_settings,
                       .check_settings = [](const config::Settings& s) -> Result<void> {
                         auto checked = prometheus_endpoint(s);
                         if (!checked) return checked.error();
                         return {};
                       },
                       .setup = setup});
}
