# Every third-party dependency is found here once, from Debian's packages, and exposed as an
# imported target. Libraries link them PRIVATE unless their public headers need them.
find_package(Threads REQUIRED)
find_package(Boost 1.81 REQUIRED COMPONENTS json)
find_package(OpenSSL REQUIRED)
find_package(prometheus-cpp CONFIG REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(RDKAFKA REQUIRED IMPORTED_TARGET rdkafka)
pkg_check_modules(HIREDIS REQUIRED IMPORTED_TARGET hiredis)
if(EXPO_BUILD_TESTS)
  find_package(GTest REQUIRED)
  include(GoogleTest)
endif()
