"""Python side of the flaskrecord tests.

    python3 pyrecord.py gen > golden.json   (Debian's /usr/bin/python3)
        writes the golden vectors: each case's value in the typed form
        below, its pickles (protocols 0 to 5), the record Flask-Session
        0.3.2's RedisSessionInterface.save_session stores for it, and its
        msgpack and JSON records as msgspec writes them.
    python3 pyrecord.py serve
        answers one JSON request per line on stdin (see serve()).

msgspec is not in Debian 12, so its records are made here with
python3-msgpack (msgpack 1.0.3), after turning the values into what
msgspec writes for them (from msgspec 0.18's _core.c and its docs):
tuples and sets are arrays, aware datetimes the timestamp extension -1 at
UTC, naive datetimes, dates and UUIDs their isoformat/canonical strings;
ints in the smallest form, floats always float64, str8 from 32 bytes.
JSON is compact, keys in dict order, only the quote, the backslash and
control characters escaped, floats in msgspec's write_f64 layout, bytes
as padded base64, datetimes as isoformat with Z for UTC.

The typed form keeps Python types apart (JSON alone would merge ints and
floats, tuples and lists):

    {"t": "none"} {"t": "bool", "v": true} {"t": "int", "v": "123"}
    {"t": "float", "v": repr} {"t": "str", "v": "..."}
    {"t": "bytes", "v": base64} {"t": "list"|"tuple", "v": [...]}
    {"t": "dict", "v": [[key, typed], ...]} (pairs, to keep the order)
    {"t": "datetime", "v": isoformat}  (aware: with its offset)
    {"t": "date", "v": "2024-01-02"} {"t": "uuid", "v": 32 hex}
"""
import base64
import datetime as dt
import io
import json
import math
import pickle
import sys
import uuid

UTC = dt.timezone.utc


def to_typed(v):
    if v is None:
        return {"t": "none"}
    if isinstance(v, bool):
        return {"t": "bool", "v": v}
    if isinstance(v, int):
        return {"t": "int", "v": str(v)}
    if isinstance(v, float):
        return {"t": "float", "v": repr(v)}
    if isinstance(v, str):
        return {"t": "str", "v": v}
    if isinstance(v, bytes):
        return {"t": "bytes", "v": base64.b64encode(v).decode()}
    if isinstance(v, list):
        return {"t": "list", "v": [to_typed(x) for x in v]}
    if isinstance(v, tuple):
        return {"t": "tuple", "v": [to_typed(x) for x in v]}
    if isinstance(v, dict):
        return {"t": "dict", "v": [[k, to_typed(x)] for k, x in v.items()]}
    if isinstance(v, dt.datetime):
        return {"t": "datetime", "v": v.isoformat()}
    if isinstance(v, dt.date):
        return {"t": "date", "v": v.isoformat()}
    if isinstance(v, uuid.UUID):
        return {"t": "uuid", "v": v.hex}
    raise TypeError("no typed form for %r" % type(v))


def from_typed(o):
    t, v = o["t"], o.get("v")
    if t == "none":
        return None
    if t in ("bool", "str"):
        return v
    if t == "int":
        return int(v)
    if t == "float":
        return float(v)
    if t == "bytes":
        return base64.b64decode(v)
    if t == "list":
        return [from_typed(x) for x in v]
    if t == "tuple":
        return tuple(from_typed(x) for x in v)
    if t == "dict":
        return {k: from_typed(x) for k, x in v}
    if t == "datetime":
        return dt.datetime.fromisoformat(v)
    if t == "date":
        return dt.date.fromisoformat(v)
    if t == "uuid":
        return uuid.UUID(v)
    raise TypeError(t)


# --- msgspec's records, made with python3-msgpack -------------------------

