"""Ready definitions.json for one broker: the vhost, user names and password hashes.
Standard library only (apply.sh runs it wherever rabbitmqctl is).

    python3 defs.py definitions.json [--vhost V] [--prefix P] [--secrets-dir D]  > out.json
    python3 defs.py definitions.json ... --post http://rabbitmq:15672   (management API)

Each user's password comes from ``$RABBITMQ_PASSWORD_<USER>`` (user name upper-cased, e.g.
RABBITMQ_PASSWORD_STUDENT_AFFAIRS) or the file ``<secrets-dir>/<user>``; it is stored only as
a salted SHA-256 hash (RabbitMQ's rabbit_password_hashing_sha256), never printed. A user with
no password is refused (exit 2) unless ``--allow-missing`` (it then cannot log in).
With ``--post`` the result goes to the management API (``POST /api/definitions``) as
``$RABBITMQ_ADMIN_USER`` / ``$RABBITMQ_ADMIN_PASSWORD``, retried while the API is not up yet
(for a one-shot container started next to a booting broker); python3 is all it needs.
"""
import argparse
import base64
import copy
import hashlib
import json
import os
import re
import sys
import time
import urllib.error
import urllib.request


def password_hash(password, salt=None):
    """RabbitMQ's rabbit_password_hashing_sha256: base64(salt + sha256(salt + password))."""
    salt = os.urandom(4) if salt is None else salt
    return base64.b64encode(salt + hashlib.sha256(salt + password.encode()).digest()).decode()


def retarget(defs, vhost="/", prefix="", passwords=None):
    """A copy of ``defs`` for ``vhost``, user names prefixed, password hashes filled in."""
    out = copy.deepcopy(defs)
    passwords = passwords or {}
    out["vhosts"] = [{"name": vhost}]
    for user in out["users"]:
        name = user["name"]
        user["name"] = prefix + name
        user["password_hash"] = password_hash(passwords[name]) if passwords.get(name) else ""
    for key in ("permissions", "topic_permissions"):
        for row in out.get(key, []):
            row["vhost"], row["user"] = vhost, prefix + row["user"]
    for row in out.get("exchanges", []):
        row["vhost"] = vhost
    return out


def env_name(user):
    return "RABBITMQ_PASSWORD_" + re.sub(r"[^A-Za-z0-9]", "_", user).upper()


def post(api_url, body, wait=120):
    """POST the definitions to the management API; retry while it refuses connections."""
    user, password = os.environ["RABBITMQ_ADMIN_USER"], os.environ["RABBITMQ_ADMIN_PASSWORD"]
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    request = urllib.request.Request(
        api_url.rstrip("/") + "/api/definitions", data=body.encode(), method="POST",
        headers={"content-type": "application/json", "authorization": "Basic " + token})
    deadline = time.monotonic() + wait
    while True:
        try:
            with urllib.request.urlopen(request, timeout=30):
                return 0
        except urllib.error.HTTPError as err:         # the API answered: no point retrying
            print(f"{api_url}: HTTP {err.code} {err.read()[:300]!r} / 管理接口拒绝了导入",
                  file=sys.stderr)
            return 1
        except OSError as err:                        # not listening yet
            if time.monotonic() > deadline:
                print(f"{api_url}: {err} / 管理接口无法连接", file=sys.stderr)
                return 1
            time.sleep(3)


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("definitions")
    parser.add_argument("--vhost", default=os.environ.get("RABBITMQ_VHOST", "/"))
    parser.add_argument("--prefix", default="")
    parser.add_argument("--secrets-dir", default=os.environ.get("RABBITMQ_SECRETS_DIR", ""))
    parser.add_argument("--allow-missing", action="store_true")
    parser.add_argument("--post", metavar="API_URL", default="",
                        help="send to this management API instead of printing")
    args = parser.parse_args(argv)
    with open(args.definitions) as f:
        defs = json.load(f)
    passwords, missing = {}, []
    for user in (u["name"] for u in defs["users"]):
        value = os.environ.get(env_name(user), "")
        path = os.path.join(args.secrets_dir, user) if args.secrets_dir else ""
        if not value and path and os.path.isfile(path):
            with open(path) as f:
                value = f.read().strip()
        if value:
            passwords[user] = value
        else:
            missing.append(user)
    if missing and not args.allow_missing:
        print("no password for: " + ", ".join(missing) + " (set " + env_name(missing[0]) +
              " ... or --secrets-dir) / 以下用户缺少密码", file=sys.stderr)
        return 2
    ready = retarget(defs, args.vhost, args.prefix, passwords)
    if args.post:
        return post(args.post, json.dumps(ready))
    json.dump(ready, sys.stdout, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
