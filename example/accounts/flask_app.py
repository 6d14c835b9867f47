"""The accounts example on Flask-Login, the reference for `go run ./example/accounts`.

The same routes, pages, flashes, session and remember cookie as the Gin app, so
the two can run side by side with one SECRET_KEY and share their logged-in
users, and the login form's CSRF token (Flask-WTF's). It needs Flask-Login 0.6
and Flask-WTF 1.1 (Debian: python3-flask-login python3-flaskext.wtf, under
/usr/bin/python3):

    SECRET_KEY=... /usr/bin/python3 example/accounts/flask_app.py 5000
    SECRET_KEY=... SESSION_PROTECTION=strong /usr/bin/python3 -m flask --app example/accounts/flask_app.py run

It is a demo: any user name logs in, without a password. A user's ID is
"name:token" (Flask-Login's alternative tokens), the token kept in the
directory TOKENS_DIR, one file per user, which the Gin app shares: "Log out
other devices" on either app gives the user a new token, and every other
session and remember cookie of that user, on both apps, loads no user any
more. Without TOKENS_DIR both apps use
$TMPDIR/flasksession-accounts-tokens-UID ($TMPDIR defaulting to /tmp), so the
two started side by side on one machine by one user share it.

Logging out is a POST with the CSRF token; GET /logout shows the form.

A JSON API under /api, on Flask-JWT-Extended 4.4 (Debian:
python3-python-flask-jwt-extended), signed with SECRET_KEY as the Gin app's
flaskjwt: POST /api/login {"username": NAME}, POST /api/refresh (refresh
token), GET /api/whoami and POST /api/logout (access token). Logging out
revokes the token in JWT_BLOCKLIST_DIR, one empty file per jti, which the Gin
app shares (default $TMPDIR/flasksession-accounts-jwt-blocklist-UID).

The pages' stylesheet is static/style.css next to this file, served at
/static/style.css, as the Gin app serves the same file from its binary.
"""

import hashlib
import hmac
import os
import posixpath
import re
import secrets
import stat
import sys
import tempfile
from urllib.parse import unquote

from flask import Blueprint, Flask, flash, jsonify, redirect, render_template, request, session
from flask_jwt_extended import (
    JWTManager,
    create_access_token,
    create_refresh_token,
    get_jwt,
    get_jwt_identity,
    jwt_required,
)
from flask_wtf.csrf import CSRFError, CSRFProtect
from flask_login import (
    LoginManager,
    UserMixin,
    current_user,
    fresh_login_required,
    login_required,
    login_fresh,
    login_user,
    logout_user,
)
from flask_login.utils import decode_cookie
from jinja2 import DictLoader

# The stylesheet is static/style.css next to this file, which the Gin app
# serves too, at the same /static/style.css.
app = Flask(__name__, static_folder=os.path.join(os.path.dirname(os.path.abspath(__file__)), "static"))

secret_key = os.environ.get("SECRET_KEY", "")
if not secret_key:
    secret_key = secrets.token_hex(32)
    print(
        "WARNING: SECRET_KEY is not set; using a random key for this run only.\n"
        "WARNING: logins will not survive a restart and will not be shared with the Gin app.\n"
        "WARNING: make a key with `go run ./cmd/flasksession genkey` and export SECRET_KEY.",
        file=sys.stderr,
    )
app.secret_key = secret_key
# The Go session middleware sends SameSite=Lax by default; say the same here.
app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
# "basic" (Flask-Login's default), "strong", or anything else for none.
app.config["SESSION_PROTECTION"] = os.environ.get("SESSION_PROTECTION", "basic")

login_manager = LoginManager(app)
login_manager.login_view = "login"
login_manager.refresh_view = "login"

# Form posts need the login form's token; the Gin app makes and accepts the
# same tokens (flasksession/csrf).
csrf = CSRFProtect(app)


@app.errorhandler(CSRFError)
def csrf_refused(e):
    # The reason as text, as the Gin app's csrf.Protect answers.
    return e.description, 400, {"Content-Type": "text/plain; charset=utf-8"}


TOKEN_RE = re.compile(r"[0-9a-f]{32}\Z")


def default_tokens_dir():
    """$TMPDIR (or /tmp)/flasksession-accounts-tokens-UID: Go's os.TempDir()
    and the Gin app's defaultTokensDir, so the two share it."""
    base = (os.environ.get("TMPDIR") or "/tmp") if os.name == "posix" else tempfile.gettempdir()
    name = "flasksession-accounts-tokens"
    if hasattr(os, "getuid"):
        name += "-%d" % os.getuid()
    return os.path.join(base, name)