def for_msgspec(v):
    """The value as msgspec encodes it: what python3-msgpack must pack."""
    import msgpack
    if isinstance(v, dict):
        return {k: for_msgspec(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [for_msgspec(x) for x in v]
    if isinstance(v, dt.datetime):
        if v.tzinfo is None:
            return v.isoformat()
        d = v - dt.datetime(1970, 1, 1, tzinfo=UTC)
        return msgpack.Timestamp(d.days * 86400 + d.seconds, d.microseconds * 1000)
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, uuid.UUID):
        return str(v)
    return v


def msgspec_msgpack(v):
    import msgpack
    return msgpack.packb(for_msgspec(v), use_bin_type=True)


def msgspec_msgpack_loads(b):
    """What msgspec.msgpack.Decoder() gives (timestamps aware, in UTC)."""
    import msgpack
    return msgpack.unpackb(b, raw=False, timestamp=3, strict_map_key=False)


def msgspec_float(f):
    if math.isnan(f) or math.isinf(f):
        return "null"
    sign = "-" if math.copysign(1, f) < 0 else ""
    f = abs(f)
    if f == 0:
        return sign + "0.0"
    s = repr(f)
    m, _, e = s.partition("e")
    e = int(e or 0)
    ip, _, fp = m.partition(".")
    raw = ip + fp
    stripped = raw.lstrip("0")
    kk = len(ip) - (len(raw) - len(stripped)) + e
    d = stripped.rstrip("0") or "0"
    n = len(d)
    k = kk - n
    if 0 <= k and kk <= 16:
        return sign + d + "0" * k + ".0"
    if 0 < kk <= 16:
        return sign + d[:kk] + "." + d[kk:]
    if -5 < kk <= 0:
        return sign + "0." + "0" * -kk + d
    return sign + d[0] + ("." + d[1:] if n > 1 else "") + "e" + str(kk - 1)


def msgspec_json(v):
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return msgspec_float(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, bytes):
        return '"' + base64.b64encode(v).decode() + '"'
    if isinstance(v, dict):
        return "{" + ",".join(msgspec_json(k) + ":" + msgspec_json(x) for k, x in v.items()) + "}"
    if isinstance(v, (list, tuple)):
        return "[" + ",".join(msgspec_json(x) for x in v) + "]"
    if isinstance(v, dt.datetime):
        if v.tzinfo is None:
            return '"' + v.isoformat() + '"'
        s = v.isoformat()
        if v.utcoffset() == dt.timedelta(0):
            s = s[: -len("+00:00")] + "Z"
        return '"' + s + '"'
    if isinstance(v, dt.date):
        return '"' + v.isoformat() + '"'
    if isinstance(v, uuid.UUID):
        return '"' + str(v) + '"'
    raise TypeError(type(v))


# --- Flask-Session 0.3.2 ---------------------------------------------------

class FakeRedis:
    def __init__(self, data=None):
        self.data = dict(data or {})

    def get(self, key):
        return self.data.get(key)

    def setex(self, name, value, time):
        self.data[name] = value

    def delete(self, key):
        self.data.pop(key, None)


def flask_session_032():
    """A Flask app with Flask-Session 0.3.2's Redis interface on a fake Redis."""
    import flask
    import flask_session
    from flask_session.sessions import RedisSessionInterface

    assert flask_session.__version__ == "0.3.2", flask_session.__version__
    app = flask.Flask("flaskrecord")
    app.secret_key = "flaskrecord-test"
    redis = FakeRedis()
    app.session_interface = RedisSessionInterface(redis, "session:")
    return app, redis


def save_032(values):
    """The record 0.3.2's save_session stores for a session of values."""
    app, redis = flask_session_032()
    with app.test_request_context("/"):
        s = app.session_interface.open_session(app, flask.request)
        s.update(values)
        resp = app.response_class()
        app.session_interface.save_session(app, s, resp)
    (key,) = redis.data
    return redis.data[key]


def open_032(record):
    """The session 0.3.2's open_session loads from a record."""
    app, redis = flask_session_032()
    redis.data["session:sid1"] = record
    with app.test_request_context("/", headers={"Cookie": "session=sid1"}):
        s = app.session_interface.open_session(app, flask.request)
        return dict(s)


# --- the golden cases ------------------------------------------------------

def cases():
    hex128 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08" * 2
    aware = dt.datetime(2024, 1, 2, 3, 4, 5, 6, tzinfo=UTC)
    yield "login", {
        "_fresh": True,
        "_id": hex128,
        "_permanent": True,
        "_user_id": "42",
        "csrf_token": "3f786850e387550fdab836ed7e6dc881de23001b",
    }
    yield "flashes", {
        "_flashes": [("message", "Hello"), ("error", "Bad <input>")],
        "_permanent": True,
        "user_id": 7,
    }
    yield "scalars", {"f": False, "n": None, "t": True}
    yield "ints", {
        "a": 0, "b": 127, "c": 128, "d": 255, "e": 256, "f": 65535, "g": 65536,
        "h": -1, "i": -32, "j": -33, "k": -128, "l": -129, "m": -32768, "n": -32769,
        "o": 2**31 - 1, "p": -2**31, "q": 2**31, "r": -2**31 - 1, "s": 2**32 - 1,
        "t": 2**32, "u": 2**63 - 1, "v": -2**63, "w": 2**63, "x": 2**64 - 1,
        "y": 1700000000, "z": 1700000000123,
    }
    yield "floats", {
        "a": 0.0, "b": -0.0, "c": 1.5, "d": 0.1, "e": 100.0, "f": 1e15, "g": 1e16,
        "h": 1e-05, "i": 1e-06, "j": 0.0001, "k": 123456789.123, "l": 1.7976931348623157e308,
        "m": 5e-324, "n": 12345678901234567890.0, "o": -2.5e-07, "p": 1.2345678901234567e-300,
        "q": 3.0e100, "r": 9007199254740993.0,
    }
    yield "strings", {
        "ascii": "hello", "control": "\x00\x01\x1f\"\\/\b\f\n\r\t\x7f", "empty": "",
        "empty2": "", "latin": "\u00e9", "latin2": "\u00e9", "one": "a", "one2": "a",
        "euro": "\u20ac", "emoji": "\U0001F600", "long": "x" * 300, "mixed": "h\u00e9\u20ac\U0001F600",
        "str31": "y" * 31, "str32": "y" * 32, "str255": "z" * 255, "str256": "z" * 256,
        "raw": "back\\slash \\u0041 \\U00000041",
    }
    yield "bytes", {"a": b"", "b": b"", "c": b"\x00", "d": b"\x00", "e": b"\xff\x00abc",
                    "f": bytes(range(256)) * 2}
    yield "containers", {
        "dict": {"x": {"y": {}}, "z": {"a": 1, "b": [1, 2]}},
        "list": [1, [2, [3]], [], [None]],
        "tuples": [(), (1,), (1, 2), (1, 2, 3), (1, 2, 3, 4), ((1,), [2])],
    }
    yield "datetimes", {
        "aware": aware,
        "aware2": aware,
        "naive": dt.datetime(2024, 1, 2, 3, 4, 5, 6),
        "naive_whole": dt.datetime(2024, 1, 2, 3, 4, 5),
        "utc_whole": dt.datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC),
        "date": dt.date(2024, 2, 29),
        "min": dt.datetime(1, 1, 1, tzinfo=UTC),
        "max": dt.datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
        "old": dt.datetime(1969, 12, 31, 23, 59, 59, 500000, tzinfo=UTC),
        "ts64": dt.datetime(2500, 1, 1, tzinfo=UTC),
        "ts96": dt.datetime(2600, 1, 1, 0, 0, 0, 1, tzinfo=UTC),
        "list": [aware, dt.date(2024, 1, 1), dt.datetime(2020, 5, 5)],
    }
    yield "batches", {
        "d1000": {"k%04d" % i: i for i in range(1000)},
        "d1001": {"k%04d" % i: i for i in range(1001)},
        "l1000": list(range(1000)),
        "l1001": list(range(1001)),
        "one": [1],
        "onedict": {"a": 1},
    }
    deep = 0
    for i in range(50):
        deep = [deep]
    yield "deep", {"deep": deep}


