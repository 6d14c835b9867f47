"""The accounts example on Flask-Login, the reference for `go run ./example/accounts`.

The same routes, pages, flashes, session and remember cookie as the Gin app, so
the two can run side by side with one SECRET_KEY and share their logged-in
users, and the login form's CSRF token (Flask-WTF's). It needs Flask-Login 0.6
and Flask-WTF 1.1 (Debian: python3-flask-login python3-flaskext.wtf, under
/usr/bin/python3):

    SECRET_KEY=... /usr/bin/python3 example/accounts/flask_app.py 5000
    SECRET_KEY=... SESSION_PROTECTION=strong /usr/bin/python3 -m flask --app example/accounts/flask_app.py run

It is a demo: any user name logs in, without a password.
"""

import os
import secrets
import sys

from flask import Flask, flash, redirect, render_template, request
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
from jinja2 import DictLoader

app = Flask(__name__)

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
CSRFProtect(app)


@app.errorhandler(CSRFError)
def csrf_refused(e):
    # The reason as text, as the Gin app's csrf.Protect answers.
    return e.description, 400, {"Content-Type": "text/plain; charset=utf-8"}


class User(UserMixin):
    def __init__(self, name):
        self.id = name


@login_manager.user_loader
def load_user(user_id):
    return User(user_id)  # a demo: every name is a user


def is_safe_next(target):
    """Only paths on this site; the same check as flasklogin.IsSafeNext."""
    if not target or not target.startswith("/"):
        return False
    target = target.replace("\\", "/")
    if target.startswith("//"):
        return False
    return not any(ord(c) < 0x20 or ord(c) == 0x7F for c in target)


app.jinja_loader = DictLoader(
    {
        "layout.html": """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{% block title %}{% endblock %} - flasksession accounts</title>
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
<p id="status">Hello, {{ current_user.id }}</p>
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
<p id="status">Private page of {{ current_user.id }} ({{ "fresh" if fresh else "not fresh" }})</p>
{%- endblock %}
""",
        "settings.html": """{% extends "layout.html" %}
{%- block title %}Settings{% endblock %}
{%- block content -%}
<p id="status">Settings of {{ current_user.id }}</p>
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
        login_user(User(username), remember=request.form.get("remember") == "y")
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


@app.route("/logout")
def logout():
    logout_user()
    flash("Logged out.")
    return redirect("/")


if __name__ == "__main__":
    port = int(sys.argv[1] if len(sys.argv) > 1 else os.environ.get("PORT", "5000"))
    app.run(host="127.0.0.1", port=port)
