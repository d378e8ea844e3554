// Asio compiled once, here, instead of in every translation unit that includes it
// (BOOST_ASIO_SEPARATE_COMPILATION): see ../shared/STYLE.md, trap 4.
#include <boost/asio/impl/src.hpp>
