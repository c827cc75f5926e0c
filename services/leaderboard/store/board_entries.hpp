#pragma once
// The messages of checkins.v1, votes.v1 and admin.v1 as the boards' script applies them: decoded
// once, then turned into guarded entries for one generation (board_store.hpp has the key layout).
// The live projection and the rebuild build their entries here, so both count the same way.
//
// Every message gets an entry, also one that counts nothing (a tablet's event on admin.v1, a
// malformed message): the guard then covers every offset read, and the audit's positions are
// exactly the messages the tally has seen.
//
// Thread-safety: pure functions; the script is immutable.

#include <span>
#include <variant>
#include <vector>

#include "expo/events/checkins.hpp"
#include "expo/events/votes.hpp"
#include "expo/projection/batch_apply.hpp"
#include "store/board_store.hpp"

namespace expo::kafka {
struct Message;
}

namespace expo::leaderboard {

struct BoardMessage {
  const kafka::Message* message = nullptr;
  std::variant<std::monostate, events::checkins::CheckedIn, events::votes::Cast, events::votes::Voided> event{};
};

// Malformed messages are logged (topic and offset, never the content) and kept as monostate.
std::vector<BoardMessage> decode_board_messages(std::span<const kafka::Message> messages);

// The entries for `generation`; they view the messages' topics (use while the messages are valid).
std::vector<projection::Entry> board_entries(std::span<const BoardMessage> messages, const Generation& generation);

const projection::BatchScript& board_script();

}  // namespace expo::leaderboard
