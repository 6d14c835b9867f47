"""Flask's side of the differential check of taggedjson (flaskdiff_test.go).

    PY taggedjson/testdata/flask_diff.py SEED [FUZZ_CORPUS_DIR]

Generates thousands of inputs from SEED (random tagged JSON; dates and UUIDs,
some with non-ASCII digits; base64; lone surrogates) plus, optionally, the
inputs of a Go fuzz corpus such as
$(go env GOCACHE)/fuzz/github.com/ginflask/flasksession/taggedjson/FuzzUnmarshal)
and prints, for each, what this Flask makes of it:

    first line:  {"flask": VERSION, "inputs": N}
    then N lines: INPUT FLASK MODEL KINDS

INPUT is the input's hex. FLASK is "OK:" + the hex of Flask's
dumps(loads(input)), or "ERR" when Flask raises. MODEL is the same under the
documented differences of taggedjson (its package doc), or "-" when they
change nothing; KINDS names the differences that applied ("-" for none):

  surrogate    a lone UTF-16 surrogate in a str becomes U+FFFD, since a Go
               string cannot hold one
  markup-repr  {" m": x} fails when x is a list, dict, tuple, bytes or
               datetime (Flask builds Markup from Python's repr of x)
  untag-order  tagged values are untagged after the whole text is parsed, as
               Flask 3 does, so a failing value that a later duplicate key
               replaces does no harm (Flask 2.2 untags while parsing and fails)

The Go test passes an input when Go's Marshal(Unmarshal(input)) equals FLASK,
or equals MODEL when MODEL is not "-"; anything else is a mismatch.
"""
import ast
import datetime
import glob
import json
import os
import random
import re
import sys
from importlib.metadata import version

from flask import Flask
from flask.json.tag import TaggedJSONSerializer, TagMarkup

seed = int(sys.argv[1]) if len(sys.argv) > 1 else 1
corpus = sys.argv[2] if len(sys.argv) > 2 else None
random.seed(seed)
inputs = []

if corpus:
    for p in sorted(glob.glob(os.path.join(corpus, "*"))):
        lit = open(p, "rb").read().split(b"\n", 1)[1].strip().decode()
        if lit.startswith("[]byte(") and lit.endswith(")"):
            try:
                inputs.append(ast.literal_eval("b" + lit[7:-1]))
            except (SyntaxError, ValueError):
                pass  # non-ASCII Go literal; not worth decoding here

DATE_TOKENS = ["Mon,", "Tue", "tuesday,", "14", "1", "31", "0", "-5", "Nov", "nov", "November", "feb", "29",
               "2023", "23", "69", "68", "99", "100", "0001", "10000", "22:13:20", "22:13", "2_2:13:20",
               "22.13.20", "22.13", "25:00:00", "23:59:60", "GMT", "UT", "z", "EST", "pdt", "+0200", "-0530",
               "-0000", "+02", "+2400", "+99999999999999999", "14-Nov-23", "Nov-14-2023", "x,", ",", "2023,",
               "22:13:20,", "+", "-", "E\u017fT", "1e3", "\u00a0", "\t", "\u0661\u0664", "\uff12\uff10\uff12\uff13",
               "\u00b2023", "2\u00b9"]
for _ in range(4000):
    n = random.randint(0, 7)
    seps = [" ", " ", " ", "  ", ",", "\t", ""]
    inputs.append(json.dumps({" d": "".join(random.choice(DATE_TOKENS) + random.choice(seps) for _ in range(n))}).encode())
UUID_TOKENS = ["12345678123456781234567812345678", "1234", "{", "}", "-", "urn:", "uuid:", "0x", "_", "+", " ", "ABCDEF", "abc", "g",
               "\u0661", "\uff11"]
for _ in range(2000):
    inputs.append(json.dumps({" u": "".join(random.choice(UUID_TOKENS) for _ in range(random.randint(0, 6)))}).encode())
