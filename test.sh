#!/usr/bin/env bash
# 谈话系统:运行测试。
#
#   ./test.sh                          # the whole suite on SQLite
#   ./test.sh tests/test_serve.py -x   # arguments go to pytest
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/tanhua ./test.sh
#
# Sets up the same environment as ./start.sh, with the development lock
# (requirements-dev.lock: pytest, pytest-django, pytest-benchmark). With DATABASE_URL set,
# pytest-django creates (and drops) a test database on that server; SQLite otherwise.
# Exits with pytest's status.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

source scripts/setup-env.sh

setup_python requirements-dev.lock
setup_node
BIN=$(dirname "$(venv_python)")

collect_static

if [[ -n "${DATABASE_URL:-}" ]]; then
    say "运行测试(数据库:${DATABASE_URL%%:*},来自 DATABASE_URL)"
else
    say "运行测试(数据库:SQLite)"
fi
exec "$BIN/python" -m pytest "$@"
