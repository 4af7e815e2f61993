#!/usr/bin/env bash
# 谈话系统:安装并启动。
#
#   ./start.sh                         # http://127.0.0.1:8000/
#   ./start.sh --host 0.0.0.0 --port 8080
#
# Needs Python 3.11+ with pip and venv, and Node.js with npm. On the first run it creates
# .venv, installs the locked Python packages (requirements.lock, hash-checked) and the
# front-end packages (package-lock.json), collects static files, creates the database and
# loads the demo data; later runs redo only what changed. Arguments go to `tanhua serve`.
# DATABASE_URL, TANHUA_VAR_DIR, TANHUA_HOST, TANHUA_PORT etc. are read as usual.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

source scripts/setup-env.sh

setup_python requirements.lock
setup_node
BIN=$(dirname "$(venv_python)")
tanhua() { "$BIN/tanhua" "$@"; }

collect_static

say "更新数据库结构"
tanhua migrate --noinput -v0

state=$(tanhua shell -v0 -c '
from django.contrib.auth import get_user_model
from tanhua.registry.models import Unit
print("units" if Unit.objects.exists() else "empty", "admin" if get_user_model().objects.filter(username="admin").exists() else "-")
')
if [[ "$state" == empty* ]]; then
    say "数据库中还没有单位,载入演示数据"
    tanhua demo # prints the demo logins itself
elif [[ "$state" == *admin ]]; then
    echo
    tanhua demo --logins
fi

say "启动 Web 服务"
exec "$BIN/tanhua" serve "$@"
