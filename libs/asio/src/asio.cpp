// The one translation unit holding Boost.Asio's compiled implementation (see ../CMakeLists.txt).
#include <boost/asio/impl/src.hpp>
