# Fails when one of EXECUTABLES (a |-separated list) exports a symbol of Qt or of our own code in
# its dynamic symbol table. Every process here also loads Qt 5 (libtorch_cpu -> opencv_highgui ->
# Qt5Widgets): an exported out-of-line copy of a Qt 6 inline function (operator==(QString, QString),
# QByteArray::append in Debug builds) would bind Qt 5's calls to Qt 6 code. See the top-level
# CMakeLists.txt, which builds our code with hidden visibility for this reason.
set(failures "")
string(REPLACE "|" ";" executables "${EXECUTABLES}")
foreach(exe ${executables})
    execute_process(COMMAND nm -D --defined-only -C "${exe}" OUTPUT_VARIABLE symbols RESULT_VARIABLE rc ERROR_VARIABLE err)
    if(NOT rc EQUAL 0)
        list(APPEND failures "${exe}: nm failed: ${err}")
        continue()
    endif()
    string(REPLACE "\n" ";" lines "${symbols}")
    set(count 0)
    foreach(line ${lines})
        # Qt classes and functions (QString, QByteArray::append, qHash...) and our namespace: any
        # function (T, W, i), and data that is not an instantiation of a template (static locals and
        # type information of Qt 6 templates on our types, e.g. QMetaSequence of QList<long long>,
        # have no Qt 5 namesake to clash with).
        if(NOT line MATCHES "(^|[^A-Za-z0-9_])(Q[A-Z][A-Za-z0-9_]*|q[A-Z][A-Za-z0-9_]*\\(|ntt::)")
            continue()
        endif()
        if(line MATCHES "^[0-9a-f]+ [BbDdRrVu] " AND line MATCHES "<" AND NOT line MATCHES "ntt::")
            continue()
        endif()
        # Type information (the Debug build's UBSan vptr checks emit it, e.g. for QObjectData) has
        # the same layout in every C++ library, whichever Qt defined the class: binding to ours is harmless.
        if(line MATCHES "^[0-9a-f]+ V typeinfo (name )?for Q" AND NOT line MATCHES "ntt::")
            continue()
        endif()
        list(APPEND failures "${exe} exports: ${line}")
        math(EXPR count "${count} + 1")
    endforeach()
    message(STATUS "${exe}: ${count} exported symbols of Qt or ntt")
endforeach()
if(failures)
    list(JOIN failures "\n" text)
    message(FATAL_ERROR "Exported symbols that Qt 5's libraries in the same process would bind to:\n${text}")
endif()
