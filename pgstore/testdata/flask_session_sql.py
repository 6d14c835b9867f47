"""Flask-Session's SqlAlchemySessionInterface (Debian's 0.3.2) on a table
pgstore made: python3 flask_session_sql.py DB_URL ACTION [SID].

ACTION is read (print the session under SID), write (add from_flask to
it), or new (start a session with user=bob). Prints one JSON object: the
session, and the session cookie the response set ("" if none).
"""
import json
import sys

from flask import Flask, session
from flask_session import Session

url, action = sys.argv[1], sys.argv[2]
sid = sys.argv[3] if len(sys.argv) > 3 else ""

app = Flask(__name__)
app.config.update(
    SECRET_KEY="not used: no signer",
    SESSION_TYPE="sqlalchemy",
    SQLALCHEMY_DATABASE_URI=url,
    SQLALCHEMY_TRACK_MODIFICATIONS=False,
)
Session(app)


@app.route("/read")
def read():
    return json.dumps(dict(session))


@app.route("/write")
def write():
    session["from_flask"] = "yes"
    return json.dumps(dict(session))


@app.route("/new")
def new():
    session["user"] = "bob"
    return json.dumps(dict(session))


client = app.test_client(use_cookies=False)  # else its empty jar drops our Cookie header
headers = {"Cookie": "session=" + sid} if sid else {}
resp = client.get("/" + action, headers=headers)
cookie = ""
for h in resp.headers.getlist("Set-Cookie"):
    if h.startswith("session="):
        cookie = h.split(";")[0][len("session="):]
print(json.dumps({"status": resp.status_code, "session": json.loads(resp.get_data(as_text=True)), "cookie": cookie}))
