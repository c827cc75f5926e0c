// Issue 7, "the project must show" 4: exports of 100,000 check-ins stream with flat memory and round-trip
// through a CSV parser (Python's csv module) with the right row count; votes.csv marks voided votes
// (voids before and after the vote, per visitor and per tablet, repeats); leaderboard.csv equals the
// boards; every export needs the admin token and an event day.
//
// The topics are shared with every other test, so each test writes ids of its own (a random run id in
// every visitor and device id) and counts only its own rows, exactly.
#include <gtest/gtest.h>
#include <signal.h>

#include <array>
#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/file_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <thread>

#include "expo/events/envelope.hpp"
#include "expo/events/votes.hpp"
#include "expo/testing/child_process.hpp"
#include "expo/testing/environment.hpp"
#include "expo/testing/fixtures.hpp"
#include "expo/testing/http_client.hpp"
#include "expo/testing/service_process.hpp"
#include "expo/testing/topic_producer.hpp"

using namespace std::chrono_literals;
using expo::testing::HttpClient;
using expo::testing::ServiceProcess;

namespace {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

const std::string admin_token = "exports-test-admin-token-0123456789";
const std::string bearer = "Bearer " + admin_token;
const std::string csv_type = "text/csv; charset=utf-8";

std::unique_ptr<ServiceProcess> start_service(const std::string& name, std::map<std::string, std::string> env = {}) {
  env.try_emplace("ADMIN_TOKEN", admin_token);
  env.try_emplace("EVENT_CLOCK_START", "2023-11-25T10:00:00+07:00");
  auto service = std::make_unique<ServiceProcess>(name, env);
  EXPECT_TRUE(service->wait_ready()) << service->log_tail();
  return service;
}

// An event time of the default event (WIB).
std::string at(const std::string& day, const std::string& local_time) { return day + "T" + local_time + ".000+07:00"; }

// A download written straight to a file, as a browser saves it: the test never holds the body.
struct Download {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::uintmax_t bytes = 0;
  std::string error;
  std::string header(const std::string& name) const {
    const auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
  }
};

Download download(std::uint16_t port, const std::string& target, const std::string& path) {
  Download d;
  boost::asio::io_context io;
  beast::tcp_stream stream(io);
  stream.expires_after(300s);
  beast::error_code ec;
  stream.connect({boost::asio::ip::make_address("127.0.0.1"), port}, ec);
  if (ec) {
    d.error = "connect: " + ec.message();
    return d;
  }
  bhttp::request<bhttp::string_body> request(bhttp::verb::get, target, 11);
  request.set(bhttp::field::host, "127.0.0.1");
  request.set(bhttp::field::authorization, bearer);
  bhttp::write(stream, request, ec);
  bhttp::response_parser<bhttp::file_body> parser;
  parser.body_limit(boost::none);
  parser.get().body().open(path.c_str(), beast::file_mode::write, ec);
  if (ec) {
    d.error = "open: " + ec.message();
    return d;
  }
  beast::flat_buffer buffer;
  bhttp::read(stream, buffer, parser, ec);
  if (ec) {
    d.error = "read: " + ec.message();
    return d;
  }
  auto& message = parser.get();
  d.status = static_cast<int>(message.result_int());
  for (const auto& field : message) {
    std::string name(field.name_string());
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    d.headers[name] = std::string(field.value());
  }
  message.body().close();
  d.bytes = std::filesystem::file_size(path);
  return d;
}

// Runs python3 with `script` on the arguments; its standard output parsed as JSON.
boost::json::value python(const std::string& script, const std::vector<std::string>& args) {
  const auto script_path = expo::testing::test_log_path("exports-parse") + ".py";
  std::ofstream(script_path) << script;
  std::string command = "python3 " + script_path;
  for (const auto& a : args) command += " '" + a + "'";
  std::string out;
  if (FILE* pipe = popen(command.c_str(), "r")) {
    char buffer[65536];
    std::size_t n = 0;
    while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) out.append(buffer, n);
    EXPECT_EQ(pclose(pipe), 0) << command << "\n" << out;
  }
  std::filesystem::remove(script_path);
  boost::system::error_code ec;
  auto value = boost::json::parse(out, ec);
  EXPECT_FALSE(ec) << "python printed: " << out.substr(0, 2000);
  return value;
}

