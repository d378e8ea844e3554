#!/usr/bin/env python3
"""Code maps that cannot drift: a folder README's code map names every source file, and only files
that exist.

A code map is a Markdown table whose header's first cell is `file` or `path` (file → layer → job).
Each backticked name in a row's first cell names source files of the README's folder, written as a
path relative to the folder or as a bare name, with or without the extension:

  `limiter/keys`, `keys`            limiter/keys.hpp, limiter/keys.cpp (and any other keys.*)
  `limiter/decision.hpp`            that one file
  `main.py`                         a file at the folder's top
  `core/pg/pg_pool`                 another folder's file, from the repository root: allowed,
                                    covers nothing here

A test is covered by the name of what it tests: keys_test.cpp and keys_concurrency_test.cpp by
`keys`. Sources are the git-tracked .hpp, .cpp and .py files (every file on disk outside build
and dot directories when git is not available).

Usage: code_map_test.py ROOT [FOLDER...]   (default: core and every numbered folder with sources;
                                            exit 0 when every map agrees with its tree)
       code_map_test.py --self-test         (the checker against a made-up folder)
"""

import pathlib
import re
import subprocess
import sys

SOURCE_SUFFIXES = {".hpp", ".cpp", ".py"}
# What a test adds to the stem of the file it tests ("keys_test.cpp" tests "keys").
TEST_SUFFIXES = ("_concurrency_test", "_test")
TOKEN = re.compile(r"`([^`]+)`")
MAP_HEADERS = {"file", "path"}


def map_tokens(readme: pathlib.Path) -> list[str]:
    """Every backticked name in the first cell of the code map tables of `readme`."""
    tokens: list[str] = []
    in_map = False
    for line in readme.read_text(encoding="utf-8").splitlines():
        if not line.startswith("|"):
            in_map = False
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if cells[0] in MAP_HEADERS:
            in_map = True
            continue
        if in_map and not set(cells[0]) <= set("-: "):
            tokens.extend(TOKEN.findall(cells[0]))
    return tokens


def sources(folder: pathlib.Path) -> list[str]:
    """Source files under `folder`, as paths relative to it."""
    try:
        listed = subprocess.run(["git", "ls-files", "-z", "--", "."], cwd=folder, check=True,
                                capture_output=True, text=True).stdout.split("\0")
        paths = [folder / rel for rel in listed if rel]
    except (OSError, subprocess.CalledProcessError):
        paths = [p for p in folder.rglob("*") if not any(
            part.startswith((".", "build")) for part in p.relative_to(folder).parts[:-1])]
    found = {p.relative_to(folder).as_posix() for p in paths
             if p.suffix in SOURCE_SUFFIXES and p.is_file()}
    return sorted(found)


def names_for(rel: str) -> set[str]:
    """The map names that cover source file `rel`: its path or bare name, with or without the
    extension; a test's also those of the file it tests."""
    path = pathlib.PurePosixPath(rel)
    stems = [path.with_suffix("").as_posix()]
    for suffix in TEST_SUFFIXES:
        if stems[0].endswith(suffix):
            stems.append(stems[0][: -len(suffix)])
            break
    names = {rel, path.name}
    for stem in stems:
        bare = pathlib.PurePosixPath(stem).name
        names.update({stem, bare})
        names.update(stem + ext for ext in SOURCE_SUFFIXES)  # a header-only file's test
        names.update(bare + ext for ext in SOURCE_SUFFIXES)
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
    named = set(tokens)
    problems = [f"{folder_name}/{rel}: not in {folder_name}/README.md's code map"
                for rel in files if not names_for(rel) & named]
    # What a name may stand for: a file's path or bare name, with or without the extension.
    real = set()
    for rel in files:
        path = pathlib.PurePosixPath(rel)
        real.update({rel, path.name, path.with_suffix("").as_posix(), path.stem})
    for token in dict.fromkeys(tokens):
        if token not in real and not in_repo(root, token):
            problems.append(f"{folder_name}/README.md names `{token}`, which matches no source file")
    return problems


def in_repo(root: pathlib.Path, token: str) -> bool:
    """A cross-reference such as `core/pg/pg_pool` or `core/pg/testing`: a directory, file or stem
    at that path from the repository root. It names the other folder's files without covering
    any of this folder's."""
    path = root / token
    if "/" not in token or not path.parent.is_dir():
        return False
    return path.exists() or any(p.name.startswith(path.name + ".") for p in path.parent.iterdir())


def default_folders(root: pathlib.Path) -> list[str]:
    """core and every numbered folder that holds a source file."""
    folders = ["core"] + sorted(p.name for p in root.glob("[0-9][0-9]_*") if p.is_dir())
    return [f for f in folders if sources(root / f)]


def self_test() -> int:
    """The checker against a made-up folder: it must accept a true map and catch both drifts."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        root = pathlib.Path(tmp)
        folder = root / "f"
        (folder / "lib").mkdir(parents=True)
        (folder / "build").mkdir()
        for rel in ["lib/a.hpp", "lib/a.cpp", "lib/a_test.cpp", "lib/a_concurrency_test.cpp",
                    "lib/b.hpp", "lib/b_test.cpp", "lib/c.cpp", "main.py", "build/generated.cpp"]:
            (folder / rel).write_text("")
        readme = folder / "README.md"
        (root / "g").mkdir()
        (root / "g" / "shared.hpp").write_text("")
        good = ("| file | layer | job |\n|---|---|---|\n| `lib/a`, `lib/b.hpp` | x | y |\n"
                "| `c`, `main.py`, `g/shared` | x | y |\n")
        readme.write_text("# f\n\n" + good + "\n| other | table |\n|---|---|\n| `lib/zzz` | no |\n")
        failures = []
        if check(root, "f"):
            failures.append(f"a true map was refused: {check(root, 'f')}")
        (folder / "lib" / "d.cpp").write_text("")
        if check(root, "f") != ["f/lib/d.cpp: not in f/README.md's code map"]:
            failures.append(f"an unmapped file was not caught: {check(root, 'f')}")
        (folder / "lib" / "d.cpp").unlink()
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
    if len(argv) < 2:
        usage = __doc__[__doc__.index("Usage:"):]
        print(usage.rstrip(), file=sys.stderr)
        return 2
    root = pathlib.Path(argv[1])
    folders = argv[2:] or default_folders(root)
    problems = [p for folder in folders for p in check(root, folder)]
    for p in problems:
        print(p)
    if problems:
        print(f"{len(problems)} code map problem(s)")
        return 1
    print(f"code maps agree with the tree: {', '.join(folders)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
