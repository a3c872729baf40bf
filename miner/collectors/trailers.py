"""``Co-authored-by:`` values read from a commit's trailer block as git prints it raw.

git's ``%(trailers:key=...)`` reads the ``trailer.<name>.*`` settings of the user's and
the repository's config, and no ``-c`` can remove one: ``trailer.pair.key =
Co-authored-by`` turns a ``Pair:`` line (or a ``Co:`` one) into a co-author, a key set
for ``trailer.co-authored-by`` hides every co-author, and any configured name lets a
paragraph that is mostly prose count as trailers. So git prints the block untouched
(``%(trailers)``, which only the last of these reaches) and the rules git follows with
no such setting are applied here: the same answer whatever the config says.
"""

from __future__ import annotations

import re

# The format placeholder: the trailer block as written (the last paragraph, when git
# takes it for trailers), ended by a newline.
RAW_TRAILERS = "%(trailers)"
KEY = "co-authored-by"
_SPACE = " \t\n\r"  # what git's isspace() takes for white space
_GENERATED = ("Signed-off-by: ", "(cherry picked from commit ")  # git's own, always known
_FOLD = re.compile(r"\n[ \t\n\r]*")


def mentions_co_author(block: bytes) -> bool:
    """Whether a raw block may hold a co-author: a cheap test before parsing it."""
    return KEY.encode() in block.lower()


def co_authors(block: str) -> list[str]:
    """The ``Co-authored-by`` values of a raw trailer block, each on one line, as
    ``%(trailers:key=Co-authored-by,valueonly,unfold)`` gives them without config."""
    if KEY not in block.lower():
        return []
    lines = block.split("\n")
    if not _is_trailer_block(lines):
        return []
    found = []
    for entry in _entries(lines):
        at = _separator(entry)
        if at >= 1 and entry[:at].strip(_SPACE).lower() == KEY:
            value = _FOLD.sub(" ", entry[at + 1 :].strip(_SPACE)).strip()
            if value:
                found.append(value)
    return found


def co_author_lines(block: str) -> str:
    """``co_authors`` one per line, as a stored commit row keeps them."""
    return "\n".join(co_authors(block))


def _separator(line: str) -> int:
    """Where git finds a trailer's ``:`` (its ``find_separator``): after a token of
    ASCII letters, digits and '-', and maybe blanks; -1 when the line is no trailer."""
    blank = False
    for i, c in enumerate(line):
        if c == ":":
            return i
        if not blank and (c == "-" or (c.isascii() and c.isalnum())):
            continue
        if i and c in " \t":
            blank = True
            continue
        break
    return -1


def _is_trailer_block(lines: list[str]) -> bool:
    """Whether git with no ``trailer.*`` settings takes the paragraph for trailers:
    all of it trailers (and their continuation lines), or a quarter of it when a
    trailer git writes itself is among them (git's ``find_trailer_start``)."""
    trailers = others = continued = 0
    generated = False
    for line in reversed(lines):
        if not line.strip(_SPACE):
            continue  # the newline that ends the block
        if line.startswith("#"):  # a comment (the pinned comment character)
            others, continued = others + continued, 0
        elif line.startswith(_GENERATED):
            trailers, continued, generated = trailers + 1, 0, True
        elif _separator(line) >= 1:
            trailers, continued = trailers + 1, 0
        elif line[0] in _SPACE:
            continued += 1
        else:
            others, continued = others + 1 + continued, 0
    others += continued
    return (generated and trailers * 3 >= others) or (trailers > 0 and others == 0)


def _entries(lines: list[str]) -> list[str]:
    """The block's lines with each trailer's continuation lines joined to it."""
    entries: list[str] = []
    open_trailer = False
    for line in lines:
        if not line:
            continue
        if open_trailer and line[0] in _SPACE:
            entries[-1] += "\n" + line
            continue
        entries.append(line)
        open_trailer = _separator(line) >= 1
    return entries
