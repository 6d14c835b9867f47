"""Generate known answers from real Flask for the taggedjson Go tests.

Run with Flask installed (checked with Flask 3.1.3 and Debian's Flask 2.2.2):

    python3 taggedjson/testdata/flask_vectors.py | gofmt > taggedjson/vectors_test.go
    /usr/bin/python3 taggedjson/testdata/flask_vectors.py | gofmt | diff - taggedjson/vectors_test.go

(The two differ in exception names in comments, and on the three inputs
where a failing tagged value is replaced by a later duplicate key: Flask 2.2
untags while parsing and fails, Flask 3 and this package do not.)

The Go tests never call Python; they compare against the generated file.
"""
import math
import sys
import uuid
from datetime import datetime, timedelta, timezone

from flask import Flask
from flask.json.tag import TaggedJSONSerializer
from markupsafe import Markup

app = Flask("vectors")
ser = TaggedJSONSerializer()
U = uuid.UUID("12345678-1234-5678-1234-567812345678")
UTC = timezone.utc

# name -> Python value; the Go test has a Go value under the same name.
DUMPS = {
    "none": None,
    "true": True,
    "false": False,
    "empty_str": "",
    "str": "hello",
    "str_quote_backslash": 'a"b\\c',
    "str_short_escapes": "\n\r\t\b\f",
    "str_controls": "\x00\x01\x1f\x7f",
    "str_not_escaped": "/<>&'",
    "str_latin1": "\u00e9",
    "str_line_sep": "\u2028",
    "str_astral": "\U0001F600",
    "str_cjk": "\u65e5\u672c\u8a9e",
    "str_ffff": "\uffff\ufffd",
    "int_0": 0,
    "int_neg": -1,
    "int_255": 255,
    "int_256": 256,
    "int_max64": 2**63 - 1,
    "int_min64": -(2**63),
    "int_2_64": 2**64,
    "int_neg_2_70": -(2**70),
    "float_1e-05": 1e-05,
    "float_0.0001": 0.0001,
    "float_1e16": 1e16,
    "float_9999999999999998": 9999999999999998.0,
    "float_1e15": 1e15,
    "float_1e22": 1e22,
    "float_5e-324": 5e-324,
    "float_max": 1.7976931348623157e308,
    "float_neg_zero": -0.0,
    "float_zero": 0.0,
    "float_2": 2.0,
    "float_0.1": 0.1,
    "float_third": 1 / 3,
    "float_1.2345678901234568e17": 123456789012345678.0,
    "float_1.5e-7": 1.5e-7,
    "float_100": 100.0,
    "float_12345.678": 12345.678,
    "float_neg_small": -0.00012,
    "float_nan": math.nan,
    "float_inf": math.inf,
    "float_neg_inf": -math.inf,
    "list_empty": [],
    "list": [1, "a", None, True, 2.5],
    "dict_empty": {},
    "tuple": (1, "a", None),
    "tuple_empty": (),
    "tuple_nested": ((1, 2), [3, (4,)]),
    "bytes_empty": b"",
    "bytes": b"ab",
    "bytes_3": b"abc",
    "bytes_bin": b"\x00\xff\xfe",
    "markup": Markup("<b>x</b> & y"),
    "markup_empty": Markup(""),
    "uuid": U,
    "uuid_nil": uuid.UUID(int=0),
    "datetime": datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC),
    "datetime_micro": datetime(2023, 11, 14, 22, 13, 20, 999999, tzinfo=UTC),
    "datetime_min": datetime(1, 1, 1, tzinfo=UTC),
    "datetime_max": datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC),
    "datetime_year99": datetime(99, 3, 4, 5, 6, 7, tzinfo=UTC),
    "datetime_plus2": datetime(2023, 11, 15, 0, 13, 20, tzinfo=timezone(timedelta(hours=2))),
    "key_order": {"b": 1, "\u00e9": 1, "a1": 1, "_x": 1, "": 1, "B": 1, "a": 1, "A1": 1},
    "key_order_astral": {"\U0001F600": 1, "\uffff": 2, "z": 3},
    "di_tuple_key": {" t": "not-a-tuple"},
    "di_di_key": {" di": "not-a-dict"},
    "di_not_tag": {" t__": "x"},
    "di_two_keys": {" t": 1, "x": 2},
    "di_nested": {" t": {" t": (1,)}},
    "di_other": {" x": 1},
    "di_every_tag": [{" b": 1}, {" m": 2}, {" u": 3}, {" d": 4}],
    "di_markup_value": {" m": Markup("<i>")},
    "flashes": {"_flashes": [("message", "Hello"), ("error", "Bad")]},
    "session": {"username": "alice", "user_id": 42, "roles": ["admin", "editor"],
                "csrf_token": "0123456789abcdef0123456789abcdef01234567", "login_at": 1700000000},
    "nested": {"cart": [{"id": 1, "price": 9.99, "tags": ("a",)}],
               "user": {"name": "Bob", "seen": datetime(2020, 1, 2, 3, 4, 5, tzinfo=UTC),
                        "ids": [U]}},
    "int_keys": {2: "a", 10: "b", -1: "c"},
}