// Python's csv module, strict, reading the file as a spreadsheet would (UTF-8 with its BOM): the
// header, the number of records, records with the wrong number of fields, and the records of visitor
// ids starting with the prefix (all of them, or with `count_only` only their count, their distinct ids
// and the record of the sample id).
const char* parse_script = R"py(
import csv, json, sys
path, column, prefix, count_only = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4] == "1"
sample = sys.argv[5] if len(sys.argv) > 5 else None
with open(path, "rb") as f:
    bom = f.read(3) == b"\xef\xbb\xbf"
rows = bad = ours = 0
ids = set()
mine = []
with open(path, newline="", encoding="utf-8-sig") as f:
    reader = csv.reader(f, strict=True)
    header = next(reader)
    for row in reader:
        rows += 1
        if len(row) != len(header):
            bad += 1
            continue
        record = dict(zip(header, row))
        if record[column].startswith(prefix):
            ours += 1
            ids.add(record[column])
            if not count_only or record[column] == sample:
                mine.append(record)
print(json.dumps({"bom": bom, "header": header, "rows": rows, "bad": bad, "ours": ours,
                  "distinct": len(ids), "mine": mine}))
)py";

struct Memory {
  long rss_kb = 0;
  long hwm_kb = 0;
};

Memory memory_of(pid_t pid) {
  Memory m;
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.starts_with("VmRSS:")) m.rss_kb = std::stol(line.substr(6));
    if (line.starts_with("VmHWM:")) m.hwm_kb = std::stol(line.substr(6));
  }
  return m;
}

std::string str(const boost::json::value& v, std::string_view key) { return std::string(v.at(key).as_string()); }

std::vector<std::string> header_of(const boost::json::value& parsed) {
  std::vector<std::string> out;
  for (const auto& h : parsed.at("header").as_array()) out.emplace_back(h.as_string());
  return out;
}

