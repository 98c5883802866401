# Strict warnings for the project's own targets only; third-party headers are
# pulled in as SYSTEM so their warnings do not break -Werror.
function(leadrouter_target_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Werror
    -Wshadow=local -Wnon-virtual-dtor -Wold-style-cast -Wcast-align
    -Wunused -Woverloaded-virtual -Wno-missing-field-initializers -Wnull-dereference -Wimplicit-fallthrough
    # GCC 12 reports impossible std::string copies at -O3 (GCC bug 105329).
    $<$<CONFIG:Release>:-Wno-restrict>)
endfunction()

# Every *_test.cpp in the calling folder becomes its own GoogleTest executable
# (so one broken suite never blocks building the others), registered with CTest.
#   leadrouter_add_tests(PREFIX core LIBS leadrouter_core)
function(leadrouter_add_tests)
  cmake_parse_arguments(ARG "" "PREFIX" "LIBS;LABELS" ${ARGN})
  file(GLOB test_sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*_test.cpp)
  foreach(src ${test_sources})
    get_filename_component(name ${src} NAME_WE)
    set(target ${ARG_PREFIX}_${name})
    add_executable(${target} ${src})
    target_link_libraries(${target} PRIVATE ${ARG_LIBS} GTest::gtest GTest::gmock GTest::gtest_main)
    target_compile_definitions(${target} PRIVATE
      LEADROUTER_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
      LEADROUTER_BINARY_DIR="${PROJECT_BINARY_DIR}")
    leadrouter_target_warnings(${target})
    gtest_discover_tests(${target} DISCOVERY_TIMEOUT 60 PROPERTIES LABELS "${ARG_PREFIX};${ARG_LABELS}")
  endforeach()
endfunction()
