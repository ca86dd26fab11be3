"""Each process of the local run on the bus as its own RabbitMQ user (run.sh calls this).

    bus_users.py is-local URI        exit 0 when URI's broker is on this machine
    bus_users.py vhost URI           print URI's vhost (as kombu reads it)
    bus_users.py passwords DIR       make DIR/<user> (mode 600) once per user
    bus_users.py own URI VHOST DIR [PREFIX]
                                     print `export AMQP_URI_<USER>=...`, each its own user
    bus_users.py shared URI          the same lines, all with URI

The users are those of deploy/rabbitmq/definitions.json (every service and the gateway); run.sh
loads that file into the broker with deploy/rabbitmq/apply.sh and the same DIR, and the
Procfile starts each process with its AMQP_URI_<USER>. Standard library only.
"""
import json
import os
import secrets
import shlex
import sys
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
DEFINITIONS = os.path.join(HERE, "..", "rabbitmq", "definitions.json")
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


def users(definitions=DEFINITIONS):
    with open(definitions, encoding="utf-8") as f:
        return [user["name"] for user in json.load(f)["users"]]


def env_var(user):
    return "AMQP_URI_" + user.upper()


def is_local(uri):
    return (urllib.parse.urlsplit(uri).hostname or "localhost") in LOCAL_HOSTS


def vhost(uri):
    """As kombu reads it: the path after the first '/', unquoted; none means '/'."""
    return urllib.parse.unquote(urllib.parse.urlsplit(uri).path[1:]) or "/"


def passwords(folder, names):
    """{user: password}: read from folder/<user>, or a new random one written there (mode
    600, folder 700) the first time, so the users keep their passwords across runs."""
    os.makedirs(folder, mode=0o700, exist_ok=True)
    out = {}
    for user in names:
        path = os.path.join(folder, user)
        if not os.path.exists(path):
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as f:
                f.write(secrets.token_urlsafe(24) + "\n")
        with open(path) as f:
            out[user] = f.read().strip()
    return out


def own_uri(uri, user, password, vhost_name):
    """URI's broker (host, port, scheme) with this user, password and vhost."""
    parts = urllib.parse.urlsplit(uri)
    host = parts.hostname or "localhost"
    host = f"[{host}]" if ":" in host else host
    quote = lambda text: urllib.parse.quote(text, safe="")     # noqa: E731
    netloc = f"{quote(user)}:{quote(password)}@{host}:{parts.port or 5672}"
    return urllib.parse.urlunsplit((parts.scheme or "amqp", netloc, "/" + quote(vhost_name),
                                    "", ""))


def exports(uris):
    return "".join(f"export {env_var(user)}={shlex.quote(uri)}\n" for user, uri in uris.items())


def main(argv):
    command, args = argv[0], argv[1:]
    if command == "is-local":
        return 0 if is_local(args[0]) else 1
    if command == "vhost":
        print(vhost(args[0]))
    elif command == "passwords":
        passwords(args[0], users())
    elif command == "own":
        uri, vhost_name, folder = args[:3]
        prefix = args[3] if len(args) > 3 else ""
        found = passwords(folder, users())
        sys.stdout.write(exports({user: own_uri(uri, prefix + user, password, vhost_name)
                                  for user, password in found.items()}))
    elif command == "shared":
        sys.stdout.write(exports({user: args[0] for user in users()}))
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