// 100,000 check-ins produced straight to checkins.v1 as the check-in service writes them, then
// exported by the service while its memory is watched.
TEST(Exports, OneHundredThousandCheckinsStreamWithFlatMemoryAndRoundTripThroughACsvParser) {
  const auto brokers = expo::testing::required_env("EXPO_TEST_KAFKA_BROKERS");
  const auto run = "xc" + expo::testing::random_id();
  const std::string day = "2023-11-25";
  constexpr int count = 100000;
  // Real booths of the default event, so names and regions resolve; a name with a comma is quoted.
  const std::vector<std::string> booths{"3579", "3507", "3578", "3515", "3525"};
  {
    expo::testing::TopicProducer producer(brokers);
    for (int i = 0; i < count; ++i) {
      const auto visitor = run + "-v" + std::to_string(i);
      const auto when = at(day, "1" + std::to_string(i % 10) + ":" + std::to_string(10 + i % 50) + ":00");
      auto e = expo::events::make_envelope("checked_in", when);
      e.payload["visitor_id"] = visitor;
      e.payload["booth_id"] = booths[static_cast<std::size_t>(i) % booths.size()];
      e.payload["device_id"] = run + "-d" + std::to_string(i % 38);
      e.payload["day"] = day;
      e.payload["scanned_at"] = when;
      e.payload["received_at"] = when;
      e.payload["client_event_id"] = "ce-" + std::to_string(i);
      producer.send("checkins.v1", visitor, expo::events::encode(e));
    }
    ASSERT_TRUE(producer.flush()) << producer.first_error();
  }

  auto service = start_service("checkin");
  // A first, small export (another day) sets up what every export uses once (the worker thread, the
  // Kafka clients' buffers): the measure is how memory grows with the rows, from there.
  const auto warm_path = expo::testing::test_log_path("exports-checkins-warm-up") + ".csv";
  ASSERT_EQ(download(service->port(), "/v1/admin/exports/checkins.csv?day=2023-11-23", warm_path).status, 200);
  std::filesystem::remove(warm_path);
  const auto before = memory_of(service->pid());
  ASSERT_GT(before.rss_kb, 0);
  std::atomic<bool> exporting{true};
  std::atomic<long> sampled_peak_kb{before.rss_kb};
  std::thread sampler([&] {
    while (exporting) {
      sampled_peak_kb = std::max(sampled_peak_kb.load(), memory_of(service->pid()).rss_kb);
      std::this_thread::sleep_for(10ms);
    }
  });
  const auto path = expo::testing::test_log_path("exports-checkins") + ".csv";
  const auto started = std::chrono::steady_clock::now();
  const auto d = download(service->port(), "/v1/admin/exports/checkins.csv?day=" + day, path);
  const auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  exporting = false;
  sampler.join();
  const auto after = memory_of(service->pid());
  ASSERT_EQ(d.status, 200) << d.error << "\n" << service->log_tail();
  EXPECT_EQ(d.header("content-type"), csv_type);
  EXPECT_EQ(d.header("transfer-encoding"), "chunked");
  EXPECT_EQ(d.header("content-disposition"), "attachment; filename=\"checkins-jatim-inovasi-2023-" + day + ".csv\"");

  // The peak while exporting: the high-water mark if the export raised it, else the sampled peak.
  const long peak_kb = after.hwm_kb > before.hwm_kb ? after.hwm_kb : sampled_peak_kb.load();
  const long growth_kb = peak_kb - before.rss_kb;
  const auto csv_kb = static_cast<long>(d.bytes / 1024);
  std::cout << "checkins.csv: " << d.bytes << " bytes in " << seconds << " s; service RSS before " << before.rss_kb
            << " kB (HWM " << before.hwm_kb << " kB), sampled peak " << sampled_peak_kb.load() << " kB, HWM after "
            << after.hwm_kb << " kB, RSS after " << after.rss_kb << " kB: growth " << growth_kb << " kB = "
            << 100.0 * static_cast<double>(growth_kb) / static_cast<double>(csv_kb) << "% of the CSV\n";
  // Flat: below a bound that a body held in memory would break (the CSV is 27 MB and more: 100,000 rows).
  // What may grow is librdkafka's read-ahead (paced_reader_properties: up to 4 MiB a partition, measured
  // 5-11 MB) and the chunk queue (256 KiB), whatever the export's size.
  constexpr long bound_kb = 16 * 1024;
  ASSERT_GT(csv_kb, bound_kb * 3 / 2) << "the export is too small to tell";
  EXPECT_LT(growth_kb, bound_kb) << "memory grew with the export";

  const auto parsed = python(parse_script, {path, "visitor_id", run + "-", "1", run + "-v0"});
  std::filesystem::remove(path);
  EXPECT_TRUE(parsed.at("bom").as_bool());
  EXPECT_EQ(header_of(parsed), (std::vector<std::string>{"checkin_id", "occurred_at", "local_time", "received_at",
                                                         "day", "booth_id", "booth_name", "region_id", "region_name",
                                                         "device_id", "visitor_id"}));
  EXPECT_EQ(parsed.at("bad").as_int64(), 0);
  EXPECT_EQ(parsed.at("ours").as_int64(), count);
  EXPECT_EQ(parsed.at("distinct").as_int64(), count);
  EXPECT_GE(parsed.at("rows").as_int64(), count);
  std::cout << "rows in the export (every test's check-ins of " << day << "): " << parsed.at("rows").as_int64() << "\n";
  const auto& first = parsed.at("mine").as_array().at(0);
  EXPECT_EQ(str(first, "visitor_id"), run + "-v0");
  EXPECT_EQ(str(first, "booth_id"), "3579");
  EXPECT_EQ(str(first, "booth_name"), "Booth Kota Batu");
  EXPECT_EQ(str(first, "region_name"), "Kota Batu");
  EXPECT_EQ(str(first, "occurred_at"), at(day, "10:10:00"));
  EXPECT_EQ(str(first, "local_time"), day + " 10:10:00");
  EXPECT_EQ(str(first, "day"), day);
  EXPECT_EQ(str(first, "device_id"), run + "-d0");
  EXPECT_EQ(str(first, "checkin_id").size(), 36u);
  EXPECT_EQ(service->stop(SIGTERM), 0) << service->log_tail();
}