# JSON texts to load; the Go test checks Marshal(Unmarshal(text)) against
# Flask's dumps(loads(text)), or that both fail.
LOADS = [
    b'{}', b'[]', b'null', b'2', b'2.0', b'-0', b'-0.0', b'1E400', b'-1e400', b'1e-400',
    b'[1.5e300,1e-7,0.5,123456789012345678901234567890]', b'NaN', b'Infinity', b'-Infinity',
    b'  {"a" : 1 ,\n\t"b":[ 1 , 2 ] }\r\n', b'{"a":1,"a":2}', b'{"b":1,"a":2,"b":3}',
    b'"\\u00e9\\u00E9"', b'"\\ud83d\\ude00"', b'"\\/\\"\\\\\\b\\f\\n\\r\\t"',
    '"\u00e9\U0001F600\u65e5"'.encode(), b'{"\\u00e9":1,"e":2}',
    b'{" t":[1,"a"]}', b'{" t":"abc"}', '{" t":"a\u00e9\U0001F600"}'.encode(),
    b'{" t":{"b":1,"a":2}}', b'{" t":{"b":1,"a":2,"b":3}}', b'{" t":{}}',
    b'{" t":{" di":{"ab__":1}}}', b'{" t":{" b":"YWI="}}', b'{" t":{" m":"ab"}}',
    b'{" t":{" t":[1]}}', b'{" t":5}', b'{" t":null}', b'{" t":[1]," t":[2]}', b'{" t":[1],"x":1}',
    b'{" t":{" u":"12345678123456781234567812345678"}}', b'{" t":true}',
    b'{" b":""}', b'{" b":"YWI="}', b'{" b":"!!YQ=="}', b'{" b":"YQ"}', b'{" b":"Y"}', b'{" b":"YQ=x="}',
    b'{" b":"Y=Q=="}', b'{" b":"YWI=YQ=="}', '{" b":"\u00e9"}'.encode(), b'{" b":5}', b'{" b":null}',
    b'{" b":{" b":"WVE9PQ=="}}', b'{" b":{" m":"YQ=="}}', b'{" b":["YQ=="]}',
    b'{" m":"<b>"}', b'{" m":5}', b'{" m":null}', b'{" m":true}', b'{" m":false}', b'{" m":2.5}',
    b'{" m":1e100}', b'{" m":NaN}', b'{" m":-Infinity}', b'{" m":{" m":"x"}}', b'{" m":123456789012345678901234567890}',
    b'{" m":{" u":"12345678123456781234567812345678"}}',
    b'{" u":"12345678123456781234567812345678"}', b'{" u":"12345678-1234-5678-1234-567812345678"}',
    b'{" u":"{12345678-1234-5678-1234-567812345678}"}', b'{" u":"urn:uuid:12345678-1234-5678-1234-567812345678"}',
    b'{" u":"12345678123456781234567812ABCDEF"}', b'{" u":"0x111111111111111111111111111111"}',
    b'{" u":"0x_11111111111111111111111111111"}', b'{" u":"+1111111111111111111111111111111"}',
    b'{" u":" 111111111111111111111111111111\\t"}', b'{" u":"1_11111111111111111111111111111"}',
    b'{" u":"1__1111111111111111111111111111"}', b'{" u":"urn:urn:uuid:12345678123456781234567812345678"}',
    b'{" u":"-0000000000000000000000000000000"}', b'{" u":"nope"}', b'{" u":5}', b'{" u":null}',
    b'{" u":"1234567812345678123456781234567g"}', b'{" u":{" m":"12345678123456781234567812345678"}}',
    b'{" d":"Tue, 14 Nov 2023 22:13:20 GMT"}', b'{" d":"garbage"}', b'{" d":"Tue, 14 Nov 2023 22:13:20 +0200"}',
    b'{" d":"Tue, 14 Nov 2023 22:13:20 -0530"}', b'{" d":"14 Nov 2023 22:13:20"}', b'{" d":""}', b'{" d":"  "}',
    b'{" d":0}', b'{" d":0.0}', b'{" d":false}', b'{" d":5}', b'{" d":true}', b'{" d":null}', b'{" d":[]}',
    b'{" d":[1]}', b'{" d":{}}', b'{" d":{"a":1}}', b'{" d":{" b":"YQ=="}}', b'{" d":{" b":""}}', b'{" d":{" t":[]}}',
    b'{" d":"Mon, 01 Jan 10000 00:00:00 GMT"}', b'{" d":"Mon, 01 Jan 0001 00:00:00 GMT"}',
    b'{" d":"Mon, 01 Jan 0001 00:00:00 +0100"}', b'{" d":"Fri, 31 Dec 9999 23:59:59 -0100"}',
    b'{" d":"Tuesday, 14-Nov-23 22:13:20 GMT"}', b'{" d":"Tue Nov 14 22:13:20 2023"}', b'{" d":"Tue,14 Nov 2023 22:13:20 GMT"}',
    b'{" d":"14 Nov 23 22:13 EST"}', b'{" d":"14 Nov 69 22:13:20 PDT"}', b'{" d":"14 nov 68 22.13.20 z"}',
    b'{" d":"Nov 14 2023 22:13:20"}', b'{" d":"14 November 2023 22:13:20 +0000"}', b'{" d":"14 Nov 2023 22:13:20 -0000"}',
    b'{" d":"14 Nov 2023 22:13:20 +2400"}', b'{" d":"14 Nov 2023 22:13:20 +2360"}', b'{" d":"14 Nov 2023 22:13:20 +9999999999999"}',
    b'{" d":"14 Nov 2023 22:13:20 +99999999999999999999"}', b'{" d":"14 Nov 99999999999 22:13:20"}',
    b'{" d":"14 Nov 2147483647 22:13:20"}', b'{" d":"14 Nov 2023 22:13:60"}', b'{" d":"29 Feb 2023 22:13:20"}',
    b'{" d":"29 Feb 2024 22:13:20"}', b'{" d":"14 Nov 2023 2_2:13:20"}', b'{" d":"14 Nov 2023 22:13:20 E\\u017fT"}',
    b'{" d":"14 Nov 2023 22:13:20 E\\ufb06"}', b'{" d":"14 Nov -5 22:13:20"}', b'{" d":"14 Nov 2023, 22:13:20"}',
    b'{" d":"Nov, 14 2023 22:13:20"}', b'{" d":"Tue, 14 Nov 2023 22:13:20 +02"}', b'{" d":"14 Nov 2023 22:13:20+0200"}',
    b'{" d":"14 Nov 2023 22:13"}', b'{" d":"14 Nov 2023 22:13:20:1"}', b'{" d":"x,14 Nov 2023 22:13:20 UT"}',
    b'{" d":"14-Nov-2023 22:13:20 GMT"}', b'{" d":"2023 Nov 14 22:13:20 GMT"}', b'{" d":"14 Nov 2023 22:13:20 +0200 extra"}',
    b'{" d":"14 Nov 2023 22:13:20 +99999999999999999"}', b'{" d":"14 Nov 2023 22:13:20 -2400"}',
    b'{" d":"14 Nov 2023 22:13:20 -1000000000000"}', b'{" d":{" m":"14 Nov 2023 22:13:20"}}',
    b'{" di":{" t__":"x"}}', b'{" di":"str"}', b'{" di":{}}', b'{" di":{"abc":1,"x":2}}', b'{" di":{"\\u00e9":1}}',
    b'{" di":{"ab\\u00e9x":1}}', b'{" di":{" di":{"ab__":1}}}', b'{" di":[1]}', b'{" di":null}', b'{" di":{"a":1,"a":2}}',
    b'{" di":{"x":1,"ab":2,"x":3}}', b'{" di":{" t":[1]}}', b'{" di":{" b":""}}',
    b'{" di":{" di__":{" di":{" t__":{" t":[1]}}}}}', b'{" x":1}', b'{" t":1,"x":2}', b'{"a":{" t":[1]}}',
    b'[{" t":[]},{" b":"AA=="}]', b'{" t":[{" t":[{" m":"x"}]}]}',
    # A failing tagged value replaced by a later duplicate key: fine in Flask 3, an error in 2.2.
    b'{"a":{" u":5},"a":1}', b'{" t":{" u":5}," t":[1]}', b'[{"a":{" b":"Y"},"a":2},{" u":5}]',
    # errors
    b'', b' ', b'{"a":1,}', b'[1,]', b'01', b'1.', b'.5', b'"\\x"', b'"abc', b"{'a':1}", b'nul', b'{"a" 1}',
    b'"a\x01b"', b'\xef\xbb\xbf{}', b'"\xff"', b'{"a":"\xc3"}', b'-', b'Infinityx', b'[1 2]', b'{"a":1 "b":2}',
    b'{1:2}', b'[', b'{', b'"\\u12"', b'"\\u12g4"', b'"\\ud800\\u12g4"', b'1' * 4301, b'-' + b'1' * 4300, b'1' * 4300,
    b'tru', b'NaNa', b'[-]', b'1e', b'1e+', b'-01', b'"\x7f"', b'\x00',
]


