# Project-wide warning flags, applied per target with fundcheck_warnings(target).
function(fundcheck_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow=local
                         -Wnon-virtual-dtor -Wimplicit-fallthrough)
  if(FUNDCHECK_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