class TokenStore:
    """Each user's alternative token, as the Gin app's tokenStore keeps it: a
    file per user, named by the SHA-256 of the name in hex, holding 32 hex
    digits."""

    def __init__(self, directory):
        os.makedirs(directory, mode=0o700, exist_ok=True)
        st = os.stat(directory)
        if not stat.S_ISDIR(st.st_mode):
            raise SystemExit("TOKENS_DIR %s is not a directory" % directory)
        # Whoever can plant a token file can keep a revoked login alive.
        if os.name == "posix":
            if st.st_uid != os.geteuid():
                raise SystemExit(
                    "TOKENS_DIR %s belongs to user %d, not to this one (%d); remove it or pick another"
                    % (directory, st.st_uid, os.geteuid())
                )
            if st.st_mode & 0o022:
                raise SystemExit(
                    "TOKENS_DIR %s is writable by other users (mode %o); chmod go-w it or pick another"
                    % (directory, stat.S_IMODE(st.st_mode))
                )
        self.dir = directory

    def path(self, name):
        return os.path.join(self.dir, hashlib.sha256(name.encode("utf-8")).hexdigest())

    def current(self, name):
        """name's token, "" when the user has none yet."""
        try:
            with open(self.path(name), "rb") as f:
                token = f.read().decode("ascii", "replace").strip()
        except FileNotFoundError:
            return ""
        return token if TOKEN_RE.match(token) else ""

    def ensure(self, name):
        """name's token, made at the user's first login."""
        token = self.current(name)
        if token:
            return token
        tmp = self._write_temp(secrets.token_hex(16))
        try:
            # A link never replaces: when both apps make the first token at
            # once, one wins and both use it.
            os.link(tmp, self.path(name))
        except FileExistsError:
            pass
        finally:
            os.unlink(tmp)
        return self.current(name) or self.rotate(name)

    def rotate(self, name):
        """A new token for name, written atomically (a rename)."""
        token = secrets.token_hex(16)
        tmp = self._write_temp(token)
        try:
            os.replace(tmp, self.path(name))
        except BaseException:
            os.unlink(tmp)
            raise
        return token

    def _write_temp(self, token):
        fd, tmp = tempfile.mkstemp(dir=self.dir, prefix=".tmp-")  # mode 0600
        try:
            with os.fdopen(fd, "w") as f:
                f.write(token)
                f.flush()
                os.fsync(f.fileno())
        except BaseException:
            os.unlink(tmp)
            raise
        return tmp


tokens = TokenStore(os.environ.get("TOKENS_DIR") or default_tokens_dir())


def default_blocklist_dir():
    """$TMPDIR (or /tmp)/flasksession-accounts-jwt-blocklist-UID, as the Gin
    app's defaultBlocklistDir."""
    return default_tokens_dir().replace("flasksession-accounts-tokens", "flasksession-accounts-jwt-blocklist")


def private_dir(env, directory):
    """directory, made if needed (mode 0700), refused when others may write to it."""
    os.makedirs(directory, mode=0o700, exist_ok=True)
    st = os.stat(directory)
    if not stat.S_ISDIR(st.st_mode):
        raise SystemExit("%s %s is not a directory" % (env, directory))
    if os.name == "posix":
        if st.st_uid != os.geteuid():
            raise SystemExit(
                "%s %s belongs to user %d, not to this one (%d); remove it or pick another"
                % (env, directory, st.st_uid, os.geteuid())
            )
        if st.st_mode & 0o022:
            raise SystemExit(
                "%s %s is writable by other users (mode %o); chmod go-w it or pick another"
                % (env, directory, stat.S_IMODE(st.st_mode))
            )
    return directory


# Revoked JWTs: one empty file per jti, the Gin app's blocklist.
blocklist_dir = private_dir("JWT_BLOCKLIST_DIR", os.environ.get("JWT_BLOCKLIST_DIR") or default_blocklist_dir())
JTI_RE = re.compile(r"[0-9A-Za-z_-]{1,128}\Z")

# JWT_SECRET_KEY is unset: Flask-JWT-Extended signs with SECRET_KEY, as the
# Gin app's flaskjwt does.
jwt = JWTManager(app)


