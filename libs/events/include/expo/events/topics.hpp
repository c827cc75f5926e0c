#pragma once
// Kafka topic names: the contract between the services (see README.md for keys and contents).
// Compile-time constants; thread-safe.

#include <array>
#include <string_view>

namespace expo::events::topics {

inline constexpr std::string_view visitors = "visitors.v1";  // keyed by visitor_id; the only topic with personal data
inline constexpr std::string_view checkins = "checkins.v1";  // keyed by visitor_id
inline constexpr std::string_view votes = "votes.v1";        // keyed by visitor_id
inline constexpr std::string_view admin = "admin.v1";        // devices, voting open/close, voids

inline constexpr std::array<std::string_view, 4> all{visitors, checkins, votes, admin};

}  // namespace expo::events::topics
