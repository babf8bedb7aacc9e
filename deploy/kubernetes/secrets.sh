#!/usr/bin/env bash
# Prints the two Secrets the manifests mount at /etc/headcount/pki, from a
# directory of PEM files and the policy (SECURITY.md):
#   headcount-ingest-tls  server.pem, server.key  <- DIR/ingest.pem, .key
#                         ca.pem, policy.json
#   headcount-audit-tls   server.pem, server.key  <- DIR/audit-server.pem, .key
#                         follower.pem, .key      <- DIR/FOLLOWER.pem, .key
#                         ca.pem, policy.json
# FOLLOWER is the client certificate the audit follows the ingest with (its
# CN has the follower role in the policy; default: audit).
# With the throwaway CA of deploy/pki.sh:
#   deploy/pki.sh example pki
#   deploy/pki.sh server pki ingest headcount-ingest
#   deploy/pki.sh server pki audit-server headcount-audit
#   deploy/kubernetes/secrets.sh pki | kubectl apply -n NAMESPACE -f -
# Usage: deploy/kubernetes/secrets.sh DIR [FOLLOWER]
set -euo pipefail
[ $# -ge 1 ] || { sed -n '2,17p' "$0" >&2; exit 2; }
dir=$1
follower=${2:-audit}

# secret NAME KEY=FILE...: one Secret with each FILE's bytes under KEY.
secret() {
  local name=$1
  shift
  printf -- '---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: %s\n' "$name"
  printf '  labels:\n    app.kubernetes.io/part-of: headcount\ntype: Opaque\ndata:\n'
  local pair
  for pair in "$@"; do
    local file=$dir/${pair#*=}
    [ -r "$file" ] || { echo "secrets.sh: cannot read $file" >&2; exit 1; }
    printf '  %s: %s\n' "${pair%%=*}" "$(base64 -w0 <"$file")"
  done
}

secret headcount-ingest-tls server.pem=ingest.pem server.key=ingest.key \
  ca.pem=ca.pem policy.json=policy.json
secret headcount-audit-tls server.pem=audit-server.pem \
  server.key=audit-server.key follower.pem="$follower.pem" \
  follower.key="$follower.key" ca.pem=ca.pem policy.json=policy.json
