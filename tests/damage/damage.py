#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""damage.py DIR FILE KIND [ARG]: damage DIR/FILE one way (tests/damage.t).

Kinds: what a run directory meets after its run: cut short by a crash or
a full disk, edited by hand, overwritten, replaced by something that is
not a file.  Cell kinds change the first data row's cell of column ARG;
drop removes column ARG; param sets parameter ARG to -1.
"""
import json
import os
import sys

CELLS = {"abc": "abc", "blank": "", "huge": "1e309", "junk": "1417x",
         "hex": "0x10", "inf": "inf", "neg": "-1", "nan": "nan"}


def split(line):
    # The fixtures' quoted fields ("0,1") never hold quotes themselves.
    out, cur, q = [], "", False
    for ch in line:
        if ch == '"':
            q = not q
        if ch == "," and not q:
            out.append(cur)
            cur = ""
        else:
            cur += ch
    out.append(cur)
    return out


def main():
    d, name, kind = sys.argv[1:4]
    arg = sys.argv[4] if len(sys.argv) > 4 else None
    path = os.path.join(d, name)
    if kind == "delete":
        os.unlink(path)
        return
    if kind in ("fifo", "symloop", "dir"):
        os.unlink(path)
        {"fifo": lambda: os.mkfifo(path),
         "symloop": lambda: os.symlink(name, path),
         "dir": lambda: os.mkdir(path)}[kind]()
        return
    data = open(path, "rb").read()
    if kind == "nul":
        mid = data.index(b"\n", len(data) // 2) + 3
        data = data[:mid] + b"\0" + data[mid:]
    elif kind == "torn":          # cut inside the last field
        data = data[:-5]
    elif kind == "nonl":          # the last newline lost
        data = data[:-1]
    elif kind == "empty":
        data = b""
    elif kind == "garbage":
        data = bytes((i * 167 + 13) % 256 for i in range(4096))
    elif kind == "half":          # a copy that stopped halfway
        data = data[:len(data) // 2]
    elif kind == "crlf":
        data = data.replace(b"\n", b"\r\n")
    elif name == "meta.json":
        meta = json.loads(data)
        if kind == "emptyobj":
            meta = {}
        elif kind == "otherbench":
            meta["bench"]["name"] = arg
        elif kind == "format":
            meta["format"] = {"major": 99, "minor": 0}
        elif kind == "noformat":    # as written before the field
            meta.pop("format", None)
        elif kind == "nometrics":
            del meta["metrics"]
        elif kind == "trials":
            meta["method"]["trials"] = int(arg)
        data = json.dumps(meta).encode()
    else:
        lines = data.decode().split("\n")
        assert lines[-1] == ""
        head = split(lines[0])
        rows = [split(x) for x in lines[1:-1]]
        if kind == "headonly":
            rows = []
        elif kind == "dup":
            rows.append(list(rows[-1]))
        elif kind == "extracol":
            head.append("extra")
            rows = [r + ["1"] for r in rows]
        elif kind == "drop":
            k = head.index(arg)
            head.pop(k)
            for r in rows:
                r.pop(k)
        elif kind == "param":
            rows[0][head.index(arg)] = "-1"
        elif kind == "flip":
            k = head.index("better")
            r = next(r for r in rows if r[k] == "lower")
            r[k] = "higher"
        elif kind in CELLS:
            rows[0][head.index(arg)] = CELLS[kind]
        else:
            sys.exit("damage.py: unknown kind " + kind)
        def join(r):
            return ",".join(r)
        data = ("\n".join([join(head)] + [join(r) for r in rows]) +
                "\n").encode()
    open(path, "wb").write(data)


main()