@jwt.token_in_blocklist_loader
def token_in_blocklist(jwt_header, jwt_payload):
    jti = jwt_payload.get("jti")
    # A jti that cannot name a file (not a uuid4) counts as revoked.
    if not isinstance(jti, str) or not JTI_RE.match(jti):
        return True
    return os.path.exists(os.path.join(blocklist_dir, jti))


class User(UserMixin):
    """Anyone who gives a name (a demo), under the token their logins carry."""

    def __init__(self, name, token):
        self.name = name
        self.token = token

    def get_id(self):
        return "%s:%s" % (self.name, self.token)


@login_manager.user_loader
def load_user(user_id):
    # The token has no ":", the name may. An old (revoked) token, or none,
    # loads no user: the request is anonymous.
    name, sep, token = user_id.rpartition(":")
    if not sep:
        return None
    current = tokens.current(name)
    if not current or not hmac.compare_digest(token.encode("utf-8"), current.encode("ascii")):
        return None
    return User(name, current)


def login_remembered_here():
    """The request has a valid remember cookie for the session's user, as
    flasklogin decides whether LogoutOtherDevices renews it (Flask-Login's
    login_remembered() accepts any user's cookie)."""
    cookie = request.cookies.get(app.config.get("REMEMBER_COOKIE_NAME", "remember_token"))
    return cookie is not None and decode_cookie(cookie) == session.get("_user_id")


# Code points that NFKC, which IDNA applies to host names, turns into text
# with "/" or "\": ℀ ℁ ℅ ℆, small reverse solidus, fullwidth solidus and
# reverse solidus.
_SLASH_LIKE = frozenset("\u2100\u2101\u2105\u2106\ufe68\uff0f\uff3c")
_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")


def _browser_path(path):
    """The path a browser's URL parser makes of path (which starts with
    "/"): "." and ".." segments, also written with %2e, resolved."""
    out = []
    segments = path[1:].split("/")
    for i, segment in enumerate(segments):
        last = i == len(segments) - 1
        dots = segment.replace("%2E", "%2e")
        if dots in ("..", ".%2e", "%2e.", "%2e%2e"):
            del out[-1:]
            if last:
                out.append("")
        elif dots in (".", "%2e"):
            if last:
                out.append("")
        else:
            out.append(segment)
    return "/" + "/".join(out)


def _local_path(target):
    """is_safe_next's rule for one form of the target."""
    if not target.startswith("/") or target.startswith("//"):
        return False
    if any(c < " " or c == "\x7f" or c == "\\" or c in _SLASH_LIKE for c in target):
        return False
    path = re.split(r"[?#]", target, maxsplit=1)[0]
    return not _browser_path(path).startswith("//")


def is_safe_next(target):
    """Only paths on this site, which no browser reads as another host: the
    same check as flasklogin.IsSafeNext. The query and fragment are free."""
    if not target or not _local_path(target):
        return False
    # Servers and proxies decode the path before they redirect.
    path = re.split(r"[?#]", target, maxsplit=1)[0]
    if _BAD_ESCAPE.search(path) or not _local_path(unquote(path, errors="replace")):
        return False
    # Go's http.Redirect cleans what comes before the first "?"; kept so the
    # two checks are the same.
    return _local_path(posixpath.normpath(target.split("?", 1)[0]))


