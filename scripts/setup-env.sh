# Shared by ./start.sh and ./test.sh: the Python virtualenv and the front-end packages,
# each installed from its lock file and reinstalled only when that file changes.
# shellcheck shell=bash

say() { printf '\n==> %s\n' "$*"; }
die() { printf '错误:%s\n' "$*" >&2; exit 1; }

# --- Python virtualenv from a lock file, reinstalled only when the lock changes --------
venv_python() {
    if [[ -x .venv/bin/python ]]; then echo .venv/bin/python; else echo .venv/Scripts/python.exe; fi
}

find_python() {
    local candidate
    for candidate in ${PYTHON:-} python3.11 python3 python; do
        if command -v "$candidate" >/dev/null 2>&1 \
            && "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
            echo "$candidate"
            return 0
        fi
    done
    return 1
}

setup_python() {
    local lock=$1 py stamp want
    py=$(venv_python)
    if ! "$py" -c 'import sys; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1; then
        local base
        base=$(find_python) || die "需要 Python 3.11 或更高版本(python3.11 / python3),未找到。"
        say "创建虚拟环境 .venv($("$base" --version 2>&1))"
        rm -rf .venv
        "$base" -m venv .venv || die "无法创建虚拟环境;Debian/Ubuntu 上请先安装 python3-venv(或 python3.11-venv)。"
        py=$(venv_python)
    fi
    stamp=".venv/.tanhua-${lock}.sha256"
    want=$("$py" - "$lock" pyproject.toml <<'EOF'
import hashlib, sys
h = hashlib.sha256(sys.version.encode())
for name in sys.argv[1:]:
    h.update(open(name, "rb").read())
print(h.hexdigest())
EOF
)
    if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]] && [[ -e "$(dirname "$py")/tanhua" || -e "$(dirname "$py")/tanhua.exe" ]]; then
        return 0
    fi
    say "安装 Python 依赖($lock)"
    "$py" -m pip install --disable-pip-version-check --quiet --require-hashes -r "$lock"
    "$py" -m pip install --disable-pip-version-check --quiet --no-deps -e .
    echo "$want" >"$stamp"
}

# --- front-end packages from package-lock.json -----------------------------------------
setup_node() {
    local want
    command -v npm >/dev/null 2>&1 || die "需要 Node.js 和 npm 来安装前端依赖(bootstrap、htmx),未找到 npm。"
    want=$(cat package.json package-lock.json | "$(venv_python)" -c 'import hashlib, sys; print(hashlib.sha256(sys.stdin.buffer.read()).hexdigest())')
    if [[ -f node_modules/.tanhua-lock.sha256 && "$(cat node_modules/.tanhua-lock.sha256)" == "$want" ]]; then
        return 0
    fi
    say "安装前端依赖(npm ci)"
    npm ci --no-audit --no-fund --prefer-offline
    echo "$want" >node_modules/.tanhua-lock.sha256
}

# --- static files into STATIC_ROOT (TANHUA_VAR_DIR/static), skipped when nothing changed ---
collect_static() {
    local manifest="${TANHUA_VAR_DIR:-var}/static/staticfiles.json" changed=""
    if [[ -f "$manifest" ]]; then
        changed=$(find tanhua .venv/.tanhua-*.sha256 node_modules/.tanhua-lock.sha256 \
            \( -path '*/static/*' -o -path tanhua/settings.py -o -name '.tanhua-*.sha256' \) \
            -newer "$manifest" -print -quit 2>/dev/null || true)
        [[ -z "$changed" ]] && return 0
    fi
    say "收集静态文件"
    "$(dirname "$(venv_python)")/tanhua" collectstatic --noinput -v0
}