# Values that only pickle carries as they are.
def pickle_only_cases():
    yield "bigints", {"a": 2**64, "b": -2**64, "c": 2**70, "d": -2**63 - 1, "e": 10**100,
                      "f": -(10**100), "g": 2**2040, "h": -(2**2047)}
    yield "nonfinite", {"inf": math.inf, "nan": math.nan, "ninf": -math.inf}
    yield "offset", {"t": dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.timezone(dt.timedelta(hours=2, minutes=30)))}
    yield "offset_neg", {"t": dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.timezone(dt.timedelta(hours=-5), "EST"))}


def sorted_dicts(v):
    """The value with every dict's keys sorted, the order Go writes."""
    if isinstance(v, dict):
        return {k: sorted_dicts(v[k]) for k in sorted(v)}
    if isinstance(v, list):
        return [sorted_dicts(x) for x in v]
    if isinstance(v, tuple):
        return tuple(sorted_dicts(x) for x in v)
    return v


def fresh(v):
    """A copy of v that shares no object with another part of it, except
    those CPython always shares (the empty and one-character strs and
    bytes, the empty tuple, timezone.utc): what pickle.loads of a Python
    app's session gives, and so what the Go pickler assumes."""
    if isinstance(v, dict):
        return {fresh(k): fresh(x) for k, x in v.items()}
    if isinstance(v, list):
        return [fresh(x) for x in v]
    if isinstance(v, tuple):
        return tuple(fresh(x) for x in v)
    if isinstance(v, str):
        return "".join(list(v))
    if isinstance(v, bytes):
        return bytes(bytearray(v))
    if isinstance(v, dt.datetime):
        return dt.datetime(v.year, v.month, v.day, v.hour, v.minute, v.second, v.microsecond, v.tzinfo)
    if isinstance(v, dt.date):
        return dt.date(v.year, v.month, v.day)
    return v


