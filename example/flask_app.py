"""Flask's quickstart session example, the reference for the Gin port in main.go.

The same routes, answers, flashes and "remember me" as `go run ./example`, so the
two can run side by side with one SECRET_KEY and share their logins:

    SECRET_KEY=... python3 example/flask_app.py 5000      # or PORT=5000
    SECRET_KEY=... flask --app example/flask_app.py run

Sessions are Flask's signed cookies unless a store is given, as `go run ./example
-store URL` takes one, and then kept server-side by Flask-Session (Debian:
python3-flask-session): in Redis with a redis:// or rediss:// URL (python3-redis),
in PostgreSQL with a postgres:// or postgresql:// URL (python3-flask-sqlalchemy,
python3-psycopg2; the table "sessions" is created if missing). The Go app started
with the same -store and SECRET_KEY shares them:

    SECRET_KEY=... python3 example/flask_app.py --store redis://127.0.0.1:6379/0 5000
    SECRET_KEY=... STORE=redis://127.0.0.1:6379/0 flask --app example/flask_app.py run
    SECRET_KEY=... python3 example/flask_app.py --store postgresql://app@127.0.0.1/app 5000

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
    """Keep sessions in the store at url, as `go run ./example -store URL` does:
    Flask-Session, configured as the Go app's Config.FlaskSession (pickled records
    under "session:<id>", the ID signed with SECRET_KEY).

    A redis:// or rediss:// URL: Flask-Session's RedisSessionInterface.
    A postgres:// or postgresql:// URL: its SqlAlchemySessionInterface, the table
    "sessions" (Flask-SQLAlchemy and psycopg2; Debian: python3-flask-sqlalchemy,
    python3-psycopg2).
    """
    if "://" not in url:
        sys.exit(
            "--store: not a URL: use redis://host:port/db, rediss://host:port/db or "
            "postgres://user@host:port/db, or no --store for cookie sessions"
        )
    scheme = url.split("://", 1)[0].lower()
    if scheme in ("redis", "rediss"):
        use_redis(url)
    elif scheme in ("postgres", "postgresql"):
        use_postgres(url)
    else:
        sys.exit(
            f'--store: unsupported URL scheme "{url.split("://", 1)[0]}": use redis:// or rediss:// '
            "(Flask-Session's records in Redis), postgres:// or postgresql:// (its table in PostgreSQL), "
            "or no --store for cookie sessions"
        )
    # Flask-Session 0.3.2 ignores SESSION_COOKIE_SAMESITE and sends no SameSite
    # attribute; the Go app keeps SameSite=Lax (Chromium treats a cookie without
    # SameSite as Lax, Firefox and Safari as None). Both send the same ID.


# As the Go app's Config.FlaskSession is set for either store.
FLASK_SESSION_CONFIG = dict(
    # The cookie is the session ID signed with SECRET_KEY, as the Go app sends it.
    SESSION_USE_SIGNER=True,
    # Flask-Session's default (True) makes every new session permanent. False
    # leaves it to login(): permanent only with "remember me", as with Flask's
    # cookie sessions and in the Go app. (Flask-Session 0.3.2 still gives every
    # Redis record a TTL of PERMANENT_SESSION_LIFETIME, and here every SQL row
    # that expiry: see use_postgres; only the cookie differs.)
    SESSION_PERMANENT=False,
)


def use_redis(url):
    # Imported only here: without a store the app needs Flask alone.
    import redis
    from flask_session import Session

    client = redis.from_url(url)
    try:
        client.ping()
    except redis.exceptions.RedisError as e:
        kw = client.connection_pool.connection_kwargs
        sys.exit(f"--store: Redis at {kw.get('host')}:{kw.get('port')} (database {kw.get('db')}) is unreachable: {e}")
    app.config.update(SESSION_TYPE="redis", SESSION_REDIS=client, **FLASK_SESSION_CONFIG)
    Session(app)


def use_postgres(url):
    from datetime import datetime

    import sqlalchemy
    from flask_session import Session
    from sqlalchemy.engine import make_url

    # SQLAlchemy knows the dialect as postgresql:// only (psycopg2 by default).
    url = "postgresql://" + url.split("://", 1)[1]
    try:
        u = make_url(url)
    except (sqlalchemy.exc.ArgumentError, ValueError):
        # Its message quotes the URL, which may hold a password.
        sys.exit("--store: not a PostgreSQL URL SQLAlchemy can parse: use postgres://[user[:password]@]host[:port]/db")
    where = f"PostgreSQL at {u.host or 'localhost'}:{u.port or 5432} (database {u.database})"
    app.config.update(
        SESSION_TYPE="sqlalchemy",
        SQLALCHEMY_DATABASE_URI=url,
        SQLALCHEMY_TRACK_MODIFICATIONS=False,
        # Give up on a server that does not answer, as the Go app does after 5 s.
        SQLALCHEMY_ENGINE_OPTIONS={} if "connect_timeout" in u.query else {"connect_args": {"connect_timeout": 5}},
        **FLASK_SESSION_CONFIG,
    )
    # Without SESSION_SQLALCHEMY, Flask-Session 0.3.2 makes its own
    # flask_sqlalchemy.SQLAlchemy(app) and keeps it as session_interface.db.
    Session(app)
    interface = app.session_interface
    model = interface.sql_session_model

    # Flask-Session 0.3.2 writes a non-permanent session's row with a NULL
    # expiry, then fails on it at the next request (None <= datetime: a 500),
    # and the Go app takes such a row as expired. Give every row the expiry
    # Flask-Session gives every Redis record and the Go app every row:
    # PERMANENT_SESSION_LIFETIME from now, in naive UTC as 0.3.2 writes it. The
    # cookie still ends with the browser session.
    @sqlalchemy.event.listens_for(model, "before_insert")
    @sqlalchemy.event.listens_for(model, "before_update")
    def _expiry(mapper, connection, row):
        if row.expiry is None:
            row.expiry = datetime.utcnow() + app.permanent_session_lifetime

    # Flask-Session 0.3.2 does not create its table (its db.create_all() is
    # commented out); create it unless the Go app has (only when missing). Under
    # Flask-SQLAlchemy 3 that needs an application context.
    try:
        with app.app_context():
            interface.db.create_all()
    except sqlalchemy.exc.SQLAlchemyError as e:
        # str(e) quotes SQL and the driver's message, never the URL.
        sys.exit(f"--store: {where} is unreachable: {getattr(e, 'orig', None) or e}")


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
        help="keep sessions through Flask-Session in Redis, redis://host:port/db (rediss:// for TLS), "
        "or in PostgreSQL, postgres://user@host:port/db; default: $STORE, else cookie sessions",
    )
    args = parser.parse_args()
    if args.store and args.store != os.environ.get("STORE"):
        use_store(args.store)
    app.run(host="127.0.0.1", port=args.port)
