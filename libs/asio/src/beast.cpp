// The one translation unit holding Boost.Beast's compiled implementation (see ../CMakeLists.txt).
#include <boost/beast/src.hpp>
