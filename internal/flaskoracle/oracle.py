"""Real-Flask oracle for the Go tests of github.com/ginflask/flasksession.

Run as a program, it speaks JSON lines: one request object per line on stdin,
one response object per line on stdout, in order. The first line it writes,
unasked, is the "hello" response (or a "missing" error when Flask cannot be
imported). testdata/gen_vectors.py imports it as a module for the same helpers.

Requests ("key" and "fallbacks" are standard base64 of the raw key bytes;
fallbacks are ordered oldest first, like SECRET_KEY_FALLBACKS; "now" is unix
seconds; "max_age" is seconds or null for no age check):

  {"op":"hello"}
  {"op":"mint", "session":TYPED_DICT, "key":B64, "fallbacks":[B64...], "now":N}
      -> {"ok":true, "cookie":"..."}
  {"op":"load", "cookie":"...", "key":B64, "fallbacks":[...], "now":N, "max_age":M}
      -> {"ok":true, "session":TYPED_DICT}
  {"op":"dumps", "value":TYPED}       Flask's tagged JSON text, inside an app context
      -> {"ok":true, "text":"..."}
  {"op":"loads", "text":"..."}        Flask's tagged JSON loader
      -> {"ok":true, "value":TYPED}

Errors: {"ok":false, "error":EXCEPTION_CLASS_NAME, "bases":[names along the MRO],
"kind":"bad_signature"|"expired"|"bad_payload"|"error", "message":"..."}.
"kind" follows what a cookie codec reports: SignatureExpired -> expired, other
BadSignature -> bad_signature, BadPayload or a payload that dict() refuses
(a JSON list, number...) -> bad_payload, anything else -> error.

The TYPED interchange form keeps Python types apart so Go can compare exactly:

  {"t":"none"}                      None
  {"t":"bool","v":true}             bool
  {"t":"int","v":"18446744073709551616"}   int, decimal text (any size)
  {"t":"float","v":"1e-05"}         float, Python repr ("nan", "inf", "-inf" too)
  {"t":"str","v":"..."}             str
  {"t":"bytes","v":"<std base64, padded>"}
  {"t":"tuple","v":[TYPED...]}      tuple
  {"t":"list","v":[TYPED...]}       list
  {"t":"dict","v":{"k":TYPED}}      dict (str keys)
  {"t":"markup","v":"..."}          markupsafe.Markup
  {"t":"uuid","v":"<32 lowercase hex>"}
  {"t":"datetime","v":N}            aware datetime, unix seconds (no microseconds)

Time is frozen: FrozenSigner.get_timestamp() returns CLOCK[0], which both
signing and the max-age check read.
"""

import base64
import calendar
import datetime
import json
import sys
import traceback
import uuid

try:
    import flask
    from flask import Flask
    from flask.sessions import SecureCookieSessionInterface
    from itsdangerous import (
        BadData,
        BadPayload,
        BadSignature,
        SignatureExpired,
        TimestampSigner,
        URLSafeTimedSerializer,
    )
    from markupsafe import Markup

    IMPORT_ERROR = None
except ImportError as e:  # reported to Go, which skips the test
    IMPORT_ERROR = e

CLOCK = [0]

HAS_FALLBACKS = IMPORT_ERROR is None and "SECRET_KEY_FALLBACKS" in Flask.default_config

if IMPORT_ERROR is None:

    class FrozenSigner(TimestampSigner):
        """A TimestampSigner whose clock is CLOCK[0]."""

        def get_timestamp(self):
            return CLOCK[0]

    class FrozenSessionInterface(SecureCookieSessionInterface):
        """Flask's own session interface with the frozen signer.

        Flask < 3.1 has no SECRET_KEY_FALLBACKS; there the key list is built
        the way Flask >= 3.1.1 builds it (fallbacks + [SECRET_KEY]), which
        itsdangerous >= 2.0 supports.
        """

        def get_signing_serializer(self, app):
            fallbacks = app.config.get("SECRET_KEY_FALLBACKS")
            if fallbacks and not HAS_FALLBACKS:
                if not app.secret_key:
                    return None
                s = URLSafeTimedSerializer(
                    list(fallbacks) + [app.secret_key],
                    salt=self.salt,
                    serializer=self.serializer,
                    signer_kwargs={
                        "key_derivation": self.key_derivation,
                        "digest_method": self.digest_method,
                    },
                )
            else:
                s = super().get_signing_serializer(app)
            if s is not None:
                s.signer = FrozenSigner
            return s