TEST(Exports, VotesCsvMarksVoidedVotesWhicheverComesFirst) {
  const auto brokers = expo::testing::required_env("EXPO_TEST_KAFKA_BROKERS");
  const auto run = "xv" + expo::testing::random_id();
  const std::string day = "2023-11-24";
  const auto visitor = [&](int n) { return run + "-v" + std::to_string(n); };
  const auto vote = [&](const std::string& vote_id, int v, const std::string& time, const std::string& device = {}) {
    expo::events::votes::Cast c;
    c.vote_id = run + "-" + vote_id;
    c.visitor_id = visitor(v);
    // An innovation of the test's own (the boards ignore it); booth and region are Kota Batu's.
    c.innovation_id = run + "-innovation";
    c.booth_id = "3579";
    c.region_id = "3579";
    c.day = day;
    c.device_id = device;
    c.client_event_id = "ce-" + vote_id;
    c.at = at(day, time);
    return expo::events::encode(expo::events::votes::cast(c));
  };
  const auto void_of = [&](const std::string& target_visitor, const std::string& target_device,
                           const std::string& time, const std::string& reason) {
    expo::events::votes::Voided v;
    v.void_id = run + "-void-" + reason;
    v.visitor_id = target_visitor;
    v.device_id = target_device;
    v.reason = reason;
    v.at = at(day, time);
    return expo::events::encode(expo::events::votes::voided(v));
  };
  const auto device = run + "-tablet";
  {
    expo::testing::TopicProducer producer(brokers);
    // v1: a vote, then a void of the visitor after it: voided.
    producer.send("votes.v1", visitor(1), vote("a", 1, "10:00:00"));
    producer.send("admin.v1", visitor(1), void_of(visitor(1), {}, "10:05:00", "bought votes"));
    // v2: a vote, a void later in the log but earlier in time: the vote stands.
    producer.send("votes.v1", visitor(2), vote("b", 2, "10:10:00"));
    producer.send("admin.v1", visitor(2), void_of(visitor(2), {}, "10:05:00", "too early"));
    // v3: the void written first, covering a vote cast before it and written after it: voided.
    producer.send("admin.v1", visitor(3), void_of(visitor(3), {}, "11:00:00", "late vote, early void, \"quoted\""));
    producer.send("votes.v1", visitor(3), vote("c", 3, "10:30:00"));
    // v4: a vote through a tablet voided per device; the same vote id again (one row); a second vote
    // for the same innovation with another id (a repeat, counted nowhere).
    producer.send("votes.v1", visitor(4), vote("d", 4, "09:30:00", device));
    producer.send("votes.v1", visitor(4), vote("d", 4, "09:30:00", device));
    producer.send("votes.v1", visitor(4), vote("e", 4, "09:40:00", device));
    producer.send("admin.v1", device, void_of({}, device, "12:00:00", "tablet misused"));
    // v5: an ordinary vote.
    producer.send("votes.v1", visitor(5), vote("f", 5, "13:00:00"));
    ASSERT_TRUE(producer.flush()) << producer.first_error();
  }
  auto service = start_service("voting");
  const auto path = expo::testing::test_log_path("exports-votes") + ".csv";
  const auto d = download(service->port(), "/v1/admin/exports/votes.csv?day=" + day, path);
  ASSERT_EQ(d.status, 200) << d.error << "\n" << service->log_tail();
  EXPECT_EQ(d.header("content-type"), csv_type);
  EXPECT_EQ(d.header("content-disposition"), "attachment; filename=\"votes-jatim-inovasi-2023-" + day + ".csv\"");
  const auto parsed = python(parse_script, {path, "visitor_id", run + "-", "0"});
  std::filesystem::remove(path);
  EXPECT_EQ(header_of(parsed),
            (std::vector<std::string>{"vote_id", "occurred_at", "local_time", "day", "innovation_id", "innovation_name",
                                      "booth_id", "region_id", "region_name", "device_id", "visitor_id", "state",
                                      "voided", "void_reason"}));
  EXPECT_EQ(parsed.at("bad").as_int64(), 0);
  std::map<std::string, boost::json::value> rows;
  for (const auto& r : parsed.at("mine").as_array()) rows[str(r, "vote_id").substr(run.size() + 1)] = r;
  ASSERT_EQ(rows.size(), 6u) << "a, b, c, d (once), e, f";
  ASSERT_EQ(parsed.at("ours").as_int64(), 6);
  const auto expect = [&](const std::string& id, const std::string& state, const std::string& reason) {
    const auto& r = rows.at(id);
    EXPECT_EQ(str(r, "state"), state) << id;
    EXPECT_EQ(str(r, "voided"), state == "voided" ? "true" : "false") << id;
    EXPECT_EQ(str(r, "void_reason"), reason) << id;
  };
  expect("a", "voided", "bought votes");
  expect("b", "counted", "");
  expect("c", "voided", "late vote, early void, \"quoted\"");
  expect("d", "voided", "tablet misused");
  expect("e", "repeat", "");
  expect("f", "counted", "");
  EXPECT_EQ(str(rows.at("d"), "device_id"), device);
  EXPECT_EQ(str(rows.at("a"), "innovation_id"), run + "-innovation");
  EXPECT_EQ(str(rows.at("a"), "innovation_name"), "");
  EXPECT_EQ(str(rows.at("a"), "region_name"), "Kota Batu");
  EXPECT_EQ(str(rows.at("a"), "local_time"), day + " 10:00:00");

  // Only event days; the admin token.
  HttpClient client(service->port());
  const auto wrong_day = client.request("GET", "/v1/admin/exports/votes.csv?day=2023-11-26", {}, {{"Authorization", bearer}});
  EXPECT_EQ(wrong_day.status, 422);
  EXPECT_EQ(expo::testing::error_code(wrong_day), "unknown_day");
  EXPECT_EQ(client.get("/v1/admin/exports/votes.csv").status, 401);
  EXPECT_EQ(service->stop(SIGTERM), 0) << service->log_tail();
}

