# Small helpers so every library, service and test is declared the same way.

# expo_library(NAME <name> SOURCES ... [PUBLIC_DEPS ...] [PRIVATE_DEPS ...])
# Creates expo_<name> with the alias expo::<name>; public headers live in include/expo/<name>/.
function(expo_library)
  cmake_parse_arguments(ARG "" "NAME" "SOURCES;PUBLIC_DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(expo_${ARG_NAME} STATIC ${ARG_SOURCES})
  add_library(expo::${ARG_NAME} ALIAS expo_${ARG_NAME})
  target_include_directories(expo_${ARG_NAME}
    PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/include
    PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/src)
  target_compile_features(expo_${ARG_NAME} PUBLIC cxx_std_20)
  target_link_libraries(expo_${ARG_NAME} PUBLIC ${ARG_PUBLIC_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
endfunction()

# expo_test(NAME <name> LABEL unit|integration SOURCES ... LIBS ...)
# One GoogleTest binary; every TEST becomes its own ctest entry carrying the label, so
# `ctest -L unit` needs nothing running and `ctest -L integration` uses the harness's servers.
function(expo_test)
  cmake_parse_arguments(ARG "" "NAME;LABEL;TIMEOUT" "SOURCES;LIBS" ${ARGN})
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 120)
  endif()
  add_executable(${ARG_NAME} ${ARG_SOURCES})
  target_link_libraries(${ARG_NAME} PRIVATE ${ARG_LIBS} GTest::gtest GTest::gtest_main)
  gtest_discover_tests(${ARG_NAME}
    DISCOVERY_TIMEOUT 30
    PROPERTIES LABELS ${ARG_LABEL} TIMEOUT ${ARG_TIMEOUT})
endfunction()

# expo_service_binary(NAME <service> LIBS ...)
# The service's executable expo-<service> from its main.cpp. With EXPO_JEMALLOC (the default) it is
# linked with jemalloc: a service spends a fifth of its io thread in malloc under load, and jemalloc's
# thread caches cut that (make bench-voting: ~9,500 -> ~10,600 votes/s on 2 cores).
function(expo_service_binary)
  cmake_parse_arguments(ARG "" "NAME" "LIBS" ${ARGN})
  add_executable(expo-${ARG_NAME} main.cpp)
  target_link_libraries(expo-${ARG_NAME} PRIVATE ${ARG_LIBS})
  if(EXPO_JEMALLOC)
    target_link_libraries(expo-${ARG_NAME} PRIVATE PkgConfig::JEMALLOC)
  endif()
endfunction()
