#!/usr/bin/env python3
"""sd-framework, the Python twin: the walking skeleton on the standard library (same contract as main.cpp)."""

import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "core" / "python"))
import sdhttp  # noqa: E402


def hello(_request: sdhttp.Request) -> sdhttp.Response:
    return sdhttp.Response.json(200, {"message": "hello"})


def main() -> int:
    args = sdhttp.common_args("Walking skeleton: the shared HTTP core and /hello", 9000).parse_args()
    router = sdhttp.Router()
    router.get("/hello", hello)
    app = sdhttp.App("sd-framework", router, sdhttp.options_from(args))
    return sdhttp.serve(app)


if __name__ == "__main__":
    sys.exit(main())