// The leaderboard's CSV against its JSON boards, read around it until the boards held still.
TEST(Exports, LeaderboardCsvRowsEqualTheBoards) {
  auto service = start_service("leaderboard", {{"EXPO_LEADERBOARD_BOARDS_GROUP", "exports-" + expo::testing::random_id()}});
  HttpClient client(service->port());
  for (const std::string day : {"", "2023-11-23"}) {
    const std::string query = day.empty() ? "" : "?day=" + day;
    const auto boards = [&] {
      std::string all;
      for (const std::string board : {"innovations", "regions", "booths"}) {
        const auto r = client.get("/v1/leaderboards/" + board + query);
        EXPECT_EQ(r.status, 200) << r.body;
        all += r.body + "\n";
      }
      return all;
    };
    std::string before, after;
    expo::testing::HttpResult csv;
    for (int attempt = 0; attempt < 50; ++attempt) {
      before = boards();
      csv = client.request("GET", "/v1/admin/exports/leaderboard.csv" + query, {}, {{"Authorization", bearer}});
      after = boards();
      if (before == after && csv.status == 200) break;
      std::this_thread::sleep_for(300ms);
    }
    ASSERT_EQ(before, after) << "the boards never held still";
    ASSERT_EQ(csv.status, 200) << csv.body;
    EXPECT_EQ(csv.header("content-type"), csv_type);
    EXPECT_EQ(csv.header("content-disposition"), "attachment; filename=\"leaderboard-jatim-inovasi-2023" +
                                                     (day.empty() ? std::string() : "-" + day) + ".csv\"");
    const auto path = expo::testing::test_log_path("exports-leaderboard") + ".csv";
    std::ofstream(path, std::ios::binary) << csv.body;
    // Every record of the CSV (the prefix "" matches every board name).
    const auto parsed = python(parse_script, {path, "board", "", "0"});
    std::filesystem::remove(path);
    EXPECT_EQ(header_of(parsed), (std::vector<std::string>{"board", "period", "rank", "tied", "id", "name", "region_id",
                                                           "votes", "checkins", "unique_visitors"}));
    EXPECT_EQ(parsed.at("bad").as_int64(), 0);
    // The boards' rows in the CSV's shape.
    std::vector<std::string> expected, got;
    std::size_t line = 0;
    for (const std::string board : {"innovations", "regions", "booths"}) {
      const auto rows = boost::json::parse(before.substr(line, before.find('\n', line) - line)).as_array();
      line = before.find('\n', line) + 1;
      for (const auto& row : rows) {
        const auto& o = row.as_object();
        const std::string id_key = board == "innovations" ? "innovation_id" : board == "regions" ? "region_id" : "booth_id";
        std::string text = board + "|" + (day.empty() ? "all" : day) + "|" + std::to_string(o.at("rank").as_int64()) +
                           "|" + (o.at("tied").as_bool() ? "true" : "false") + "|" + str(row, id_key) + "|" +
                           str(row, "name") + "|";
        if (board == "innovations") text += str(row, "region_id") + "|" + std::to_string(o.at("votes").as_int64()) + "||";
        if (board == "regions") text += str(row, "region_id") + "|" + std::to_string(o.at("votes").as_int64()) + "||";
        if (board == "booths") {
          text += "||" + std::to_string(o.at("checkins").as_int64()) + "|" + std::to_string(o.at("unique_visitors").as_int64());
        }
        expected.push_back(text);
      }
    }
    for (const auto& r : parsed.at("mine").as_array()) {
      std::string text;
      for (const auto column : {"board", "period", "rank", "tied", "id", "name", "region_id", "votes", "checkins",
                                "unique_visitors"}) {
        if (!text.empty()) text += "|";
        text += str(r, column);
      }
      // Booths carry their region in the CSV, not in the JSON board: compare without it.
      if (text.starts_with("booths|")) {
        auto parts = std::vector<std::string>{};
        std::size_t start = 0;
        for (std::size_t bar; (bar = text.find('|', start)) != std::string::npos; start = bar + 1) {
          parts.push_back(text.substr(start, bar - start));
        }
        parts.push_back(text.substr(start));
        parts[6].clear();
        text.clear();
        for (const auto& p : parts) text += (text.empty() && &p == &parts.front() ? "" : "|") + p;
      }
      got.push_back(text);
    }
    ASSERT_EQ(got.size(), expected.size()) << "day " << (day.empty() ? "all" : day);
    for (std::size_t i = 0; i < got.size(); ++i) EXPECT_EQ(got[i], expected[i]) << "row " << i;
    EXPECT_GT(got.size(), 38u + 38u);
  }
  const auto wrong_day = client.request("GET", "/v1/admin/exports/leaderboard.csv?day=2023-12-01", {}, {{"Authorization", bearer}});
  EXPECT_EQ(wrong_day.status, 422);
  EXPECT_EQ(expo::testing::error_code(wrong_day), "unknown_day");
  EXPECT_EQ(service->stop(SIGTERM), 0) << service->log_tail();
}

