#!/usr/bin/env python3
"""Known-answer vectors for Flask session cookies, minted and checked by real Flask.

Usage (from the repository root or anywhere):

    python3 testdata/gen_vectors.py            # regenerate testdata/vectors.json
    python3 testdata/gen_vectors.py --check    # exit 1 if the file is stale
    PY testdata/gen_vectors.py --emit          # one witness: print the JSON

The default modes run the --emit mode under BOTH witnesses, `python3` from PATH
(Flask 3.1) and `/usr/bin/python3` (Debian's Flask 2.2), and stop with an error
unless their outputs are byte-identical. --check regenerates the file in memory
and compares it with the one on disk, naming the first vector that differs.
Options: --witnesses PY1,PY2 (interpreters, in that order) and --file PATH
(the file to write or check); internal/flaskoracle's TestVectorsCurrent runs
--check with both. Time is frozen (a TimestampSigner whose
get_timestamp() is a constant) and cookies are minted inside app.app_context(),
as Flask's save_session does, so keys are sorted.

Each vector:

  name        unique name
  secret_key  SECRET_KEY (a str; Flask uses its UTF-8 bytes)
  fallbacks   SECRET_KEY_FALLBACKS, oldest first (emulated on Flask 2.2 with
              itsdangerous's key list, the way Flask >= 3.1.1 builds it)
  now         unix seconds at which the cookie is loaded
  max_age     seconds (PERMANENT_SESSION_LIFETIME), the age check on load
  cookie      the cookie value
  compressed  the payload is zlib-compressed (the value starts with ".")
  expect      "ok" | "bad_signature" | "expired" | "bad_payload": what a codec
              should report (itsdangerous's classes; a verified payload that is
              not a JSON object counts as bad_payload)
  session     (expect "ok") the loaded session in the TYPED form below
  flask       what a real Flask app does with the cookie, checked through its
              test client: "session" (loads it), "empty" (empty session) or
              "500" (the exception escapes)
  python_error  (not ok) the exception itsdangerous/Flask raised on load
  signed_at   (minted by Flask from `session`) the signing time, unix seconds
  signing_key (idem) the key that signed it
  byte_exact  true when the cookie is Flask's canonical, uncompressed encoding of
              `session` by signing_key at signed_at: a codec must reproduce it
              byte for byte
  note        optional remark

TYPED form (shared with internal/flaskoracle, whose oracle.py defines it):
  {"t":"none"} {"t":"bool","v":true} {"t":"int","v":"18446744073709551616"}
  {"t":"float","v":"1e-05"} (Python repr) {"t":"str","v":"..."}
  {"t":"bytes","v":"<std base64>"} {"t":"tuple","v":[...]} {"t":"list","v":[...]}
  {"t":"dict","v":{"k":TYPED}} {"t":"markup","v":"..."} {"t":"uuid","v":"<hex>"}
  {"t":"datetime","v":<unix seconds>}
"""

import base64
import datetime
import hashlib
import json
import os
import subprocess
import sys
import uuid
import zlib

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "internal", "flaskoracle"))

WITNESSES = ["python3", "/usr/bin/python3"]
OUT = os.path.join(HERE, "vectors.json")

KEY = "dev-secret-key-for-vectors"
T0 = 1700000000  # 2023-11-14 22:13:20 UTC
DAY = 24 * 3600
MAX_AGE = 31 * DAY


