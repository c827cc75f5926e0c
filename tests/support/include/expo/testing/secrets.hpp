#pragma once
// Fixed secrets for the services under test. Test-only values: real deployments generate their own
// (make up writes them under the run folder; see deploy/local/README.md).

namespace expo::testing::secrets {

inline constexpr const char* badge_signing_keys = "t1:Ye02WeuxYk0MAOUP2tdDJpsaX-eRTpNkp1TtshUG0bI";
inline constexpr const char* lookup_pepper = "M0hKmaSAra9ZA5LLeei_Pv-YH-ap_ZifWU4r3ix_cpQ";
inline constexpr const char* wrapping_key = "w1:iAZWEBXG6PC3DjwPYs-eJwt6HesPtvhxtKhEW13iGTk";

}  // namespace expo::testing::secrets