def versions():
    from importlib.metadata import version

    return {
        "python": sys.version.split()[0],
        "executable": sys.executable,
        "flask": version("flask"),
        "itsdangerous": version("itsdangerous"),
        "werkzeug": version("werkzeug"),
        "native_fallbacks": HAS_FALLBACKS,
    }


def make_app(key, fallbacks=(), max_age=31 * 24 * 3600, name="flaskoracle"):
    """A Flask app with the frozen session interface."""
    app = Flask(name)
    app.secret_key = key
    app.config["SECRET_KEY_FALLBACKS"] = list(fallbacks) or None
    if max_age is not None:
        app.config["PERMANENT_SESSION_LIFETIME"] = datetime.timedelta(seconds=max_age)
    app.session_interface = FrozenSessionInterface()
    return app


def mint(app, session, now):
    """The cookie value Flask's save_session would write at unix time now."""
    CLOCK[0] = now
    with app.app_context():
        s = app.session_interface.get_signing_serializer(app)
        return s.dumps(dict(session))


def load(app, cookie, now, max_age):
    """What Flask's open_session does, but raising instead of swallowing errors.

    max_age None skips the age check (Flask itself always passes one).
    """
    CLOCK[0] = now
    with app.app_context():
        s = app.session_interface.get_signing_serializer(app)
        data = s.loads(cookie, max_age=max_age)
        try:
            return app.session_interface.session_class(data)
        except (TypeError, ValueError) as e:
            raise NotADict(e) from e


class NotADict(Exception):
    """The payload verified but is not something dict() accepts (Flask: HTTP 500)."""

    def __init__(self, cause):
        super().__init__(f"{type(cause).__name__}: {cause}")
        self.cause = cause


def error_kind(e):
    if isinstance(e, NotADict):
        return "bad_payload"
    if IMPORT_ERROR is None:
        if isinstance(e, SignatureExpired):
            return "expired"
        if isinstance(e, BadSignature):
            return "bad_signature"
        if isinstance(e, BadPayload):
            return "bad_payload"
    return "error"


def error_name(e):
    return type(e.cause).__name__ if isinstance(e, NotADict) else type(e).__name__


def to_typed(v):
    """Python value -> TYPED form (see the module doc)."""
    if v is None:
        return {"t": "none"}
    if isinstance(v, bool):
        return {"t": "bool", "v": v}
    if isinstance(v, int):
        return {"t": "int", "v": str(v)}
    if isinstance(v, float):
        return {"t": "float", "v": repr(v)}
    if hasattr(v, "__html__"):
        return {"t": "markup", "v": str(v.__html__())}
    if isinstance(v, str):
        return {"t": "str", "v": v}
    if isinstance(v, bytes):
        return {"t": "bytes", "v": base64.b64encode(v).decode("ascii")}
    if isinstance(v, tuple):
        return {"t": "tuple", "v": [to_typed(x) for x in v]}
    if isinstance(v, list):
        return {"t": "list", "v": [to_typed(x) for x in v]}
    if isinstance(v, dict):
        out = {}
        for k, x in v.items():
            if not isinstance(k, str):
                raise TypeError(f"dict key {k!r} is not a str")
            out[k] = to_typed(x)
        return {"t": "dict", "v": out}
    if isinstance(v, uuid.UUID):
        return {"t": "uuid", "v": v.hex}
    if isinstance(v, datetime.datetime):
        if v.tzinfo is None:
            raise TypeError(f"naive datetime {v!r}")
        if v.microsecond:
            raise TypeError(f"datetime with microseconds {v!r}")
        return {"t": "datetime", "v": calendar.timegm(v.utctimetuple())}
    raise TypeError(f"no typed form for {type(v).__name__}")


