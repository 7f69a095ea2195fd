# fundcheck fmt -w on copies of rule files in a scratch folder: rewrites exactly the files that
# change, keeps their permissions and symbolic links, leaves no temporary file, and never touches
# a file that does not parse. Invoked as a script: -DFUNDCHECK -DROOT -DWORK.
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK}/sub)
set(corpus ${ROOT}/tests/golden/fmt)

function(fail message)
  message(FATAL_ERROR "fmt -w: ${message}")
endfunction()

function(run expected_exit)
  execute_process(COMMAND ${FUNDCHECK} ${ARGN} WORKING_DIRECTORY ${WORK}
                  OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE code)
  if(NOT code STREQUAL expected_exit)
    fail("'fundcheck ${ARGN}' exited ${code}, expected ${expected_exit}\nstdout: ${out}\nstderr: ${err}")
  endif()
  set(last_stdout "${out}" PARENT_SCOPE)
  set(last_stderr "${err}" PARENT_SCOPE)
endfunction()

function(expect_same file expected)
  file(READ ${WORK}/${file} actual)
  file(READ ${expected} wanted)
  if(NOT actual STREQUAL wanted)
    fail("${file} is not ${expected}:\n${actual}")
  endif()
endfunction()

function(mode_of file out)
  execute_process(COMMAND stat -c %a ${WORK}/${file} OUTPUT_VARIABLE mode OUTPUT_STRIP_TRAILING_WHITESPACE)
  set(${out} ${mode} PARENT_SCOPE)
endfunction()

function(mtime_of file out)
  execute_process(COMMAND stat -c %y ${WORK}/${file} OUTPUT_VARIABLE t OUTPUT_STRIP_TRAILING_WHITESPACE)
  set(${out} "${t}" PARENT_SCOPE)
endfunction()

# Unformatted, with unusual permissions; already formatted; unformatted behind a symbolic link;
# one that does not parse.
configure_file(${corpus}/one-line/input.rules ${WORK}/a.rules COPYONLY)
file(CHMOD ${WORK}/a.rules PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ)
configure_file(${corpus}/one-line/stdout ${WORK}/b.rules COPYONLY)
configure_file(${corpus}/comments/input.rules ${WORK}/sub/target.rules COPYONLY)
file(CREATE_LINK target.rules ${WORK}/sub/link.rules SYMBOLIC)
configure_file(${ROOT}/tests/golden/diagnostics/missing-paren/input.rules ${WORK}/broken.rules COPYONLY)
mtime_of(b.rules b_before)

# The directory holds the broken file: exit 2, but the others are still written.
run(2 fmt -w .)
if(NOT last_stderr MATCHES "broken.rules:6:1: error\\[E1001\\]")
  fail("the syntax error is not reported:\n${last_stderr}")
endif()
if(NOT last_stdout STREQUAL "")
  fail("-w alone prints nothing, printed:\n${last_stdout}")
endif()
expect_same(a.rules ${corpus}/one-line/stdout)
expect_same(b.rules ${corpus}/one-line/stdout)
expect_same(sub/target.rules ${corpus}/comments/stdout)
expect_same(broken.rules ${ROOT}/tests/golden/diagnostics/missing-paren/input.rules)
mode_of(a.rules a_mode)
if(NOT a_mode STREQUAL "640")
  fail("a.rules had mode 640, now ${a_mode}")
endif()
mtime_of(b.rules b_after)
if(NOT b_after STREQUAL b_before)
  fail("b.rules was already formatted but was rewritten (${b_before} -> ${b_after})")
endif()
if(NOT IS_SYMLINK ${WORK}/sub/link.rules)
  fail("sub/link.rules is no longer a symbolic link")
endif()
file(GLOB_RECURSE leftovers LIST_DIRECTORIES false ${WORK}/.*fmt-* ${WORK}/sub/.*fmt-*)
if(leftovers)
  fail("temporary files left behind: ${leftovers}")
endif()

# Through the link: the target is formatted, the link stays.
configure_file(${corpus}/parentheses/input.rules ${WORK}/sub/target.rules COPYONLY)
run(0 fmt --write --list sub/link.rules)
if(NOT last_stdout STREQUAL "sub/link.rules\n")
  fail("--list names the file it rewrote, printed:\n${last_stdout}")
endif()
expect_same(sub/target.rules ${corpus}/parentheses/stdout)
if(NOT IS_SYMLINK ${WORK}/sub/link.rules)
  fail("sub/link.rules is no longer a symbolic link")
endif()

# Now everything that parses is formatted.
file(REMOVE ${WORK}/broken.rules)
run(0 fmt --check .)
run(0 fmt -w .)
