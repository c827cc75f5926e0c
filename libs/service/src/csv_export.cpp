#include "expo/service/csv_export.hpp"

#include "expo/event_model/event.hpp"
#include "expo/http/router.hpp"
#include "expo/http/stream_workers.hpp"
#include "expo/service/admin.hpp"
#include "expo/service/service.hpp"

namespace expo::service {

http::Response unknown_day() {
  return http::Response::field_error(422, "unknown_day", "day must be one of the event's days (YYYY-MM-DD)", "day");
}

void add_csv_export(Context& context, std::string name, ExportWriter write) {
  auto workers = std::make_shared<http::StreamWorkers>();
  // Stop hooks run on a worker thread: stop() joins the exports' threads, after cancelling them.
  context.on_stop([workers] { workers->stop(); });
  const auto path = "/v1/admin/exports/" + name + ".csv";
  context.router.get(path, [name = std::move(name), &event = context.event, &admin_token = context.admin_token,
                            workers, write = std::move(write)](const http::Request& request, http::Responder responder) {
    if (auto refusal = check_admin(request, admin_token)) return responder.send(std::move(*refusal));
    auto day = request.query_param("day");
    if (day && !event.has_day(*day)) return responder.send(unknown_day());
    const auto file = name + "-" + event.id + (day ? "-" + *day : std::string()) + ".csv";
    auto source = workers->start([write, day](http::ChunkWriter& out) { return write(day, out); });
    if (!source) return responder.send(http::Response::from_error(source.error(), 500));
    responder.send(http::Response::stream(200, "text/csv; charset=utf-8", std::move(*source)).as_attachment(file));
  });
}

}  // namespace expo::service
