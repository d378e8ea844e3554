// Asio and Beast compiled once, here, instead of in every translation unit that includes them
// (BOOST_ASIO_SEPARATE_COMPILATION / BOOST_BEAST_SEPARATE_COMPILATION): Beast TUs are the slowest
// part of the build (../shared/STYLE.md, trap 4).
#include <boost/asio/impl/src.hpp>
#include <boost/beast/src.hpp>
