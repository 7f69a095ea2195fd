# Checks that a file kept in the repository equals what fundcheck generates from the sources
# now (e.g. docs/rules.md = `fundcheck doc rules/`). Invoked as a script:
# -DFUNDCHECK=<binary> -DROOT=<repository> -DOUTPUT=<file, relative to ROOT> -DARGS=<arguments>.
# UPDATE_GOLDEN=1 rewrites the file instead; review the diff.
separate_arguments(args UNIX_COMMAND "${ARGS}")
execute_process(COMMAND ${FUNDCHECK} ${args}
                WORKING_DIRECTORY ${ROOT}
                OUTPUT_VARIABLE generated ERROR_VARIABLE errors RESULT_VARIABLE exit_code)
if(NOT exit_code EQUAL 0)
  message(FATAL_ERROR "fundcheck ${ARGS} failed (exit ${exit_code}):\n${errors}")
endif()
if("$ENV{UPDATE_GOLDEN}" STREQUAL "1")
  file(WRITE ${ROOT}/${OUTPUT} "${generated}")
  message(STATUS "updated ${OUTPUT}")
  return()
endif()
file(READ ${ROOT}/${OUTPUT} current)
if(NOT current STREQUAL generated)
  message(FATAL_ERROR "${OUTPUT} is out of date: run 'fundcheck ${ARGS} > ${OUTPUT}' from the repository root "
                      "(or UPDATE_GOLDEN=1 ctest -R generated) and review the diff")
endif()
