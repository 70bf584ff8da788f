#!/usr/bin/env python3
"""Reports the largest source files and functions under src/, and fails when a
file passes MAX_FILE_LINES or a function MAX_FUNCTION_LINES (STYLE.md: a file
past ~400 lines or a function past one screen is asking to be split).

    scripts/code_size.py            the ten largest of each; exit 1 over a limit
    scripts/code_size.py --top 30   more of them

Functions are found by a small C++ scanner, not a compiler: comments, string
and character literals are blanked, then every brace is classified as opening
a namespace, a class (struct, enum, union), a function or something inside
one. A function counts from the first line of its signature to its closing
brace; lambdas and local classes count with the function that holds them.
"""
import argparse
import os
import re
import subprocess
import sys

MAX_FILE_LINES = 400
MAX_FUNCTION_LINES = 60
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def blank_literals(text):
    """`text` with comments, string and char literals replaced by spaces (newlines kept)."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif c == 'R' and text.startswith('R"', i) and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == '_')):
            open_paren = text.find("(", i + 2)
            delimiter = text[i + 2:open_paren]
            j = text.find(")" + delimiter + '"', open_paren)
            j = n if j < 0 else j + len(delimiter) + 2
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif c == '"' or (c == "'" and not (i > 0 and text[i - 1].isalnum())):
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            j = min(j + 1, n)
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        else:
            out.append(c)
            i += 1
    return "".join(out)


def functions(path):
    """(name, first line, line count) of every function defined in `path`."""
    with open(path, encoding="utf-8") as file:
        text = blank_literals(file.read())
    found = []
    stack = []  # kinds of the open braces: namespace, class, function, inner
    start = 0   # where the current statement began (after ; { or })
    function_start = None
    for i, c in enumerate(text):
        if c == "{":
            head = text[start:i]
            inside_function = any(kind in ("function", "inner") for kind in stack)
            words = head.split()
            if inside_function:
                kind = "inner"
            elif re.search(r"\bnamespace\b", head) or head.strip().startswith('extern'):
                kind = "namespace"
            elif re.search(r"\b(class|struct|union|enum)\b", head) and "(" not in head.split("=")[0]:
                kind = "class"
            elif re.search(r"\)\s*(const|override|final|noexcept|mutable|->[^;{}]*|\s)*$", head) or \
                    re.search(r"\)\s*:\s*[\s\S]*\)\s*$", head):
                kind = "function"
                name = re.findall(r"([~\w:]+(?:operator[^\s(]*)?)\s*\(", head)
                first_line = text.count("\n", 0, start + len(head) - len(head.lstrip())) + 1
                function_start = (name[0] if name else "?", first_line)
            else:
                kind = "inner" if words and stack and stack[-1] == "function" else "class" if not words else "inner"
                if not inside_function and kind == "inner":
                    kind = "class"  # a brace initializer or similar at namespace level: skip over it
            stack.append(kind)
            start = i + 1
        elif c == "}":
            kind = stack.pop() if stack else "inner"
            if kind == "function" and function_start:
                name, first_line = function_start
                last_line = text.count("\n", 0, i) + 1
                found.append((name, first_line, last_line - first_line + 1))
                function_start = None
            start = i + 1
        elif c == ";":
            start = i + 1
    return found


def sources():
    listed = subprocess.run(["git", "ls-files", "src"], cwd=ROOT, capture_output=True, text=True, check=True)
    return [path for path in listed.stdout.split() if path.endswith((".cpp", ".hpp"))]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--top", type=int, default=10, help="how many of the largest to list")
    args = parser.parse_args()
    files, funcs = [], []
    for path in sources():
        with open(os.path.join(ROOT, path), encoding="utf-8") as file:
            files.append((sum(1 for _ in file), path))
        for name, line, count in functions(os.path.join(ROOT, path)):
            funcs.append((count, f"{path}:{line} {name}"))
    files.sort(reverse=True)
    funcs.sort(reverse=True)
    print(f"largest files (limit {MAX_FILE_LINES} lines):")
    for count, path in files[:args.top]:
        print(f"  {count:5d}  {path}")
    print(f"largest functions (limit {MAX_FUNCTION_LINES} lines):")
    for count, where in funcs[:args.top]:
        print(f"  {count:5d}  {where}")
    over = [f"{path} ({count} lines)" for count, path in files if count > MAX_FILE_LINES]
    over += [f"{where} ({count} lines)" for count, where in funcs if count > MAX_FUNCTION_LINES]
    if over:
        print("over the limit:\n  " + "\n  ".join(over), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