BIG = {"batches"}


def gen():
    out = []
    for only_pickle, source in ((False, cases()), (True, pickle_only_cases())):
        for name, value in source:
            value = fresh(sorted_dicts(value))
            # Big cases get protocol 4 only, to keep this file small.
            protocols = (4,) if name in BIG else range(6)
            c = {"name": name, "value": to_typed(value),
                 "pickle": {str(p): pickle.dumps(value, p).hex() for p in protocols}}
            if name in BIG:
                # The Go test builds these values itself (batchesValue).
                del c["value"]
            else:
                c["flask_session_032"] = save_032(value).hex()
                c["flask_session_032_value"] = to_typed(pickle.loads(save_032(value)))
            if not only_pickle:
                mp = msgspec_msgpack(value)
                c["msgpack"] = mp.hex()
                if name not in BIG:
                    c["msgpack_value"] = to_typed(msgspec_msgpack_loads(mp))
                js = msgspec_json(value).encode()
                c["json"] = js.hex()
                if name not in BIG:
                    c["json_value"] = to_typed(json.loads(js))
            out.append(c)
    json.dump({"python": sys.version.split()[0], "pickle_default_protocol": pickle.DEFAULT_PROTOCOL,
               "cases": out}, sys.stdout, separators=(",", ":"))
    sys.stdout.write("\n")


def serve():
    """One JSON request per line, one JSON answer per line:

    {"op": "loads", "hex": h}        pickle.loads: {"value": typed, "redump": hex of pickle.dumps}
    {"op": "open032", "hex": h}      0.3.2's open_session: {"value": typed dict}
    {"op": "dumps", "value": typed}  {"hex": pickle.dumps(value)}
    {"op": "msgpack", "hex": h}      {"value": typed} as msgspec's Decoder would give
    {"op": "json", "hex": h}         {"value": typed} of json.loads
    Errors answer {"error": "..."}.
    """
    for line in sys.stdin:
        req = json.loads(line)
        try:
            op = req["op"]
            if op == "loads":
                v = pickle.loads(bytes.fromhex(req["hex"]))
                ans = {"value": to_typed(v), "redump": pickle.dumps(v).hex()}
            elif op == "open032":
                ans = {"value": to_typed(open_032(bytes.fromhex(req["hex"])))}
            elif op == "dumps":
                ans = {"hex": pickle.dumps(from_typed(req["value"])).hex()}
            elif op == "msgpack":
                ans = {"value": to_typed(msgspec_msgpack_loads(bytes.fromhex(req["hex"])))}
            elif op == "json":
                ans = {"value": to_typed(json.loads(bytes.fromhex(req["hex"])))}
            else:
                raise ValueError("unknown op " + op)
        except Exception as e:  # the Go test reports it
            ans = {"error": "%s: %s" % (type(e).__name__, e)}
        sys.stdout.write(json.dumps(ans) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    if sys.argv[1:] == ["gen"]:
        import flask  # noqa: F401  (save_032 and open_032 use it)
        gen()
    elif sys.argv[1:] == ["serve"]:
        try:
            import flask  # noqa: F401
        except ImportError:
            pass
        serve()
    else:
        sys.exit("usage: pyrecord.py gen|serve")
