#pragma once
// Per-device credentials for booth tablets. The key is shown to the operator once; only its hash is
// stored, so a copy of Redis or of admin.v1 cannot be used to impersonate a tablet.
//
// Thread-safety: all functions may be called concurrently.

#include <string>
#include <string_view>

namespace expo::auth {

struct DeviceCredential {
  std::string device_id;  // "d" + 16 Crockford base32 characters (80 random bits)
  std::string key;        // "dk_" + base64url of 32 random bytes (256 bits); shown once, never stored
  std::string key_hash;   // device_key_hash(key), for storage and lookup
};

DeviceCredential new_device_credential();

// hex(SHA-256(key)), 64 lowercase hex characters. Unsalted on purpose: the key is 256 random bits,
// so there is nothing to brute-force, and a deterministic hash is what lets a bearer key be looked up.
std::string device_key_hash(std::string_view key);

}  // namespace expo::auth