app.jinja_loader = DictLoader(
    {
        "layout.html": """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{% block title %}{% endblock %} - flasksession accounts</title>
<link rel="stylesheet" href="/static/style.css">
</head>
<body>
<nav><a href="/">Home</a> <a href="/private">Private</a> <a href="/settings">Settings</a>
{%- if current_user.is_authenticated %} <a href="/logout">Log out</a>
{%- else %} <a href="/login">Log in</a>
{%- endif %}</nav>
{%- with messages = get_flashed_messages(with_categories=true) %}
{%- if messages %}
<ul class="flashes">
{%- for category, message in messages %}
<li class="{{ category }}">{{ message }}</li>
{%- endfor %}
</ul>
{%- endif %}
{%- endwith %}
{% block content %}{% endblock %}
</body>
</html>
""",
        "index.html": """{% extends "layout.html" %}
{%- block title %}Home{% endblock %}
{%- block content -%}
{%- if current_user.is_authenticated -%}
<p id="status">Hello, {{ current_user.name }}</p>
{%- else -%}
<p id="status">Hello, anonymous</p>
{%- endif -%}
{%- endblock %}
""",
        "login.html": """{% extends "layout.html" %}
{%- block title %}Log in{% endblock %}
{%- block content -%}
<p>A demo: any user name logs in, no password.</p>
<form method="post">
<input type="hidden" name="csrf_token" value="{{ csrf_token() }}">
<p><label>User name <input type="text" name="username" autofocus></label>
<p><label><input type="checkbox" name="remember" value="y"> Remember me</label>
<p><input type="submit" value="Log in">
</form>
{%- endblock %}
""",
        "private.html": """{% extends "layout.html" %}
{%- block title %}Private{% endblock %}
{%- block content -%}
<p id="status">Private page of {{ current_user.name }} ({{ "fresh" if fresh else "not fresh" }})</p>
<form method="post" action="/logout-others">
<input type="hidden" name="csrf_token" value="{{ csrf_token() }}">
<p><input type="submit" value="Log out other devices">
</form>
{%- endblock %}
""",
        "settings.html": """{% extends "layout.html" %}
{%- block title %}Settings{% endblock %}
{%- block content -%}
<p id="status">Settings of {{ current_user.name }}</p>
{%- endblock %}
""",
        "logout.html": """{% extends "layout.html" %}
{%- block title %}Log out{% endblock %}
{%- block content -%}
<p id="status">{% if current_user.is_authenticated %}Log out {{ current_user.name }}?{% else %}Nobody is logged in.{% endif %}</p>
<form method="post" action="/logout">
<input type="hidden" name="csrf_token" value="{{ csrf_token() }}">
<p><input type="submit" value="Log out">
</form>
{%- endblock %}
""",
    }
)


@app.route("/")
def index():
    return render_template("index.html")


@app.route("/login", methods=["GET", "POST"])
def login():
    if request.method == "POST":
        username = request.form["username"]
        if not username:
            flash("Please enter a user name.", "error")
            return render_template("login.html"), 400
        login_user(User(username, tokens.ensure(username)), remember=request.form.get("remember") == "y")
        flash("Logged in.")
        next_url = request.args.get("next")
        return redirect(next_url if is_safe_next(next_url) else "/")
    return render_template("login.html")


@app.route("/private")
@login_required
def private():
    return render_template("private.html", fresh=login_fresh())


@app.route("/settings")
@fresh_login_required
def settings():
    return render_template("settings.html")


@app.route("/logout", methods=["GET", "POST"])
def logout():
    # A GET only asks; the logout is the form's POST, which CSRFProtect
    # checks, so a link or an <img> elsewhere logs nobody out.
    if request.method == "POST":
        logout_user()
        flash("Logged out.")
        return redirect("/")
    return render_template("logout.html")


@app.route("/logout-others", methods=["POST"])
@login_required
def logout_others():
    """flasklogin.LogoutOtherDevices: a new token logs out every other session
    and remember cookie of the user, on both apps; this one is logged in again
    under it, as fresh as it was, its remember cookie renewed if it had one."""
    remember, fresh = login_remembered_here(), login_fresh()
    login_user(User(current_user.name, tokens.rotate(current_user.name)), remember=remember, fresh=fresh)
    flash("Logged out of your other devices.")
    return redirect("/private")


# The JSON API: tokens in the Authorization header, no cookies, so no CSRF
# form check (the Gin app's ExemptGroups "/api").
api = Blueprint("api", __name__, url_prefix="/api")
csrf.exempt(api)


@api.route("/login", methods=["POST"])
def api_login():
    """A demo: any non-empty user name logs in; the identity is the name."""
    data = request.get_json(silent=True)
    username = data.get("username") if isinstance(data, dict) else None
    if not isinstance(username, str) or not username:
        return jsonify(msg="Missing username"), 400
    return jsonify(
        access_token=create_access_token(identity=username, fresh=True),
        refresh_token=create_refresh_token(identity=username),
    )


@api.route("/refresh", methods=["POST"])
@jwt_required(refresh=True)
def api_refresh():
    return jsonify(access_token=create_access_token(identity=get_jwt_identity()))


@api.route("/whoami")
@jwt_required()
def api_whoami():
    return jsonify(user=get_jwt_identity())


@api.route("/logout", methods=["POST"])
@jwt_required()
def api_logout():
    # The blocklist loader let the token pass: its jti names a file.
    os.close(os.open(os.path.join(blocklist_dir, get_jwt()["jti"]), os.O_CREAT | os.O_WRONLY, 0o600))
    return jsonify(msg="Token revoked")


app.register_blueprint(api)


if __name__ == "__main__":
    port = int(sys.argv[1] if len(sys.argv) > 1 else os.environ.get("PORT", "5000"))
    app.run(host="127.0.0.1", port=port)
