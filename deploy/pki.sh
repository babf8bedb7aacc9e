#!/usr/bin/env bash
# A throwaway certificate authority for development, the tests and the demo,
# made with Debian's openssl (EC P-256 keys). Not for production: the keys
# are unencrypted files and the CA signs whatever it is asked to.
# Usage:
#   deploy/pki.sh ca DIR                     DIR/ca.pem, DIR/ca.key
#   deploy/pki.sh server DIR NAME [HOST...]  DIR/NAME.pem, DIR/NAME.key; the
#                                            names clients dial: localhost,
#                                            127.0.0.1 and each HOST
#   deploy/pki.sh client DIR CN [--expired]  DIR/CN.pem, DIR/CN.key: a client
#                                            certificate whose subject CN is
#                                            the principal of the policy
#   deploy/pki.sh example DIR                a CA, DIR/server.*, certificates
#                                            of SECURITY.md's five example
#                                            principals and DIR/policy.json
#                                            binding them
# A server or client certificate is signed by DIR/ca.pem; --expired makes
# one whose validity ended a day before it began (for tests).
set -euo pipefail
command -v openssl >/dev/null ||
  { echo "pki.sh: openssl is not installed (apt-get install openssl)" >&2; exit 1; }
[ $# -ge 2 ] || { sed -n '2,19p' "$0" >&2; exit 2; }
what=$1 dir=$2
shift 2
mkdir -p "$dir"
newkey=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes)

# sign NAME EXTENSIONS DAYS: DIR/NAME.csr -> DIR/NAME.pem, signed by the CA.
sign() {
  printf '%s\n' "$2" >"$dir/$1.ext"
  openssl x509 -req -in "$dir/$1.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" \
    -set_serial "0x$(openssl rand -hex 8)" -days "$3" \
    -extfile "$dir/$1.ext" -out "$dir/$1.pem" 2>/dev/null
  rm -f "$dir/$1.csr" "$dir/$1.ext"
  chmod 600 "$dir/$1.key"
}

case $what in
  ca)
    openssl req -x509 "${newkey[@]}" -keyout "$dir/ca.key" -out "$dir/ca.pem" \
      -subj "/O=headcount/CN=headcount test CA $(openssl rand -hex 4)" \
      -days 3650 -addext "basicConstraints=critical,CA:TRUE" \
      -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
    chmod 600 "$dir/ca.key"
    ;;
  server)
    name=$1
    shift
    san="DNS:localhost,IP:127.0.0.1"
    for host in "$@"; do
      if [[ $host =~ ^[0-9.]+$ ]]; then san+=",IP:$host"; else san+=",DNS:$host"; fi
    done
    openssl req -new "${newkey[@]}" -keyout "$dir/$name.key" -out "$dir/$name.csr" \
      -subj "/O=headcount/CN=$name" 2>/dev/null
    sign "$name" "subjectAltName=$san
extendedKeyUsage=serverAuth
basicConstraints=CA:FALSE" 825
    ;;
  client)
    cn=$1
    days=825
    [ "${2:-}" = "--expired" ] && days=-1
    openssl req -new "${newkey[@]}" -keyout "$dir/$cn.key" -out "$dir/$cn.csr" \
      -subj "/O=headcount/CN=$cn" 2>/dev/null
    sign "$cn" "extendedKeyUsage=clientAuth
basicConstraints=CA:FALSE" "$days"
    ;;
  example)
    "$0" ca "$dir"
    "$0" server "$dir" server
    for cn in clerk-yongxing lixin-office province-reader audit ops; do
      "$0" client "$dir" "$cn"
    done
    cat >"$dir/policy.json" <<'JSON'
{"bindings": [
  {"principal": "clerk-yongxing", "role": "district_clerk", "county": "利辛县", "district": "永兴"},
  {"principal": "lixin-office", "role": "county_office", "county": "利辛县"},
  {"principal": "province-reader", "role": "reader", "counties": ["利辛县"]},
  {"principal": "audit", "role": "follower"},
  {"principal": "ops", "role": "operator"}
]}
JSON
    ;;
  *)
    sed -n '2,19p' "$0" >&2
    exit 2
    ;;
esac
