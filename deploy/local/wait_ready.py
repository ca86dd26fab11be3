"""Wait for the local platform, then print its URL and the demo accounts (run.sh starts this).

    python deploy/local/wait_ready.py URL TIMEOUT_SECONDS WATCH_PID

Ready is the gateway's GET /healthz answering 200 with every dependency ok/up. Gives up, and
says why, at the timeout; exits quietly once WATCH_PID (honcho) is gone.
"""
import json
import os
import sys
import time
import urllib.error
import urllib.request

from osac_shared.registry import DEPARTMENTS

PASSWORD = "demo1234"


def banner(url, still_down=()):
    staff = "\n".join(f"     {d}_b / {d}_a" for d in DEPARTMENTS)
    late = (f"\n 仍在启动 / still starting: {', '.join(still_down)}" if still_down else "")
    return f"""
================================================================================
 一站式学生事务中心已启动 / One-Stop Student Affairs Center is up:
     {url}
 演示账号（密码均为 {PASSWORD}）/ demo accounts (password {PASSWORD} for all):
   学生 / students:               2026000001 … 2026000020 (profiles: README)
   资助评审委员会 / aid committee: aid_committee
   咨询台 / consultation desk:    desk
   中心主任 / director:           director
   管理委员会 / committee:        committee
   各部门 B岗（受理）/ A岗（审批）/ each department, B post (intake) / A post (approval):
{staff}{late}
 按 Ctrl-C 停止全部服务 / press Ctrl-C to stop everything
================================================================================
"""


def health(url):
    """(status code or None, {dependency: state})"""
    try:
        with urllib.request.urlopen(url + "healthz", timeout=2) as response:
            status, body = response.status, response.read()
    except urllib.error.HTTPError as err:
        status, body = err.code, err.read()
    except OSError:
        return None, {}
    try:
        return status, json.loads(body).get("dependencies", {})
    except ValueError:
        return status, {}


def alive(pid):
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False
    except PermissionError:
        return True


def main(url, timeout, watch_pid):
    deadline = time.monotonic() + timeout
    status, deps = None, {}
    while alive(watch_pid):
        status, deps = health(url)
        down = [name for name, state in deps.items() if state not in ("ok", "up")]
        if status == 200 and not down:
            print(banner(url), flush=True)
            return 0
        if time.monotonic() >= deadline:
            if status == 200:       # usable; name the departments that are not up yet
                print(banner(url, down), flush=True)
                return 0
            print(f"网关 {timeout:.0f} 秒内未就绪，请看上面的日志 / the gateway did not answer "
                  f"{url}healthz within {timeout:.0f}s: see the log above", file=sys.stderr,
                  flush=True)
            return 1
        time.sleep(1)
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], float(sys.argv[2]), int(sys.argv[3])))
