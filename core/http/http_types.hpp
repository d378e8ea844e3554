// The HTTP vocabulary every handler and middleware speaks: Beast's message types on top of the
// async layer's Task (core/async/task.hpp).
#pragma once

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/verb.hpp>

#include "core/async/task.hpp"

namespace core {

namespace beast = boost::beast;
namespace http = boost::beast::http;

using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

}  // namespace core