def from_typed(t):
    """TYPED form -> Python value."""
    kind = t["t"]
    v = t.get("v")
    if kind == "none":
        return None
    if kind == "bool":
        return bool(v)
    if kind == "int":
        return int(v)
    if kind == "float":
        return float(v)
    if kind == "str":
        return v
    if kind == "bytes":
        return base64.b64decode(v, validate=True)
    if kind == "tuple":
        return tuple(from_typed(x) for x in v)
    if kind == "list":
        return [from_typed(x) for x in v]
    if kind == "dict":
        return {k: from_typed(x) for k, x in v.items()}
    if kind == "markup":
        return Markup(v)
    if kind == "uuid":
        return uuid.UUID(hex=v)
    if kind == "datetime":
        return datetime.datetime.fromtimestamp(int(v), datetime.timezone.utc)
    raise ValueError(f"unknown typed kind {kind!r}")


def _keys(req):
    key = base64.b64decode(req["key"])
    fallbacks = [base64.b64decode(k) for k in req.get("fallbacks") or []]
    return key, fallbacks


_apps = {}


def _app(key, fallbacks, max_age=None):
    k = (key, tuple(fallbacks), max_age)
    app = _apps.get(k)
    if app is None:
        if len(_apps) > 256:
            _apps.clear()
        app = _apps[k] = make_app(key, fallbacks, max_age)
    return app


_tagger_app = []


def _json_app():
    if not _tagger_app:
        _tagger_app.append(Flask("flaskoracle-json"))
    return _tagger_app[0]


def handle(req):
    op = req.get("op")
    if op == "hello":
        return dict(ok=True, **versions())
    if op == "mint":
        key, fallbacks = _keys(req)
        session = from_typed(req["session"])
        if not isinstance(session, dict):
            raise TypeError("session must be a dict")
        return {"ok": True, "cookie": mint(_app(key, fallbacks), session, int(req["now"]))}
    if op == "load":
        key, fallbacks = _keys(req)
        max_age = req.get("max_age")
        max_age = None if max_age is None else int(max_age)
        sess = load(_app(key, fallbacks), req["cookie"], int(req["now"]), max_age)
        return {"ok": True, "session": to_typed(dict(sess))}
    if op == "dumps":
        from flask.sessions import session_json_serializer

        with _json_app().app_context():
            return {"ok": True, "text": session_json_serializer.dumps(from_typed(req["value"]))}
    if op == "loads":
        from flask.sessions import session_json_serializer

        with _json_app().app_context():
            return {"ok": True, "value": to_typed(session_json_serializer.loads(req["text"]))}
    raise ValueError(f"unknown op {op!r}")


def error_response(e):
    ex = e.cause if isinstance(e, NotADict) else e
    return {
        "ok": False,
        "error": error_name(e),
        "bases": [c.__name__ for c in type(ex).__mro__ if c not in (object, BaseException)],
        "kind": error_kind(e),
        "message": str(e),
    }


def main():
    out = sys.stdout
    if IMPORT_ERROR is not None:
        out.write(json.dumps({"ok": False, "error": "missing", "kind": "missing",
                              "message": f"{IMPORT_ERROR} (python {sys.executable})"}) + "\n")
        out.flush()
        return 3
    out.write(json.dumps(handle({"op": "hello"})) + "\n")
    out.flush()
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            resp = handle(json.loads(line))
        except Exception as e:  # every failure is an answer, never a crash
            resp = error_response(e)
            if resp["kind"] == "error":
                resp["traceback"] = traceback.format_exc(limit=6)
        out.write(json.dumps(resp) + "\n")
        out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
