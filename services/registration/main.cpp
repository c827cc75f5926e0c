// The registration service. main() only composes: the shared runtime (libs/service) brings
// configuration, health, readiness, metrics and the stop sequence; app/ holds the flows, api/ the HTTP
// mapping, store/ the Redis keys, domain/ the input rules, pages/ the visitor's pages.
#include "api/routes.hpp"
#include "app/registrar.hpp"
#include "app/settings.hpp"
#include "expo/config/config.hpp"
#include "expo/events/topics.hpp"
#include "expo/http/static_files.hpp"
#include "expo/service/service.hpp"
#include "pages/pages.hpp"

namespace {

expo::Result<void> setup(expo::service::Context& context) {
  using namespace expo;
  auto settings = registration::read_settings(context.settings);
  if (!settings) return settings.error();
  auto pages = registration::Pages::load(settings->web_dir, context.event);
  if (!pages) return pages.error();
  auto assets = http::StaticFiles::load(settings->web_dir / "assets");
  if (!assets) return assets.error();

  const auto group = settings->consumer_group;
  auto registrar = std::make_shared<registration::Registrar>(std::move(*settings), context.event, context.clock,
                                                             context.producer, context.redis, context.projection_redis);
  registration::add_routes(context.router, registrar,
                           std::make_shared<const registration::Pages>(std::move(*pages)), std::move(*assets),
                           context.event, context.admin_token, context.metrics);
  // Kafka is the source of truth: this projection rebuilds the Redis store from the topics.
  return context.start_consumer(
      {.group_id = group,
       .topics = {std::string(events::topics::visitors), std::string(events::topics::visitor_keys)}},
      [registrar](const kafka::Message& message) { return registrar->apply(message); });
}

}  // namespace

int main(int argc, char** argv) {
  return expo::service::run(argc, argv,
                            {.name = "registration",
                             .default_port = 8081,
                             .extend_schema = expo::registration::add_settings,
                             .check_settings = [](const expo::config::Settings& settings) -> expo::Result<void> {
                               auto checked = expo::registration::read_settings(settings);
                               if (!checked) return checked.error();
                               return {};
                             },
                             .setup = setup});
}