B64_TOKENS = ["YQ==", "YWI=", "YWJj", "=", "==", "!", " ", "A", "QQ", "\n", "Zm9v", "\u00e9"]
for _ in range(2000):
    inputs.append(json.dumps({" b": "".join(random.choice(B64_TOKENS) for _ in range(random.randint(0, 5)))}).encode())
LEAVES = ['1', '"ab"', '[]', '[1]', '{}', '{"a":1}', 'null', 'true', '0', '2.5', '{" t":[1]}', '{" b":"YQ=="}',
          '{" m":"x"}', '{" u":"12345678123456781234567812345678"}', '{" d":"14 Nov 2023 22:13:20"}',
          '{" di":{" t__":1}}', '{"x__":1,"y":2}', '""', '"\\u00e9\\ud83d\\ude00"', '"\\ud800"', '"\\udc00x"']
KEYS = [" t", " b", " m", " u", " d", " di", "a", " x", " t__", "\\ud800", "\\udfff"]


def rand_val(depth=0):
    if depth > 3 or random.random() < 0.4:
        return random.choice(LEAVES)
    if random.random() < 0.5:
        return "[" + ",".join(rand_val(depth + 1) for _ in range(random.randint(0, 3))) + "]"
    return "{" + ",".join('"%s":%s' % (random.choice(KEYS), rand_val(depth + 1)) for _ in range(random.randint(1, 3))) + "}"


for _ in range(6000):
    inputs.append(rand_val().encode())

app = Flask("diff")
ser = TaggedJSONSerializer()
fired = set()


class StrictMarkup(TagMarkup):
    """markup-repr: no Markup from a container, bytes or datetime."""

    __slots__ = ()

    def to_python(self, value):
        if isinstance(value, (list, dict, tuple, bytes, datetime.datetime)):
            fired.add("markup-repr")
            raise TypeError("Markup of " + type(value).__name__)
        return super().to_python(value)


model = TaggedJSONSerializer()
model.tags[StrictMarkup.key] = StrictMarkup(model)

# An escaped backslash, a surrogate pair, or a lone surrogate, matched left
# to right as Python's JSON decoder reads escapes.
ESCAPE = re.compile(r"(\\\\)|(\\u[dD][89abAB][0-9a-fA-F]{2}\\u[dD][c-fC-F][0-9a-fA-F]{2})|\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


def no_surrogates(text):
    """surrogate: the text with every lone surrogate escape read as U+FFFD,
    which is what a Go string holds in its place."""

    def fix(m):
        if m.group(1) or m.group(2):
            return m.group(0)
        fired.add("surrogate")
        return "\\ufffd"

    return ESCAPE.sub(fix, text)


def untag_scan(s, v):
    """untag-order: Flask 3's TaggedJSONSerializer._untag_scan."""
    if isinstance(v, dict):
        return s.untag({k: untag_scan(s, x) for k, x in v.items()})
    if isinstance(v, list):
        return [untag_scan(s, x) for x in v]
    return v


def result(load, text):
    try:
        return "OK:" + ser.dumps(load(text)).encode().hex()
    except Exception:  # noqa: BLE001 - any failure is a bad payload to Flask
        return "ERR"


flask3 = int(version("flask").split(".")[0]) >= 3
out = sys.stdout
out.write(json.dumps({"flask": version("flask"), "inputs": len(inputs)}) + "\n")
with app.app_context():
    for data in inputs:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            out.write("%s ERR - -\n" % data.hex())
            continue
        flask = result(ser.loads, text)
        fired.clear()
        modeled = result(lambda s: untag_scan(model, json.loads(no_surrogates(s))), text)
        if not flask3 and result(lambda s: untag_scan(ser, json.loads(s)), text) != flask:
            fired.add("untag-order")
        if modeled == flask:
            modeled = "-"
        out.write("%s %s %s %s\n" % (data.hex(), flask, modeled, ",".join(sorted(fired)) or "-"))
