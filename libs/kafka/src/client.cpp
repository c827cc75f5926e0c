#include "client.hpp"

#include "log_limiter.hpp"

namespace expo::kafka::detail {

Result<ConfPtr> make_conf(const Properties& props) {
  ConfPtr conf(rd_kafka_conf_new());
  char errstr[512];
  for (const auto& [key, value] : props) {
    if (rd_kafka_conf_set(conf.get(), key.c_str(), value.c_str(), errstr, sizeof errstr) != RD_KAFKA_CONF_OK) {
      return Error::permanent("kafka_config", "property '" + key + "': " + errstr);
    }
  }
  rd_kafka_conf_set_log_cb(conf.get(), &log_callback);
  return conf;
}

Result<HandlePtr> make_handle(rd_kafka_type_t type, ConfPtr& conf) {
  char errstr[512];
  rd_kafka_t* rk = rd_kafka_new(type, conf.get(), errstr, sizeof errstr);
  if (rk == nullptr) return Error::permanent("kafka_config", std::string("client creation failed: ") + errstr);
  [[maybe_unused]] auto* owned_by_handle = conf.release();
  return HandlePtr(rk);
}

}  // namespace expo::kafka::detail