// SIGTERM while a client is in the middle of an export (and has stopped reading): the service cuts
// the download (no final chunk, so the file is visibly incomplete), cancels the Kafka read and exits 0
// promptly, well before the 10 s drain timeout.
TEST(Exports, SigtermDuringAnExportStopsTheServiceCleanly) {
  auto service = start_service("checkin");
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket socket(io);
  socket.connect({boost::asio::ip::make_address("127.0.0.1"), service->port()});
  const std::string request = "GET /v1/admin/exports/checkins.csv HTTP/1.1\r\nHost: t\r\nAuthorization: " + bearer +
                              "\r\n\r\n";
  boost::asio::write(socket, boost::asio::buffer(request));
  std::string received(256 * 1024, '\0');
  // The head and the first chunks: the export is under way (the test topic holds far more).
  ASSERT_EQ(boost::asio::read(socket, boost::asio::buffer(received)), received.size());
  ASSERT_TRUE(received.starts_with("HTTP/1.1 200")) << received.substr(0, 200);
  const auto signalled = std::chrono::steady_clock::now();
  EXPECT_EQ(service->stop(SIGTERM, 8s), 0) << service->log_tail();
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - signalled);
  std::cout << "stopped " << ms.count() << " ms after SIGTERM, mid-export\n";
  // The rest the service had sent, then the end of the connection: never the final chunk.
  std::string tail;
  boost::system::error_code ec;
  std::array<char, 65536> buffer{};
  for (;;) {
    const auto n = socket.read_some(boost::asio::buffer(buffer), ec);
    if (ec) break;
    tail.append(buffer.data(), n);
    if (tail.size() > 8 * 1024 * 1024) tail.erase(0, tail.size() - 16);
  }
  EXPECT_FALSE(tail.ends_with("\r\n0\r\n\r\n")) << "a cut export must not look complete";
}

