#!/usr/bin/env bash
# Makes the Secrets the Kubernetes base needs (the base ships none: no placeholder password, token or key):
#   lighthouse-tls, broker-tls  a private CA's certificate (ca.crt) and one certificate per member, <pod>.pfx (PKCS#12
#                               with its key), for Akka.Remote's mutual TLS; every member presents its own and accepts
#                               only certificates of this CA
#   tls-keystore                the password of the .pfx files (key: password)
#   admin                       the admin endpoint's bearer token (key: token; pbm --token / PBM_TOKEN)
#   postgres                    the database password and the node's connection string (postgres-password, connection-string)
#
#   k8s/certs/make-certs.sh [--out DIR] [--brokers N] [--lighthouses N] [--days N] [--namespace NS] [--no-certs]
#   kubectl apply -n NS -f DIR/secrets.yaml
#
# --brokers and --lighthouses must match the StatefulSets' replicas (3 and 2); run again with a larger --brokers before
# scaling up (it keeps the CA in DIR and issues the missing certificates). --no-certs makes tls-keystore, admin and
# postgres only (for the cert-manager overlay, which issues the certificates). DIR keeps the CA's private key: store
# it like any other secret, or delete it once the certificates are issued (a new CA then needs new certificates for
# every member). Needs openssl and base64.
set -euo pipefail

out=k8s-secrets
brokers=3
lighthouses=2
days=365
namespace=
certs=1
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out="$2"; shift 2 ;;
    --brokers) brokers="$2"; shift 2 ;;
    --lighthouses) lighthouses="$2"; shift 2 ;;
    --days) days="$2"; shift 2 ;;
    --namespace) namespace="$2"; shift 2 ;;
    --no-certs) certs=; shift ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "make-certs.sh: unknown argument '$1' (allowed: --out DIR, --brokers N, --lighthouses N, --days N, --namespace NS, --no-certs)" >&2; exit 2 ;;
  esac
done
for number in "$brokers" "$lighthouses" "$days"; do
  case "$number" in
    ''|*[!0-9]*|0) echo "make-certs.sh: '$number' is not a positive whole number (--brokers, --lighthouses and --days take one)" >&2; exit 2 ;;
  esac
done
command -v openssl >/dev/null || { echo "make-certs.sh: openssl is not installed (apt-get install -y openssl)" >&2; exit 2; }

mkdir -p "$out"
chmod 700 "$out"
umask 077
cd "$out"

b64() { base64 < "$1" | tr -d '\n'; }
b64s() { printf '%s' "$1" | base64 | tr -d '\n'; }
random() { openssl rand -hex 24; }

# Kept across runs, so that adding members does not invalidate the certificates and passwords already handed out.
[ -s keystore-password ] || random > keystore-password
[ -s admin-token ] || random > admin-token
[ -s postgres-password ] || random > postgres-password
password="$(cat keystore-password)"

if [ -n "$certs" ] && [ ! -s ca.key ]; then
  openssl ecparam -name prime256v1 -genkey -noout -out ca.key 2>/dev/null
  openssl req -x509 -new -key ca.key -sha256 -days "$days" -subj "/CN=ActorPubSub cluster CA" \
    -addext "basicConstraints=critical,CA:TRUE,pathlen:0" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -addext "subjectKeyIdentifier=hash" -out ca.crt
fi

# One certificate per member: <statefulset>-<i>, advertised as <pod>.<headless service> (the CLUSTER_IP of the base).
issue() {
  local pod="$1" service="$2"
  [ -s "$pod.pfx" ] && return 0
  local san="DNS:$pod.$service,DNS:$pod"
  [ -n "$namespace" ] && san="$san,DNS:$pod.$service.$namespace.svc,DNS:$pod.$service.$namespace.svc.cluster.local"
  openssl ecparam -name prime256v1 -genkey -noout -out "$pod.key" 2>/dev/null
  openssl req -new -key "$pod.key" -subj "/CN=$pod.$service" -out "$pod.csr"
  printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth,clientAuth\nsubjectAltName=%s\nauthorityKeyIdentifier=keyid\n' "$san" > "$pod.ext"
  openssl x509 -req -in "$pod.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -days "$days" -sha256 -extfile "$pod.ext" -out "$pod.crt" 2>/dev/null
  openssl pkcs12 -export -inkey "$pod.key" -in "$pod.crt" -name "$pod" -passout "pass:$password" -out "$pod.pfx"
  rm -f "$pod.key" "$pod.csr" "$pod.ext"
}

tls_secret() {   # name, statefulset, service, count
  local name="$1" set="$2" service="$3" count="$4" i
  printf -- '---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: %s\n  labels:\n    app.kubernetes.io/part-of: actorpubsub\ntype: Opaque\ndata:\n  ca.crt: %s\n' "$name" "$(b64 ca.crt)"
  for ((i = 0; i < count; i++)); do
    issue "$set-$i" "$service"
    printf '  %s.pfx: %s\n' "$set-$i" "$(b64 "$set-$i.pfx")"
  done
}

{
  printf '# Made by k8s/certs/make-certs.sh. Secret: do not commit it. kubectl apply -n <namespace> -f secrets.yaml\n'
  if [ -n "$certs" ]; then
    tls_secret lighthouse-tls lighthouse lighthouse "$lighthouses"
    tls_secret broker-tls broker broker "$brokers"
  fi
  printf -- '---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: tls-keystore\n  labels:\n    app.kubernetes.io/part-of: actorpubsub\ntype: Opaque\ndata:\n  password: %s\n' "$(b64s "$password")"
  printf -- '---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: admin\n  labels:\n    app.kubernetes.io/part-of: actorpubsub\ntype: Opaque\ndata:\n  token: %s\n' "$(b64s "$(cat admin-token)")"
  pg="$(cat postgres-password)"
  printf -- '---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: postgres\n  labels:\n    app.kubernetes.io/part-of: actorpubsub\ntype: Opaque\ndata:\n  postgres-password: %s\n  connection-string: %s\n' \
    "$(b64s "$pg")" "$(b64s "Host=postgres;Port=5432;Database=actorpubsub;Username=actorpubsub;Password=$pg")"
} > secrets.yaml

echo "make-certs.sh: wrote $(pwd)/secrets.yaml; apply it with: kubectl apply -n <namespace> -f $(pwd)/secrets.yaml" >&2
