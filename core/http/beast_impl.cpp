// Beast compiled once, here (BOOST_BEAST_SEPARATE_COMPILATION): Beast translation units are the
// slowest part of the build (../shared/STYLE.md, trap 4).
#include <boost/beast/src.hpp>
