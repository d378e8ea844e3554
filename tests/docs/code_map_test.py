#!/usr/bin/env python3
"""Code maps that cannot drift: a folder README's code map names every source file, and only files
that exist.

A code map is a Markdown table whose header's first cell is `file` (file → layer → job). Each
backticked name in a row's first cell is a path relative to the README's folder, written one of
three ways:

  `limiter/keys`            a stem: covers limiter/keys.hpp, limiter/keys.cpp, limiter/keys.py
  `limiter/decision.hpp`    one file
  `main.cpp`, `main.py`     files at the folder's top

A test or fuzzer is covered by the row of what it tests: limiter/keys_test.cpp and
limiter/keys_concurrency_test.cpp by `limiter/keys`, http/fuzz/x_fuzz.cpp by `http/fuzz/x_fuzz`
only (it is not beside `x`). Sources are .hpp, .cpp and .py files; build directories and
dot-directories are skipped.

Usage: code_map_test.py ROOT FOLDER [FOLDER...]   (exit 0 when every map agrees with its tree)
       code_map_test.py --self-test               (the checker against a made-up folder)
"""

import pathlib
import re
import sys

SOURCE_SUFFIXES = {".hpp", ".cpp", ".py"}
# What a test adds to the stem of the file it tests ("keys_test.cpp" tests "keys").
TEST_SUFFIXES = ("_concurrency_test", "_test")
TOKEN = re.compile(r"`([^`]+)`")


def map_tokens(readme: pathlib.Path) -> list[str]:
    """Every backticked name in the first cell of the code map tables of `readme`."""
    tokens: list[str] = []
    in_map = False
    for line in readme.read_text(encoding="utf-8").splitlines():
        if not line.startswith("|"):
            in_map = False
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if cells and cells[0] == "file":
            in_map = True
            continue
        if in_map and not set(cells[0]) <= set("-: "):
            tokens.extend(TOKEN.findall(cells[0]))
    return tokens


def sources(folder: pathlib.Path) -> list[str]:
    """Source files under `folder`, as paths relative to it."""
    found = []
    for path in folder.rglob("*"):
        rel = path.relative_to(folder)
        if any(part.startswith((".", "build")) for part in rel.parts[:-1]):
            continue
        if path.is_file() and path.suffix in SOURCE_SUFFIXES:
            found.append(rel.as_posix())
    return sorted(found)


def names_for(rel: str) -> set[str]:
    """The map names that cover source file `rel`."""
    path = pathlib.PurePosixPath(rel)
    stem = path.with_suffix("").as_posix()
    names = {rel, stem}
    for suffix in TEST_SUFFIXES:
        if stem.endswith(suffix):
            tested = stem[: -len(suffix)]
            names.add(tested)
            names.update(tested + ext for ext in SOURCE_SUFFIXES)  # a header-only file's test
            break
    return names


def check(root: pathlib.Path, folder_name: str) -> list[str]:
    """Problems with one folder's code map (empty when it agrees with the tree)."""
    folder = root / folder_name
    readme = folder / "README.md"
    if not readme.is_file():
        return [f"{folder_name}: no README.md"]
    tokens = map_tokens(readme)
    if not tokens:
        return [f"{folder_name}/README.md: no code map (a table whose first header cell is 'file')"]
    files = sources(folder)
    problems = []
    named = set(tokens)
    for rel in files:
        if not names_for(rel) & named:
            problems.append(f"{folder_name}/{rel}: not in {folder_name}/README.md's code map")
    stems = {pathlib.PurePosixPath(rel).with_suffix("").as_posix() for rel in files}
    for token in tokens:
        if token not in files and token not in stems:
            problems.append(f"{folder_name}/README.md names `{token}`, which matches no source file")
    return problems


def self_test() -> int:
    """The checker against a made-up folder: it must accept a true map and catch both drifts."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        root = pathlib.Path(tmp)
        folder = root / "f"
        (folder / "lib").mkdir(parents=True)
        (folder / "build").mkdir()
        for rel in ["lib/a.hpp", "lib/a.cpp", "lib/a_test.cpp", "lib/a_concurrency_test.cpp",
                    "lib/b.hpp", "lib/b_test.cpp", "main.py", "build/generated.cpp"]:
            (folder / rel).write_text("")
        readme = folder / "README.md"
        good = "| file | layer | job |\n|---|---|---|\n| `lib/a`, `lib/b.hpp` | x | y |\n| `main.py` | x | y |\n"
        readme.write_text("# f\n\n" + good + "\n| other | table |\n|---|---|\n| `lib/zzz` | no |\n")
        failures = []
        if check(root, "f"):
            failures.append(f"a true map was refused: {check(root, 'f')}")
        (folder / "lib" / "c.cpp").write_text("")
        if check(root, "f") != ["f/lib/c.cpp: not in f/README.md's code map"]:
            failures.append(f"an unmapped file was not caught: {check(root, 'f')}")
        (folder / "lib" / "c.cpp").unlink()
        (folder / "lib" / "b.hpp").unlink()
        (folder / "lib" / "b_test.cpp").unlink()
        if check(root, "f") != ["f/README.md names `lib/b.hpp`, which matches no source file"]:
            failures.append(f"a stale row was not caught: {check(root, 'f')}")
        readme.write_text("# f\n")
        if len(check(root, "f")) != 1:
            failures.append("a README without a code map was not caught")
    for f in failures:
        print(f"self-test: {f}")
    if not failures:
        print("self-test: the checker catches unmapped files and stale rows")
    return 1 if failures else 0


def main(argv: list[str]) -> int:
    if argv[1:] == ["--self-test"]:
        return self_test()
    if len(argv) < 3:
        usage = __doc__[__doc__.index("Usage:"):]
        print(usage.rstrip(), file=sys.stderr)
        return 2
    root = pathlib.Path(argv[1])
    problems = [p for folder in argv[2:] for p in check(root, folder)]
    for p in problems:
        print(p)
    if problems:
        print(f"{len(problems)} code map problem(s)")
        return 1
    print(f"code maps agree with the tree: {', '.join(argv[2:])}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
