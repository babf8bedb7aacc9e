# Sourced by the tests that run a Node.js program: skips the test (exit
# 77) without node and npm, and installs the npm packages it needs into a
# directory of the build tree (ignored by git) once.
# npm_packages NPM_DIR PACKAGE@VERSION...: exits 77 without node or npm, 1
# when npm cannot install; afterwards NODE_PATH=NPM_DIR/node_modules finds
# them.
npm_packages() {
  local dir=$1
  shift
  if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    echo "SKIP: node and npm are not installed (deploy/install-deps.sh installs them)"
    exit 77
  fi
  local package missing=()
  for package in "$@"; do
    [ -d "$dir/node_modules/${package%@*}" ] || missing+=("$package")
  done
  [ ${#missing[@]} -eq 0 ] && return
  mkdir -p "$dir"
  npm install --silent --no-audit --no-fund --prefix "$dir" "$@" ||
    { echo "FAIL: npm install $* did not work"; exit 1; }
}
