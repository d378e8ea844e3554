# One small helper per target kind, so every folder's CMakeLists reads the same way.

# Flags every target of ours gets (third-party headers are SYSTEM, so their warnings stay out).
add_library(sd_flags INTERFACE)
target_compile_options(sd_flags INTERFACE -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor
  -Wold-style-cast -Wcast-align -Woverloaded-virtual -Wimplicit-fallthrough)
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  # g++ 12 false positives inside Boost headers, reported at our call sites: Beast's optional
  # fields under -O2 with sanitizers, and Asio's awaitable frames (class-specific operator new).
  target_compile_options(sd_flags INTERFACE -Wno-maybe-uninitialized -Wno-mismatched-new-delete)
endif()
if(SD_WERROR)
  target_compile_options(sd_flags INTERFACE -Werror)
endif()
if(SD_SANITIZE)
  target_compile_options(sd_flags INTERFACE -fsanitize=${SD_SANITIZE} -fno-omit-frame-pointer
    -fno-sanitize-recover=all)
  target_link_options(sd_flags INTERFACE -fsanitize=${SD_SANITIZE})
  if(SD_SANITIZE STREQUAL "thread")
    # Asio's std_fenced_block uses atomic_thread_fence, which TSan does not model; g++ warns.
    target_compile_options(sd_flags INTERFACE -Wno-tsan)
  endif()
endif()
target_compile_definitions(sd_flags INTERFACE
  BOOST_ASIO_NO_DEPRECATED
  SD_VERSION="${PROJECT_VERSION}")

# sd_library(name SOURCES ... DEPS ...): one static library per folder.
function(sd_library name)
  cmake_parse_arguments(A "" "" "SOURCES;DEPS" ${ARGN})
  add_library(${name} STATIC ${A_SOURCES})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR})
  target_link_libraries(${name} PUBLIC sd_flags ${A_DEPS})
endfunction()

# Every service binary (an sd_executable marked SERVICE) and nothing else: what `make run` builds
# and starts, so it need not compile every test and benchmark first.
add_custom_target(sd_services)

# sd_executable(name [SERVICE] SOURCES ... DEPS ...): a binary in build/bin. SERVICE marks one of
# the sd-* services `make run` starts (it joins sd_services); tools and simulators leave it off.
function(sd_executable name)
  cmake_parse_arguments(A "SERVICE" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${A_SOURCES})
  target_link_libraries(${name} PRIVATE sd_flags ${A_DEPS})
  if(A_SERVICE)
    add_dependencies(sd_services ${name})
  endif()
endfunction()

# Tests labelled "tsan" (the concurrent ones) also join this target, so a TSan build can compile
# just them: `make test PRESET=tsan` builds `sd_tsan_tests`, then runs `ctest -L tsan`.
add_custom_target(sd_tsan_tests)

# sd_test(name SOURCES ... DEPS ... [LABELS ...]): a GoogleTest binary registered with CTest.
function(sd_test name)
  cmake_parse_arguments(A "" "" "SOURCES;DEPS;LABELS" ${ARGN})
  add_executable(${name} ${A_SOURCES})
  target_link_libraries(${name} PRIVATE sd_flags ${A_DEPS} GTest::gtest GTest::gmock GTest::gtest_main)
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)
  add_test(NAME ${name} COMMAND ${name} --gtest_brief=1)
  set_tests_properties(${name} PROPERTIES TIMEOUT 300 LABELS "unit;${A_LABELS}")
  if("tsan" IN_LIST A_LABELS)
    add_dependencies(sd_tsan_tests ${name})
  endif()
endfunction()

# sd_contract_test(name IMPL cpp|python COMMAND ... SUITE file): the black-box suite against one
# implementation, through tests/contract/run.py (which starts it on port 0 and stops it).
function(sd_contract_test name)
  cmake_parse_arguments(A "" "SUITE;IMPL" "COMMAND" ${ARGN})
  add_test(NAME ${name}
    COMMAND ${SD_PYTHON} ${PROJECT_SOURCE_DIR}/tests/contract/run.py
            --impl ${A_IMPL} --suite ${A_SUITE} -- ${A_COMMAND})
  set_tests_properties(${name} PROPERTIES TIMEOUT 300 LABELS "contract;${A_IMPL}")
