# Golden tests: every folder tests/golden/<kind>/<case>/ holding a file `cmd` becomes one ctest,
# golden.<kind>.<case>. `cmd` holds the fundcheck arguments (one line, shell-like quoting),
# run from the repository root so paths in the output are stable. The expected results are
# `stdout`, `stderr` (when present) and `exit_code`. UPDATE_GOLDEN=1 rewrites them. A file `stdin`
# in the folder is fed to the command's standard input. An optional second argument replaces the
# prefix `golden` of the test names (tests/bad-input/ uses `bad-input`).
function(fundcheck_add_golden_tests root)
  set(prefix golden)
  if(ARGC GREATER 1)
    set(prefix ${ARGV1})
  endif()
  file(GLOB_RECURSE cmd_files CONFIGURE_DEPENDS ${root}/*/cmd)
  foreach(cmd_file IN LISTS cmd_files)
    get_filename_component(case_dir ${cmd_file} DIRECTORY)
    file(RELATIVE_PATH rel ${root} ${case_dir})
    string(REPLACE "/" "." name ${rel})
    add_test(NAME ${prefix}.${name}
             COMMAND ${CMAKE_COMMAND} -DFUNDCHECK=$<TARGET_FILE:fundcheck> -DCASE=${case_dir}
                     -DROOT=${PROJECT_SOURCE_DIR} -P ${PROJECT_SOURCE_DIR}/cmake/run_golden.cmake)
  endforeach()
endfunction()