def emit():
    import oracle  # noqa: E402  (needs sys.path above)
    from itsdangerous import Signer, base64_encode
    from markupsafe import Markup

    if oracle.IMPORT_ERROR is not None:
        raise SystemExit(f"gen_vectors: Flask missing under {sys.executable}: {oracle.IMPORT_ERROR}")

    UTC = datetime.timezone.utc
    vectors = []

    def b64(b):
        return base64_encode(b).decode("ascii")

    def mint(session, key=KEY, at=T0):
        return oracle.mint(oracle.make_app(key), session, at)

    def sign_raw(payload, key=KEY, at=T0, derivation="hmac", salt="cookie-session",
                 digest=hashlib.sha1, timestamp=True):
        """Sign an arbitrary payload string the way the cookie signer would."""
        cls = oracle.FrozenSigner if timestamp else Signer
        oracle.CLOCK[0] = at
        s = cls(key, salt=salt, key_derivation=derivation, digest_method=digest)
        return s.sign(payload).decode("ascii")

    def flip(cookie, part):
        """Change the first character of a dot-separated part (0 payload, 1 ts, 2 sig)."""
        lead = "." if cookie.startswith(".") else ""
        parts = cookie[len(lead):].split(".")
        c = parts[part]
        parts[part] = ("A" if c[0] != "A" else "B") + c[1:]
        return lead + ".".join(parts)

    def add(name, cookie, expect, *, flask, key=KEY, fallbacks=(), now=T0 + 10,
            max_age=MAX_AGE, session=None, signed_at=None, signing_key=None,
            canonical=False, note=None, check_session=True, python_outcome=None):
        v = {
            "name": name,
            "secret_key": key,
            "fallbacks": list(fallbacks),
            "now": now,
            "max_age": max_age,
            "cookie": cookie,
            "compressed": cookie.startswith("."),
            "expect": expect,
            "flask": flask,
        }
        app = oracle.make_app(key, fallbacks, max_age, name="vectors")
        # 1. the serializer, as open_session calls it
        try:
            loaded = oracle.load(app, cookie, now, max_age)
            outcome, err = "ok", None
        except Exception as e:
            outcome, err = oracle.error_kind(e), oracle.error_name(e)
        if outcome != (python_outcome or expect):
            raise AssertionError(f"{name}: expected {expect}, Flask's serializer gave {outcome} ({err})")
        if outcome == "ok":
            typed = oracle.to_typed(dict(loaded))
            if session is not None and typed != oracle.to_typed(session):
                raise AssertionError(f"{name}: loaded {typed} != minted {oracle.to_typed(session)}")
            if check_session and expect == "ok":
                v["session"] = typed
        else:
            v["python_error"] = err
        # 2. a real app through its test client
        status, seen = http_load(app, cookie, now)
        if flask == "500":
            good = status == 500
        elif flask == "empty":
            good = status == 200 and seen == {"t": "dict", "v": {}}
        else:
            good = status == 200 and (not check_session or seen == v["session"])
        if not good:
            raise AssertionError(f"{name}: expected Flask to give {flask}, test client gave "
                                 f"{status} {str(seen)[:200]}")
        if signed_at is not None:
            v["signed_at"] = signed_at
            v["signing_key"] = signing_key if signing_key is not None else key
        v["byte_exact"] = bool(canonical and expect == "ok" and not v["compressed"])
        if note:
            v["note"] = note
        vectors.append(v)

    def ok(name, session, *, key=KEY, fallbacks=(), signing_key=None, at=T0, age=10,
           max_age=MAX_AGE, note=None):
        sk = signing_key if signing_key is not None else key
        cookie = mint(session, sk, at)
        add(name, cookie, "ok", flask="session", key=key, fallbacks=fallbacks, now=at + age,
            max_age=max_age, session=session, signed_at=at, signing_key=sk, canonical=True,
            note=note)

    # ---- values and tags -------------------------------------------------
    ok("empty", {})
    ok("simple_str", {"user": "alice"})
    ok("simple_int", {"user_id": 42})
    ok("bool_none", {"a": True, "b": False, "c": None})
    ok("tuple", {"t": (1, 2, 3)})
    ok("tuple_empty", {"t": ()})
    ok("tuple_nested", {"t": ((1,), [2, (3, "x")], {"k": ()})})
    ok("list_of_tuples", {"l": [(1, 2), (3, 4)]})
    ok("bytes_ff", {"b": b"\xff"})
    ok("bytes_empty", {"b": b""})
    ok("bytes_padding", {"b1": b"a", "b2": b"ab", "b3": b"abc", "b4": b"\x00\x01\xfe"})
    ok("bytes_all", {"b": bytes(range(256))})
    ok("markup", {"m": Markup("<em>hi & bye</em>")})
    ok("markup_unicode", {"m": Markup("<b>caf\u00e9 \U0001F600</b>")})
    ok("uuid", {"u": uuid.UUID("12345678-1234-5678-1234-567812345678")})
    ok("uuid_zero", {"u": uuid.UUID(int=0)})
    ok("datetime", {"d": datetime.datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)})
    ok("datetime_single_digit_day", {"d": datetime.datetime(2024, 2, 5, 3, 4, 5, tzinfo=UTC)})
    ok("datetime_pre_epoch", {"d": datetime.datetime(1969, 7, 20, 20, 17, 40, tzinfo=UTC)})
    ok("datetime_far", {"d": datetime.datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)})
    ok("datetime_epoch", {"d": datetime.datetime(1970, 1, 1, tzinfo=UTC)})
    ok("all_tags", {
        "t": (1, "a"), "b": b"\x00hi", "m": Markup("<i>x</i>"),
        "u": uuid.UUID("0f0e0d0c-0b0a-0908-0706-050403020100"),
        "d": datetime.datetime(2000, 2, 29, 12, 0, 0, tzinfo=UTC),
    })
    # the " di" escape (spec 2.4)
    ok("di_tuple_key", {"x": {" t": "not-a-tuple"}})
    ok("di_di_key", {"x": {" di": "not-a-dict"}})
    ok("di_not_a_tag", {"x": {" t__": "not-a-tuple"}})
    ok("di_two_keys", {"x": {" t": 1, "x": 2}})
    ok("di_nested", {"x": {" t": {" t": (1,)}}})
    ok("di_unknown_tag", {"x": {" x": 1}})
    ok("di_every_tag", {"di": {" di": " di"}, "t": {" t": 1}, "b": {" b": b"a"},
                        "m": {" m": "m"}, "u": {" u": "u"}, "d": {" d": "d"}})
    ok("di_bytes_suffix", {"x": {" t__": b"a"}})
    ok("di_top_level", {" t": "top"})
    ok("di_in_list", {"l": [{" b": "x"}, {" t": ()}]})
    ok("flask_test_special_types", {
        "t": (1, 2, 3), "b": b"\xff", "m": Markup("<html>"),
        "u": uuid.UUID("6f1c7a5e-3f5b-4c1d-9d43-6b0a7c2e9f10"),
        "dt": datetime.datetime(2023, 5, 6, 7, 8, 9, tzinfo=UTC),
        "t1": {" t": "not-a-tuple"}, "t2": {" t__": "not-a-tuple"}, "di": {" di": "not-a-dict"},
    }, note="Flask's test_session_special_types values")
    ok("nested", {"a": {"b": {"c": [1, [2, [3, {"d": (4, [5])}]]]}}, "e": [[], {}, ()]})
    # strings
    ok("unicode", {"s": "h\u00e9llo w\u00f6rld \u65e5\u672c\u8a9e"})
    ok("astral", {"s": "\U0001F600\U0001F4A9\U00010000\U0010FFFF"})
    ok("control_chars", {"s": "\x00\x01\x08\t\n\x0b\x0c\r\x1b\x1f\x7f\x80\x9f"})
    ok("specials", {"s": "/ < > & \" ' \\ </script> &amp; \u2028\u2029"})
    ok("bmp_edges", {"s": "\u00a0\u00ff\u0100\ud7ff\ue000\ufeff\ufffd\uffff"})
    ok("long_uncompressed_unicode_key", {"\u00e9": 1})
    ok("key_order", {k: i for i, k in enumerate(
        ["b", "a", "B", "A1", "_x", "a1", "", "\u00e9", "\uffff", "\U0001F600", "\ufb01", "~", " "])})
    ok("key_order_nested", {"z": {"b": 1, "a": 2, "\U0001F600": 3, "\uff61": 4}, "a": [{"y": 1, "x": 2}]})
    # numbers
    ok("ints", {"zero": 0, "neg": -1, "max53": 2**53, "max63": 2**63 - 1, "min63": -(2**63),
                "p63": 2**63, "p64": 2**64, "neg70": -(2**70)})
    ok("int_huge", {"n": 10**60 + 7, "m": -(10**40)})
    ok("floats_plain", {"a": 2.0, "b": 0.0001, "c": 0.1, "d": 1000000.0, "e": 123456789.123,
                        "f": 9999999999999998.0, "g": 1000000000000000.0, "h": 0.0, "i": 1.5})
    ok("floats_exp", {"a": 1e-05, "b": 1e16, "c": 1.2345678901234568e+17, "d": 5e-324,
                      "e": 1.7976931348623157e+308, "f": 2.5e-05, "g": -1e-07, "h": 1e22,
                      "i": 2.2250738585072014e-308})
    ok("float_neg_zero", {"z": -0.0})
    ok("float_thirds", {"a": 1 / 3, "b": 2 / 3, "c": -1 / 3, "d": 0.1 + 0.2})
    ok("float_in_tuple", {"t": (1.0, 1, "1")})
    ok("float_nonfinite", {"nan": float("nan"), "inf": float("inf"), "ninf": float("-inf")},
       note="Python writes NaN/Infinity/-Infinity tokens and reads them back")
    # session shapes
    ok("permanent", {"_permanent": True, "user_id": 42})
    ok("permanent_false", {"_permanent": False})
    ok("flashes", {"_flashes": [("message", "Hello"), ("error", "Oops"),
                                ("warning", Markup("<em>Testing</em>"))]})
    ok("flashes_one", {"_flashes": [("message", "Hi")]})
    ok("csrf_like", {"csrf_token": "0f3c" * 10, "_fresh": True, "_id": "ab" * 64,
                     "_user_id": "1"})
    ok("large", {
        "cart": [{"id": i, "name": f"item {i}", "price": i * 1.25, "tags": ("a", "b")}
                 for i in range(60)],
        "text": "lorem ipsum dolor sit amet " * 20,
    })
    ok("large_base64_text", {"blob": base64.b64encode(hashlib.sha512(b"x").digest() * 3).decode()})
    ok("compressible_small", {"s": "a" * 60})
    # time edges
    ok("age_equals_max_age", {"a": 1}, age=3600, max_age=3600)
    ok("age_zero", {"a": 1}, age=0, max_age=3600)
    ok("timestamp_5_bytes", {"a": 1}, at=2**32 + 100, note="signed after 2106: 5-byte timestamp")
    ok("timestamp_small", {"a": 1}, at=1, age=0)
    # keys
    ok("key_unicode", {"a": 1}, key="cl\u00e9 secr\u00e8te \U0001F511")
    ok("key_long", {"a": 1}, key="k" * 100, note="longer than the SHA-1 block: HMAC hashes it first")
    ok("key_flask_tests", {"a": 1}, key="test key")
    # rotation (SECRET_KEY_FALLBACKS)
    ok("rotation_current_key_with_fallbacks", {"a": 1}, key="new key", fallbacks=["old key"])
    ok("rotation_signed_with_fallback", {"a": 1}, key="new key", fallbacks=["old key"],
       signing_key="old key")
    ok("rotation_oldest_of_two", {"a": 1}, key="0 key", fallbacks=["-2 key", "-1 key"],
       signing_key="-2 key")
    ok("rotation_flask_test", {"a": 1}, key="+1 key", fallbacks=["0 key", "-1 key"],
       signing_key="0 key", note="Flask's test_session_secret_key_fallbacks")

    # ---- valid but not what Flask would mint --------------------------------
    def raw_ok(name, payload, session, note, **kw):
        cookie = sign_raw(payload)
        add(name, cookie, "ok", flask="session", session=session, note=note, **kw)

    raw_ok("json_null", b64(b"null"), {}, "a JSON null payload is an empty session")
    raw_ok("lenient_json", b64(b' { "b" : [1, 2.5e2, -0] , "a" : "\\u00E9\xc3\xa9" } '),
           {"a": "\u00e9\u00e9", "b": [1, 250.0, 0]},
           "spaces, unsorted keys, raw UTF-8, upper-case \\u escape, -0")
    raw_ok("duplicate_keys_last_wins", b64(b'{"a":1,"a":2}'), {"a": 2}, "duplicate keys: last wins")
    raw_ok("uncompressed_would_compress", b64(json.dumps({"s": "a" * 200}).encode()),
           {"s": "a" * 200}, "Flask would compress this; it loads uncompressed too")
    raw_ok("other_zlib_stream", "." + b64(zlib.compress(b'{"s":"' + b"ab" * 100 + b'"}', 9)),
           {"s": "ab" * 100}, "zlib level 9 instead of 6")
    raw_ok("zlib_level_0", "." + b64(zlib.compress(b'{"a":1}', 0)), {"a": 1},
           "stored (level 0) deflate blocks")
    raw_ok("compressed_not_shorter", "." + b64(zlib.compress(b'{"a":1}')), {"a": 1},
           "compressed although longer")
    zo = zlib.compressobj(6, zlib.DEFLATED, 15)
    raw_ok("zlib_flushed_blocks", "." + b64(zo.compress(b'{"a":"') + zo.flush(zlib.Z_SYNC_FLUSH)
                                       + zo.compress(b'x"}') + zo.flush()),
           {"a": "x"}, "a sync flush inside the stream")

    # ---- negative -----------------------------------------------------------
    base = mint({"user_id": 42, "name": "alice"})
    basec = mint({"s": "a" * 200})
    assert not base.startswith(".") and basec.startswith(".")
    add("garbage_no_dot", "garbage", "bad_signature", flask="empty")
    add("empty_cookie", "", "bad_signature", flask="empty",
        note="Flask treats an empty cookie as no cookie: a new session")
    add("tampered_payload", flip(base, 0), "bad_signature", flask="empty")
    add("tampered_compressed_payload", flip(basec, 0), "bad_signature", flask="empty")
    add("compression_marker_removed", basec[1:], "bad_signature", flask="empty")
    add("compression_marker_added", "." + base, "bad_signature", flask="empty")
    add("tampered_timestamp", flip(base, 1), "bad_signature", flask="empty")
    add("tampered_signature", flip(base, 2), "bad_signature", flask="empty")
    add("signature_truncated", base[:-1], "bad_signature", flask="empty")
    add("signature_missing", base.rsplit(".", 1)[0] + ".", "bad_signature", flask="empty")
    add("wrong_key", mint({"user_id": 42}, key="another key"), "bad_signature", flask="empty")
    add("fallback_not_configured", mint({"a": 1}, key="old key"), "bad_signature", flask="empty",
        key="new key")
    add("derivation_django_concat", sign_raw(b64(b'{"a":1}'), derivation="django-concat"),
        "bad_signature", flask="empty")
    add("derivation_concat", sign_raw(b64(b'{"a":1}'), derivation="concat"), "bad_signature",
        flask="empty")
    add("derivation_none", sign_raw(b64(b'{"a":1}'), derivation="none"), "bad_signature",
        flask="empty")
    add("other_salt", sign_raw(b64(b'{"a":1}'), salt="itsdangerous"), "bad_signature",
        flask="empty")
    add("sha256_digest", sign_raw(b64(b'{"a":1}'), digest=hashlib.sha256), "bad_signature",
        flask="empty")
    add("timestamp_missing", sign_raw(b64(b'{"a":1}'), timestamp=False), "bad_signature",
        flask="empty", note="valid signature over a value without a timestamp")
    add("timestamp_9_bytes", sign_raw(b64(b'{"a":1}') + "." + b64(b"\x01" * 9), timestamp=False),
        "bad_signature", flask="empty", note="Malformed timestamp")
    add("timestamp_bad_base64", sign_raw(b64(b'{"a":1}') + ".abcde", timestamp=False),
        "bad_signature", flask="empty", note="Malformed timestamp")
    add("timestamp_empty", sign_raw(b64(b'{"a":1}') + ".", timestamp=False), "expired",
        flask="empty", note="an empty timestamp decodes as 0")
    add("timestamp_huge", sign_raw(b64(b'{"a":1}') + "." + b64((2**62).to_bytes(8, "big")),
                                   timestamp=False),
        "bad_signature", flask="500", python_outcome="error",
        note="2**62: Python raises OSError (not BadData) building SignatureExpired's datetime, "
             "so Flask answers 500; itsdangerous/ here calls timestamps past 9999 malformed")
    add("timestamp_year_10000", sign_raw(b64(b'{"a":1}') + "." + b64((253402300800).to_bytes(5, "big")),
                                         timestamp=False),
        "bad_signature", flask="500", python_outcome="error",
        note="first second of year 10000: Python raises ValueError building the datetime")
    add("timestamp_year_9999_future", mint({"a": 1}, at=253402300799), "expired", flask="empty",
        note="last second Python's datetime holds, in the future")
    add("expired_by_one_second", mint({"a": 1}), "expired", flask="empty", now=T0 + 3601,
        max_age=3600)
    add("expired_default_max_age", mint({"a": 1}), "expired", flask="empty",
        now=T0 + MAX_AGE + 1)
    add("future_timestamp", mint({"a": 1}), "expired", flask="empty", now=T0 - 1)
    add("bad_signature_and_expired", flip(mint({"a": 1}), 2), "bad_signature", flask="empty",
        now=T0 + 7200, max_age=3600, note="the signature is checked before the age")
    add("bad_base64_payload", sign_raw("abcde"), "bad_payload", flask="500")
    add("bad_base64_compressed", sign_raw(".abcde"), "bad_payload", flask="500")
    add("not_json", sign_raw(b64(b"not json")), "bad_payload", flask="500")
    add("not_utf8", sign_raw(b64(b'{"a":"\xff"}')), "bad_payload", flask="500")
    add("bad_zlib", sign_raw("." + b64(b"not zlib at all")), "bad_payload", flask="500")
    add("zlib_truncated", sign_raw("." + b64(zlib.compress(b'{"a":"' + b"x" * 100 + b'"}')[:-6])),
        "bad_payload", flask="500")
    add("zlib_bad_checksum", sign_raw("." + b64(zlib.compress(b'{"a":1}')[:-1] + b"\x00")),
        "bad_payload", flask="500")
    add("json_list", sign_raw(b64(b"[1,2]")), "bad_payload", flask="500")
    add("json_number", sign_raw(b64(b"42")), "bad_payload", flask="500")
    add("json_string", sign_raw(b64(b'"abc"')), "bad_payload", flask="500")
    add("json_true", sign_raw(b64(b"true")), "bad_payload", flask="500")
    add("json_truncated", sign_raw(b64(b'{"a":')), "bad_payload", flask="500")
    add("json_trailing_data", sign_raw(b64(b'{"a":1}x')), "bad_payload", flask="500")
    add("tag_bad_uuid", sign_raw(b64(b'{"u":{" u":"nope"}}')), "bad_payload", flask="500")
    add("tag_bad_bytes_padding", sign_raw(b64(b'{"b":{" b":"YQ"}}')), "bad_payload", flask="500")
    add("tag_di_not_object", sign_raw(b64(b'{"x":{" di":"str"}}')), "bad_payload", flask="500")
    add("tag_tuple_number", sign_raw(b64(b'{"x":{" t":5}}')), "bad_payload", flask="500")
    bomb = b'{"a":"' + b"a" * (2 << 20) + b'"}'
    add("zlib_bomb_2MiB", sign_raw("." + b64(zlib.compress(bomb, 9))), "bad_payload",
        flask="session", check_session=False, python_outcome="ok",
        note="2 MiB once inflated: Flask loads it; a codec should refuse it (default cap 1 MiB)")

    names = [v["name"] for v in vectors]
    assert len(names) == len(set(names)), "duplicate vector names"
    return vectors