endfunction()

# sd_benchmark(name SOURCES ... DEPS ...): a Google Benchmark binary, run by `make bench`.
function(sd_benchmark name)
  if(NOT SD_BUILD_BENCHMARKS)
    return()
  endif()
  cmake_parse_arguments(A "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${A_SOURCES})
  target_link_libraries(${name} PRIVATE sd_flags ${A_DEPS} benchmark::benchmark)
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bench)
endfunction()

# sd_fuzzer(name SOURCES ... [COMPILE_IN lib ...] DEPS ...): a libFuzzer target, built only with
# -DSD_BUILD_FUZZERS=ON and clang (`make fuzz`), always with ASan and UBSan. The code under test is
# compiled into the fuzzer — listed in SOURCES, or every source of a library named in COMPILE_IN —
# not linked from its library, so that libFuzzer's coverage instrumentation reaches it (and clang
# 14 cannot instrument coroutine translation units for coverage: keep those out).
function(sd_fuzzer name)
  if(NOT SD_BUILD_FUZZERS OR NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    return()
  endif()
  cmake_parse_arguments(A "" "" "SOURCES;COMPILE_IN;DEPS" ${ARGN})
  foreach(lib IN LISTS A_COMPILE_IN)
    get_target_property(lib_sources ${lib} SOURCES)
    get_target_property(lib_dir ${lib} SOURCE_DIR)
    list(TRANSFORM lib_sources PREPEND ${lib_dir}/)
    list(APPEND A_SOURCES ${lib_sources})
  endforeach()
  add_executable(${name} ${A_SOURCES})
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR})
  target_link_libraries(${name} PRIVATE sd_flags ${A_DEPS})
  target_compile_options(${name} PRIVATE
    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
  target_link_options(${name} PRIVATE -fsanitize=fuzzer,address,undefined)
endfunction()

# sd_folders_to_build(out graph wanted): the folders to add, dependencies first. `graph` is a list
# of "folder: dep dep ..." entries; `wanted` the folders asked for (empty = all in the graph). A
# folder that is asked for but not in the graph, or a dependency missing from it, is an error.
function(sd_folders_to_build out graph wanted)
  set(all "")
  foreach(entry IN LISTS graph)
    string(REGEX MATCH "^([^:]+):(.*)$" _ "${entry}")
    set(name "${CMAKE_MATCH_1}")
    string(STRIP "${CMAKE_MATCH_2}" deps)
    separate_arguments(deps)
    set(deps_${name} "${deps}")
    list(APPEND all "${name}")
  endforeach()
  if(NOT wanted)
    set(wanted "${all}")
  endif()
  set(order "")
  set(stack "${wanted}")
  # Depth-first: a folder is appended once all of its dependencies have been.
  set(steps 0)
  while(stack)
    math(EXPR steps "${steps} + 1")
    if(steps GREATER 10000)
      message(FATAL_ERROR "SD_FOLDERS: the folder graph has a cycle")
    endif()
    list(GET stack -1 top)
    if(NOT top IN_LIST all)
      message(FATAL_ERROR "SD_FOLDERS: '${top}' is not in the folder graph (CMakeLists.txt)")
    endif()
    if(top IN_LIST order)
      list(POP_BACK stack)
      continue()
    endif()
    set(pending "")
    foreach(dep IN LISTS deps_${top})
      if(NOT dep IN_LIST order)
        list(APPEND pending "${dep}")
      endif()
    endforeach()
    if(pending)
      list(APPEND stack ${pending})
    else()
      list(APPEND order "${top}")
      list(POP_BACK stack)
    endif()
  endwhile()
  set(${out} "${order}" PARENT_SCOPE)
endfunction()