// 401 without or with a wrong admin token on every export; 403 when the service has no admin token.
TEST(Exports, EveryExportNeedsTheAdminToken) {
  const std::map<std::string, std::string> routes{{"checkin", "/v1/admin/exports/checkins.csv"},
                                                  {"voting", "/v1/admin/exports/votes.csv"},
                                                  {"leaderboard", "/v1/admin/exports/leaderboard.csv"}};
  for (const auto& [name, route] : routes) {
    auto service = start_service(name, {{"EXPO_LEADERBOARD_BOARDS_GROUP", "exports-" + expo::testing::random_id()}});
    HttpClient client(service->port());
    const auto missing = client.get(route);
    EXPECT_EQ(missing.status, 401) << name;
    EXPECT_EQ(expo::testing::error_code(missing), "unauthorized") << name;
    EXPECT_EQ(client.request("GET", route, {}, {{"Authorization", "Bearer not-the-token"}}).status, 401) << name;
    const auto wrong_day = client.request("GET", route + "?day=2023-11-22", {}, {{"Authorization", bearer}});
    EXPECT_EQ(wrong_day.status, 422) << name;
    EXPECT_EQ(service->stop(SIGTERM), 0) << service->log_tail();
  }
  auto disabled = start_service("checkin", {{"ADMIN_TOKEN", ""}});
  HttpClient client(disabled->port());
  const auto refused = client.request("GET", "/v1/admin/exports/checkins.csv", {}, {{"Authorization", bearer}});
  EXPECT_EQ(refused.status, 403);
  EXPECT_EQ(expo::testing::error_code(refused), "admin_disabled");
  EXPECT_EQ(disabled->stop(SIGTERM), 0) << disabled->log_tail();
}

}  // namespace
