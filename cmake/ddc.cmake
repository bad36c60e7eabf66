# ddc_module declares one piece of the suite: a library, an executable, a test or an example.
# Applications, examples, experiments and tests all use it, so adding one is a single call:
#
#   ddc_module(counter LIBRARY
#              SOURCES counter.cc
#              PROTOS  counter.proto            # generated header: "<folder>/counter.pb.h"
#              DEPS    ddc_platform)
#   ddc_module(counter_test TEST SOURCES counter_test.cc DEPS counter)
#   ddc_module(example_counter EXAMPLE SOURCES counter_main.cc DEPS counter
#              EXPECTED counter.expected)     # a ctest checks stdout against this file
#
# Kinds:
#   LIBRARY     a static library; DEPS are PUBLIC, so users of the library see them too.
#   EXECUTABLE  a program; DEPS are PRIVATE.
#   TEST        a GoogleTest binary registered with ctest; LABELS default to `unit`
#               (use `slow` for long runs, which the default test command skips).
#   EXAMPLE     a program plus a ctest that runs it and compares its standard output with
#               EXPECTED, byte for byte (label unit).
#               TESTs and EXAMPLEs not labelled `slow` are what the target `unit_tests` builds
#               (the top-level CMakeLists.txt): the default suite's binaries and nothing else.
#   FUZZ        a libFuzzer program (configure with -DDDC_FUZZ=ON and clang: the `fuzz` preset)
#               plus a ctest that fuzzes it for DDC_FUZZ_SECONDS from the seed directories
#               CORPUS (labels slow and fuzz; scripts/run_fuzzer.sh).
#
# Protos: each .proto is compiled with the repository root as its import path, so a message file
# imports others by their path from the root (import "platform/notices.proto";) and C++ includes
# the generated header by the same path with .pb.h ("examples/counter.pb.h").
# Every target gets the repository root and the build root as include directories.
function(ddc_module name kind)
  cmake_parse_arguments(M "" "EXPECTED" "SOURCES;PROTOS;DEPS;LABELS;CORPUS" ${ARGN})
  if(M_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "ddc_module(${name}): unknown arguments ${M_UNPARSED_ARGUMENTS}")
  endif()
  set(generated)
  foreach(proto ${M_PROTOS})
    get_filename_component(abs ${proto} ABSOLUTE)
    file(RELATIVE_PATH rel ${PROJECT_SOURCE_DIR} ${abs})
    string(REGEX REPLACE "\\.proto$" "" stem ${rel})
    set(outputs ${PROJECT_BINARY_DIR}/${stem}.pb.h ${PROJECT_BINARY_DIR}/${stem}.pb.cc)
    add_custom_command(
      OUTPUT ${outputs}
      COMMAND protobuf::protoc --cpp_out ${PROJECT_BINARY_DIR} -I ${PROJECT_SOURCE_DIR} ${abs}
      DEPENDS ${abs} protobuf::protoc
      COMMENT "protoc ${rel}"
      VERBATIM)
    list(APPEND generated ${outputs})
  endforeach()

  if(kind STREQUAL "LIBRARY")
    add_library(${name} STATIC ${M_SOURCES} ${generated})
    set(scope PUBLIC)
  elseif(kind STREQUAL "EXECUTABLE" OR kind STREQUAL "TEST" OR kind STREQUAL "EXAMPLE" OR
         kind STREQUAL "FUZZ")
    add_executable(${name} ${M_SOURCES} ${generated})
    set(scope PRIVATE)
  else()
    message(FATAL_ERROR "ddc_module(${name}): kind must be LIBRARY, EXECUTABLE, TEST, EXAMPLE "
                        "or FUZZ, got ${kind}")
  endif()
  target_include_directories(${name} ${scope} ${PROJECT_SOURCE_DIR} ${PROJECT_BINARY_DIR})
  target_link_libraries(${name} ${scope} ${M_DEPS})
  target_link_libraries(${name} PRIVATE ddc_warnings)
  if(M_PROTOS)
    target_link_libraries(${name} ${scope} protobuf::libprotobuf)
  endif()

  if(kind STREQUAL "TEST")
    target_link_libraries(${name} PRIVATE GTest::gmock GTest::gtest GTest::gtest_main)
    if(NOT M_LABELS)
      set(M_LABELS unit)
    endif()
    if(NOT "slow" IN_LIST M_LABELS)
      set_property(GLOBAL APPEND PROPERTY DDC_UNIT_TEST_TARGETS ${name})
    endif()
    # Tests are named <binary>.<Suite>.<Test>, so `ctest -R <binary>` selects one binary.
    gtest_discover_tests(${name} TEST_PREFIX "${name}." PROPERTIES LABELS "${M_LABELS}"
                         DISCOVERY_TIMEOUT 60)
  elseif(kind STREQUAL "EXAMPLE")
    if(NOT M_EXPECTED)
      message(FATAL_ERROR "ddc_module(${name}): an EXAMPLE needs EXPECTED <file>")
    endif()
    add_test(NAME ${name}
             COMMAND ${CMAKE_COMMAND} -DEXAMPLE=$<TARGET_FILE:${name}>
                     -DEXPECTED=${CMAKE_CURRENT_SOURCE_DIR}/${M_EXPECTED}
                     -P ${PROJECT_SOURCE_DIR}/cmake/run_and_compare.cmake)
    if(NOT M_LABELS)
      set(M_LABELS unit)
    endif()
    set_tests_properties(${name} PROPERTIES LABELS "${M_LABELS}")
    if(NOT "slow" IN_LIST M_LABELS)
      set_property(GLOBAL APPEND PROPERTY DDC_UNIT_TEST_TARGETS ${name})
    endif()
  elseif(kind STREQUAL "FUZZ")
    if(NOT M_CORPUS)
      message(FATAL_ERROR "ddc_module(${name}): a FUZZ target needs CORPUS <seed directories>")
    endif()
    target_link_options(${name} PRIVATE -fsanitize=fuzzer)
    add_test(NAME ${name}
             COMMAND ${PROJECT_SOURCE_DIR}/scripts/run_fuzzer.sh $<TARGET_FILE:${name}>
                     ${DDC_FUZZ_SECONDS} ${CMAKE_CURRENT_BINARY_DIR}/${name}-work ${M_CORPUS})
    if(NOT M_LABELS)
      set(M_LABELS slow fuzz)
    endif()
    set_tests_properties(${name} PROPERTIES LABELS "${M_LABELS}")
  endif()
endfunction()
