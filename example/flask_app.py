"""Flask's quickstart session example, the reference for the Gin port in main.go.

The same routes, answers, flashes and "remember me" as `go run ./example`, so the
two can run side by side with one SECRET_KEY and share their logins:

    SECRET_KEY=... python3 example/flask_app.py 5000      # or PORT=5000
    SECRET_KEY=... flask --app example/flask_app.py run

Sessions are Flask's signed cookies unless a store is given, as `go run ./example
-store URL` takes one: with a redis:// or rediss:// URL they are kept server-side by
Flask-Session (Debian: python3-flask-session, python3-redis), and the Go app started
with the same -store and SECRET_KEY shares them:

    SECRET_KEY=... python3 example/flask_app.py --store redis://127.0.0.1:6379/0 5000
    SECRET_KEY=... STORE=redis://127.0.0.1:6379/0 flask --app example/flask_app.py run

The templates render byte for byte the same HTML as the Go templates in
templates/ (the Go test checks this).
"""

import argparse
import os
import secrets
import sys

from flask import Flask, flash, redirect, render_template, request, session, url_for
from jinja2 import DictLoader

app = Flask(__name__)

secret_key = os.environ.get("SECRET_KEY", "")
if not secret_key:
    secret_key = secrets.token_hex(32)
    print(
        "WARNING: SECRET_KEY is not set; using a random key for this run only.\n"
        "WARNING: sessions will not survive a restart and will not be shared with other instances.\n"
        "WARNING: make a key with `go run ./cmd/flasksession genkey` and export SECRET_KEY.",
        file=sys.stderr,
    )
app.secret_key = secret_key
# The Go middleware sends SameSite=Lax by default; say the same here so both
# apps set identical cookies.
app.config["SESSION_COOKIE_SAMESITE"] = "Lax"


def use_store(url):
    """Keep sessions in the store at url, as `go run ./example -store URL` does.

    A redis:// or rediss:// URL: Flask-Session's RedisSessionInterface, configured
    as the Go app's Config.FlaskSession (pickled records under "session:<id>",
    the ID signed with SECRET_KEY).
    """
    if "://" not in url:
        sys.exit("--store: not a URL: use redis://host:port/db or rediss://host:port/db, or no --store for cookie sessions")
    scheme = url.split("://", 1)[0]
    if scheme.lower() not in ("redis", "rediss"):
        # A "postgres" store would go here, next to Redis.
        sys.exit(
            f'--store: unsupported URL scheme "{scheme}": use redis:// or rediss:// '
            "(Flask-Session's records in Redis), or no --store for cookie sessions"
        )
    # Imported only here: without a store the app needs Flask alone.
    import redis
    from flask_session import Session

    client = redis.from_url(url)
    try:
        client.ping()
    except redis.exceptions.RedisError as e:
        kw = client.connection_pool.connection_kwargs
        sys.exit(f"--store: Redis at {kw.get('host')}:{kw.get('port')} (database {kw.get('db')}) is unreachable: {e}")
    app.config.update(
        SESSION_TYPE="redis",
        SESSION_REDIS=client,
        # The cookie is the session ID signed with SECRET_KEY, as the Go app sends it.
        SESSION_USE_SIGNER=True,
        # Flask-Session's default (True) makes every new session permanent. False
        # leaves it to login(): permanent only with "remember me", as with Flask's
        # cookie sessions and in the Go app. (Flask-Session 0.3.2 still gives every
        # Redis record a TTL of PERMANENT_SESSION_LIFETIME; only the cookie differs.)
        SESSION_PERMANENT=False,
    )
    # Flask-Session 0.3.2 ignores SESSION_COOKIE_SAMESITE and sends no SameSite
    # attribute; the Go app keeps SameSite=Lax (Chromium treats a cookie without
    # SameSite as Lax, Firefox and Safari as None). Both send the same ID.
    Session(app)


if os.environ.get("STORE"):
    use_store(os.environ["STORE"])

app.jinja_loader = DictLoader(
    {
        "layout.html": """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{% block title %}{% endblock %} - flasksession quickstart</title>
</head>
<body>
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
{%- if username is not none -%}
<p id="status">Logged in as {{ username }}</p>
<p><a href="/logout">Log out</a></p>
{%- else -%}
<p id="status">You are not logged in</p>
<p><a href="/login">Log in</a></p>
{%- endif -%}
{%- endblock %}
""",
        "login.html": """{% extends "layout.html" %}
{%- block title %}Log in{% endblock %}
{%- block content -%}
<form method="post">
<p><input type="text" name="username" autofocus>
<p><label><input type="checkbox" name="remember" value="1"> Remember me</label>
<p><input type="submit" value="Login">
</form>
{%- endblock %}
""",
    }
)


@app.route("/")
def index():
    username = session["username"] if "username" in session else None
    return render_template("index.html", username=username)


@app.route("/login", methods=["GET", "POST"])
def login():
    if request.method == "POST":
        session["username"] = request.form["username"]
        # "Remember me" keeps the cookie for PERMANENT_SESSION_LIFETIME (31 days);
        # otherwise it ends with the browser session.
        session.permanent = "remember" in request.form
        flash("Logged in")
        return redirect(url_for("index"))
    return render_template("login.html")


@app.route("/logout")
def logout():
    # remove the username from the session if it's there
    session.pop("username", None)
    flash("Logged out")
    return redirect(url_for("index"))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Flask's session quickstart, the twin of `go run ./example`.")
    parser.add_argument("port", nargs="?", type=int, default=int(os.environ.get("PORT", "5000")))
    parser.add_argument(
        "--store",
        metavar="URL",
        help="keep sessions in Redis through Flask-Session: redis://host:port/db (rediss:// for TLS); "
        "default: $STORE, else cookie sessions",
    )
    args = parser.parse_args()
    if args.store and args.store != os.environ.get("STORE"):
        use_store(args.store)
    app.run(host="127.0.0.1", port=args.port)
