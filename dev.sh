#!/usr/bin/env bash
# The two commands of the README:
#   ./dev.sh run    install everything (first time) and serve the app on the bundled data
#   ./dev.sh test   install everything (first time) and run the whole test suite
# Works on a bare Debian machine with Python 3.11: as root it apt-installs what is
# missing (python3-venv, chromium for the browser tests).
set -euo pipefail
cd "$(dirname "$0")"
PY=${PYTHON:-python3}

apt_install() {
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "dev.sh: installing Debian packages: $*" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
  else
    echo "dev.sh: please install the Debian packages: $*" >&2
    return 1
  fi
}

ensure_venv() {
  if ! command -v "$PY" >/dev/null; then apt_install python3 python3-venv python3-pip; fi
  if [ ! -x .venv/bin/python ]; then
    "$PY" -m venv .venv 2>/dev/null || { apt_install python3-venv && "$PY" -m venv .venv; }
  fi
  local stamp
  stamp=".venv/.installed-$(cat pyproject.toml | sha256sum | cut -c1-16)"
  if [ ! -f "$stamp" ]; then
    .venv/bin/python -m pip install -q --upgrade pip
    .venv/bin/python -m pip install -q -e ".[test]"
    touch "$stamp"
  fi
}

ensure_chromium() {
  if [ ! -x /usr/bin/chromium ]; then
    apt_install chromium fonts-dejavu-core || echo "dev.sh: no chromium: browser tests will be skipped (they fail under CI=true)" >&2
  fi
}

cmd=${1:-}
shift || true
case "$cmd" in
  run)
    ensure_venv
    # Streamlit's own `run`, with the first page's imports started at once (app_pages/serve.py)
    exec .venv/bin/python -m app_pages.serve --server.headless=true --browser.gatherUsageStats=false "$@"
    ;;
  test)
    ensure_venv
    ensure_chromium
    # in parallel (pytest-xdist; an idle worker takes queued tests from a busy one, so the
    # long browser tests do not leave a worker waiting): PYTEST_WORKERS=0 runs serially
    if [ "${PYTEST_WORKERS:-2}" = 0 ]; then exec .venv/bin/python -m pytest "$@"; fi
    exec .venv/bin/python -m pytest -n "${PYTEST_WORKERS:-2}" --dist worksteal "$@"
    ;;
  *)
    echo "usage: ./dev.sh run | ./dev.sh test [pytest args]" >&2
    exit 2
    ;;
esac
