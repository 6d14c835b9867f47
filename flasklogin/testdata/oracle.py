"""Flask-Login 0.6.2's own answers for flasklogin's differential tests.

Reads a JSON list of cases on stdin and writes a JSON list of answers. Text
that stands for raw bytes (header values, Cookie headers, request targets)
travels as Latin-1 strings, as WSGI carries it. Run under Debian's
/usr/bin/python3 (Flask 2.2, Werkzeug 2.2, Flask-Login 0.6.2).
"""

import json
import sys

import flask_login
from flask import Flask
from flask_login import utils
from werkzeug._internal import _cookie_quote, _wsgi_encoding_dance
from werkzeug.http import parse_cookie
from werkzeug.test import EnvironBuilder
from werkzeug.urls import url_parse, url_unquote

app = Flask(__name__)


def env_for(case):
    """The WSGI environ Werkzeug's dev server makes for a raw request."""
    target = case.get("target", "/")
    u = url_parse(target)
    environ = EnvironBuilder(base_url="http://" + case.get("host", "localhost")).get_environ()
    # As serving.py: "//x/y" parses with x as the host; put it back.
    path = f"/{u.netloc}{u.path}" if not u.scheme and u.netloc else u.path
    environ["PATH_INFO"] = _wsgi_encoding_dance(url_unquote(path))
    environ["QUERY_STRING"] = _wsgi_encoding_dance(u.query)
    environ["HTTP_HOST"] = case.get("host", "localhost")
    if case.get("addr") is not None:
        environ["REMOTE_ADDR"] = case["addr"]
    else:
        environ.pop("REMOTE_ADDR", None)
    for k, v in case.get("headers", {}).items():
        environ["HTTP_" + k.upper().replace("-", "_")] = v
    return environ


def answer(case):
    op = case["op"]
    if op == "identifier":
        with app.request_context(env_for(case)):
            return utils._create_identifier()
    if op == "login_url":
        with app.request_context(env_for(case)):
            from flask import request

            return utils.login_url(case["view"], next_url=request.url)
    if op == "encode_cookie":
        app.config["SECRET_KEY"] = case["key"]
        with app.app_context():
            return _cookie_quote(utils.encode_cookie(case["id"]).encode("utf-8")).decode("latin1")
    if op == "read_cookie":
        # The Cookie header as Werkzeug 2.2 parses it, then decode_cookie.
        app.config["SECRET_KEY"] = case["key"]
        cookies = parse_cookie(case["header"])
        if case["name"] not in cookies:
            return {"found": False}
        value = cookies[case["name"]]
        with app.app_context():
            try:
                user_id = utils.decode_cookie(value)
            except TypeError:  # compare_digest on non-ASCII text
                user_id = None
        return {"found": True, "value": value, "id": user_id}
    raise ValueError(op)


print(json.dumps([answer(c) for c in json.load(sys.stdin)]))