def http_load(app, cookie, now):
    """Load cookie through app's test client: (status, typed session the view saw)."""
    import logging

    import oracle
    from flask import session

    if "dump" not in app.view_functions:
        @app.route("/dump")
        def dump():
            return json.dumps(oracle.to_typed(dict(session)))

        app.logger.disabled = True
        logging.getLogger("werkzeug").disabled = True
    oracle.CLOCK[0] = now
    client = app.test_client(use_cookies=False)
    resp = client.get("/dump", headers={"Cookie": "session=" + cookie})
    if resp.status_code != 200:
        return resp.status_code, None
    return 200, json.loads(resp.get_data(as_text=True))


def witness_versions():
    import oracle

    v = oracle.versions()
    v.pop("executable")
    return v


def render(vectors, witnesses):
    doc = {
        "about": "Flask session cookie vectors minted and loaded by real Flask; "
                 "regenerate with: python3 testdata/gen_vectors.py",
        "witnesses": witnesses,
        "vectors": vectors,
    }
    return json.dumps(doc, indent=1, ensure_ascii=True) + "\n"


def run_witnesses(witnesses):
    outs = []
    for py in witnesses:
        p = subprocess.run([py, os.path.abspath(__file__), "--emit"], capture_output=True, text=True)
        if p.returncode != 0:
            raise SystemExit(f"gen_vectors: witness {py} failed:\n{p.stderr}")
        outs.append((py, json.loads(p.stdout)))
    flasks = [o["witness"]["flask"] for _, o in outs]
    if len(set(flasks)) != len(flasks):
        raise SystemExit(f"gen_vectors: the witnesses {witnesses} must be different Flasks, got {flasks}")
    first = outs[0][1]["vectors"]
    for py, out in outs[1:]:
        if out["vectors"] != first:
            for a, b in zip(first, out["vectors"]):
                if a != b:
                    raise SystemExit(f"gen_vectors: witnesses differ at {a['name']}:\n"
                                     f"{witnesses[0]}: {a}\n{py}: {b}")
            raise SystemExit("gen_vectors: witnesses differ in the number of vectors")
    return render(first, [o["witness"] for _, o in outs])


