# The Debian package (cpack -G DEB in the release build; packaging/make-deb.sh builds, installs and
# smoke-tests it). Installs `namethattrue` and `ntt` under /usr/bin, a menu entry, its icon and the
# AppStream metadata. Run-time dependencies: the shared libraries the two programs link, found by
# dpkg-shlibdeps, plus what they load at run time without linking it.
install(FILES ${CMAKE_CURRENT_LIST_DIR}/namethattrue.desktop DESTINATION share/applications
    RENAME org.namethattrue.NameThatTrue.desktop)
install(FILES ${CMAKE_CURRENT_LIST_DIR}/org.namethattrue.NameThatTrue.metainfo.xml DESTINATION share/metainfo)
install(FILES ${CMAKE_SOURCE_DIR}/resources/icons/namethattrue.svg DESTINATION share/icons/hicolor/scalable/apps)

set(CPACK_PACKAGE_NAME "namethattrue")
set(CPACK_PACKAGE_VENDOR "NameThatTrue developers")
set(CPACK_PACKAGE_CONTACT "NameThatTrue developers <namethattrue@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Human-vs-classifier studies on AI-generated images")
set(CPACK_PACKAGE_DESCRIPTION
    "Participants pick the real image out of a row of real and AI-generated ones (or say real or fake, \
which generator made it, what it shows); every answer is stored as it is given. The same trials go \
through neural classifiers (LibTorch), and the researcher sees people and models side by side, with \
Grad-CAM maps, and exports CSV files for the paper. namethattrue is the desktop application, ntt the \
command line.")
set(CPACK_GENERATOR "DEB")
set(CPACK_PACKAGING_INSTALL_PREFIX "/usr")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION "science")
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_STRIP_FILES ON)
# Loaded at run time, not linked: the SQLite and PostgreSQL drivers of Qt SQL, Qt's platform
# plugins (X11, Wayland, offscreen), the BLAS that libtorch's CPU kernels use.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libqt6sql6-sqlite, qt6-qpa-plugins, libopenblas0-pthread")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "libqt6sql6-psql, qt6-wayland")
include(CPack)
