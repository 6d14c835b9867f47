"""Flask's quickstart session example, the reference for the Gin port in main.go.

The same routes, answers, flashes and "remember me" as `go run ./example`, so the
two can run side by side with one SECRET_KEY and share their logins:

    SECRET_KEY=... python3 example/flask_app.py 5000      # or PORT=5000
    SECRET_KEY=... flask --app example/flask_app.py run

The templates render byte for byte the same HTML as the Go templates in
templates/ (the Go test checks this).
"""

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
    port = int(sys.argv[1] if len(sys.argv) > 1 else os.environ.get("PORT", "5000"))
    app.run(host="127.0.0.1", port=port)
