"""Flask on the five scenarios of requests_test.go, as the cross-language
reference: app.wsgi_app called in a loop on a prebuilt WSGI environ, no
server. Prints Go benchmark lines (ns/op) that benchstat and benchtables
read, e.g.

    BenchmarkFlask/ReadOnly/session 20000 52000 ns/op

"bare" is the same route on an app whose session interface does nothing,
so session minus bare is what Flask's cookie sessions cost a request.

    python3 bench/flask_bench.py [-benchtime SECONDS] [-count N]
"""

import argparse
import sys
import timeit

from flask import Flask, session
from flask.sessions import NullSession, SessionInterface
from werkzeug.test import EnvironBuilder

SECRET_KEY = "bench-secret-key-0123456789abcde"
USERNAME = "alice"
# The same logged-in user as the Go subjects.
CONTENT = {
    "username": USERNAME,
    "user_id": 42,
    "roles": ["admin", "editor"],
    "csrf_token": "3f786850e387550fdab836ed7e6dc881de23001b",
    "login_at": 1700000000,
}

SCENARIOS = ["Untouched", "UntouchedCookie", "NewSet", "ReadOnly", "ReadModifySave"]
# The scenarios whose request carries the 5-key session cookie.
SENDS_COOKIE = ("UntouchedCookie", "ReadOnly", "ReadModifySave")


class NoSessionInterface(SessionInterface):
    """Flask without sessions: nothing read, nothing saved."""

    null = NullSession()

    def open_session(self, app, request):
        return self.null

    def save_session(self, app, session, response):
        pass


def handler(scenario):
    if scenario in ("Untouched", "UntouchedCookie"):
        return lambda: "ok"
    if scenario == "NewSet":

        def new_set():
            session["username"] = USERNAME
            return "ok"

        return new_set
    if scenario == "ReadOnly":
        return lambda: session.get("username", "")

    def read_modify_save():
        v = session.get("username", "")
        session["login_at"] = CONTENT["login_at"] + 1
        return v

    return read_modify_save


def bare_body(scenario):
    return USERNAME if scenario in ("ReadOnly", "ReadModifySave") else "ok"


def make_app(scenario, bare):
    app = Flask(__name__)
    app.secret_key = SECRET_KEY
    if bare:
        app.session_interface = NoSessionInterface()
        body = bare_body(scenario)
        app.add_url_rule("/", "index", lambda: body)
    else:
        app.add_url_rule("/", "index", handler(scenario))
    return app


def mint_cookie():
    app = Flask(__name__)
    app.secret_key = SECRET_KEY
    return app.session_interface.get_signing_serializer(app).dumps(CONTENT)


def environ_for(scenario, cookie):
    headers = {}
    if scenario in SENDS_COOKIE:
        headers["Cookie"] = "session=" + cookie
    return EnvironBuilder(path="/", method="GET", headers=headers).get_environ()


def request_fn(app, environ):
    """One request: a fresh copy of the environ (the app may write to it),
    the response iterated and closed as a WSGI server would."""
    status_headers = []

    def start_response(status, headers, exc_info=None):
        status_headers[:] = [status, headers]

    def run():
        resp = app.wsgi_app(dict(environ), start_response)
        try:
            body = b"".join(resp)
        finally:
            close = getattr(resp, "close", None)
            if close:
                close()
        return body

    return run, status_headers


def check(scenario, bare, run, status_headers):
    body = run()
    status, headers = status_headers
    want = bare_body(scenario).encode()
    if not status.startswith("200") or body != want:
        sys.exit(f"Flask {scenario} bare={bare}: got {status} {body!r}, want 200 {want!r}")
    set_cookie = any(k == "Set-Cookie" and v.startswith("session=") for k, v in headers)
    want_cookie = not bare and scenario in ("NewSet", "ReadModifySave")
    if set_cookie != want_cookie:
        sys.exit(f"Flask {scenario} bare={bare}: Set-Cookie {set_cookie}, want {want_cookie}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-benchtime", type=float, default=0.5, help="seconds per measurement")
    ap.add_argument("-count", type=int, default=1, help="measurements per benchmark")
    args = ap.parse_args()

    cookie = mint_cookie()
    for scenario in SCENARIOS:
        for bare in (True, False):
            app = make_app(scenario, bare)
            run, status_headers = request_fn(app, environ_for(scenario, cookie))
            check(scenario, bare, run, status_headers)
            timer = timeit.Timer(run)
            # Size the loop to about -benchtime seconds.
            t = timer.timeit(20) / 20
            n = max(1, int(args.benchtime / t))
            name = f"BenchmarkFlask/{scenario}/{'bare' if bare else 'session'}"
            for _ in range(args.count):
                ns = timer.timeit(n) / n * 1e9
                print(f"{name} {n} {ns:.0f} ns/op", flush=True)


if __name__ == "__main__":
    main()