def go_quote(data: bytes) -> str:
    text = data.decode("latin-1")
    if all(0x20 <= b < 0x7F for b in data) and "`" not in text:
        return "`" + text + "`"
    out = []
    for b in data:
        if 0x20 <= b < 0x7F and b not in (0x22, 0x5C):
            out.append(chr(b))
        elif b == 0x22:
            out.append('\\"')
        elif b == 0x5C:
            out.append("\\\\")
        else:
            out.append("\\x%02x" % b)
    return '"' + "".join(out) + '"'


def main() -> None:
    w = sys.stdout.write
    w("// Code generated by testdata/flask_vectors.py from real Flask; DO NOT EDIT.\n\n")
    w("package taggedjson\n\n")
    w("// flaskDumps maps a test name to TaggedJSONSerializer().dumps(value) inside an app context.\n")
    w("var flaskDumps = map[string]string{\n")
    with app.app_context():
        for name, value in DUMPS.items():
            w("\t%s: %s,\n" % (go_quote(name.encode()), go_quote(ser.dumps(value).encode())))
    w("}\n\n")
    w("// flaskLoads lists inputs with dumps(loads(input)), or ok=false where Flask raises.\n")
    w("var flaskLoads = []struct {\n\tin, out string\n\tok      bool\n}{\n")
    with app.app_context():
        for data in LOADS:
            try:
                out = ser.dumps(ser.loads(data.decode("utf-8")))
                w("\t{%s, %s, true},\n" % (go_quote(data), go_quote(out.encode())))
            except Exception as e:  # noqa: BLE001 - any failure is a bad payload in Flask
                w("\t{%s, \"\", false}, // %s\n" % (go_quote(data), type(e).__name__))
    w("}\n")


main()