def stale_reason(old_text, new_text):
    """Says where the file on disk differs from the regenerated one."""
    try:
        old = json.loads(old_text)
    except ValueError as e:
        return f"not JSON ({e})"
    new = json.loads(new_text)
    if old.get("witnesses") != new["witnesses"]:
        return f"witness versions differ: file {old.get('witnesses')}, now {new['witnesses']}"
    old_v = {v.get("name"): v for v in old.get("vectors", [])}
    for v in new["vectors"]:
        if v["name"] not in old_v:
            return f"vector {v['name']} is missing"
        if old_v[v["name"]] != v:
            return f"vector {v['name']} differs"
    names = [v["name"] for v in new["vectors"]]
    extra = [n for n in old_v if n not in names]
    if extra:
        return f"vector {extra[0]} is no longer generated"
    return "formatting or order differs"


def option(argv, name, default):
    if name in argv:
        i = argv.index(name)
        if i + 1 < len(argv):
            return argv[i + 1]
        raise SystemExit(f"gen_vectors: {name} needs a value")
    return default


def main(argv):
    if "--emit" in argv:
        json.dump({"witness": witness_versions(), "vectors": emit()}, sys.stdout)
        return 0
    witnesses = option(argv, "--witnesses", ",".join(WITNESSES)).split(",")
    out = option(argv, "--file", OUT)
    text = run_witnesses(witnesses)
    if "--check" in argv:
        with open(out) as f:
            old = f.read()
        if old != text:
            print(f"gen_vectors: {out} is stale: {stale_reason(old, text)}; "
                  "regenerate with: python3 testdata/gen_vectors.py", file=sys.stderr)
            return 1
        print(f"gen_vectors: {out} is up to date")
        return 0
    with open(out, "w") as f:
        f.write(text)
    n = len(json.loads(text)["vectors"])
    print(f"gen_vectors: wrote {n} vectors to {out}, identical under {', '.join(witnesses)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
