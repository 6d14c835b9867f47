"""The Flask-WTF twin of the Gin test app (newApp in csrf/harness_test.go).

csrf/live_test.go runs it under Debian's Flask 2.2 and Flask-WTF 1.1.1
(/usr/bin/python3) with SECRET_KEY, and WTF_CSRF_SECRET_KEY when a test
wants a CSRF key of its own.

    GET  /token        {"token": csrf_token(), "raw": session["csrf_token"]}
    GET  /raw          the raw token in the session, "" if none
    POST /submit       "ok" when the token passes (PUT too)
    POST /hooks/NAME   an exempt view; POST /api/items in an exempt blueprint
    POST /_test/clock  test hook: freeze Flask-WTF's clock at unix=N (0: thaw)

A refusal answers 400 with Flask-WTF's reason, as the Gin app does.
"""
import os

import itsdangerous
from flask import Blueprint, Flask, jsonify, request, session
from flask_wtf import csrf as wtf_csrf
from flask_wtf.csrf import CSRFError, CSRFProtect, generate_csrf
from werkzeug.middleware.proxy_fix import ProxyFix

app = Flask(__name__)
app.config["SECRET_KEY"] = os.environ["SECRET_KEY"]
if os.environ.get("WTF_CSRF_SECRET_KEY"):
    app.config["WTF_CSRF_SECRET_KEY"] = os.environ["WTF_CSRF_SECRET_KEY"]
# request.is_secure follows X-Forwarded-Proto, so tests can reach the
# strict Referer check of HTTPS requests over plain HTTP.
app.wsgi_app = ProxyFix(app.wsgi_app, x_proto=1)
csrf = CSRFProtect(app)

# The test hook: a clock for Flask-WTF's serializer only (session cookies
# keep the real time), frozen by POST /_test/clock.
_frozen = None


class _FrozenSigner(itsdangerous.TimestampSigner):
    def get_timestamp(self):
        return _frozen if _frozen is not None else super().get_timestamp()


class _FrozenSerializer(itsdangerous.URLSafeTimedSerializer):
    default_signer = _FrozenSigner


wtf_csrf.URLSafeTimedSerializer = _FrozenSerializer


@app.post("/_test/clock")
@csrf.exempt
def freeze():
    global _frozen
    _frozen = int(request.form["unix"]) or None
    return ""


@app.get("/token")
def token():
    signed = generate_csrf()
    return jsonify(token=signed, raw=session.get("csrf_token"))


@app.get("/raw")
def raw():
    return session.get("csrf_token", "")


@app.route("/submit", methods=["POST", "PUT"])
def submit():
    return "ok"


@app.post("/hooks/<name>")
@csrf.exempt
def hook(name):
    return "hook"


api = Blueprint("api", __name__, url_prefix="/api")


@api.post("/items")
def items():
    return "api"


csrf.exempt(api)
app.register_blueprint(api)


@app.errorhandler(CSRFError)
def refused(e):
    return e.description, 400
