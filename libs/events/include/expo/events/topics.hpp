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
// Compacted, keyed by visitor_id: each visitor's data key (wrapped); erasure writes its tombstone.
inline constexpr std::string_view visitor_keys = "visitor-keys.v1";

inline constexpr std::array<std::string_view, 5> all{visitors, checkins, votes, admin, visitor_keys};

}  // namespace expo::events::topics
