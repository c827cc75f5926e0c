#!/usr/bin/env bash
# The TLS front's certificate (deploy/local/nginx/): the organiser's own, or a local CA made once per
# run dir and a server certificate it signs. Tablets install the CA's certificate once; the server
# certificate can then be re-issued (new host name, new address in the hall) without touching them.
#
# Usage: deploy/local/tls.sh COMMAND
#   ensure    (what stack.sh runs before starting nginx) with EXPO_TLS_CERT/EXPO_TLS_KEY: check that
#             they are readable, belong together and are in date; otherwise make the local CA if
#             <run dir>/tls has none, and (re-)issue the server certificate when it is missing, signed
#             by another CA, due to expire within 30 days, or for other names/addresses than now
#   show      what is in use: files, names, expiry, the CA's SHA-256 fingerprint
#   paths     PUBLIC_HOST=... TLS_CERT=... TLS_KEY=... TLS_CA=... lines (TLS_CA empty for an organiser's)
#
# Environment (defaults in brackets):
#   EXPO_RUN_DIR [<repo>/run/local]   certificates go to <run dir>/tls/
#   EXPO_PUBLIC_HOST [the one given to an earlier `ensure` of this run dir, else `hostname -f`]
#                                      the host name tablets use; a DNS name in the certificate
#   EXPO_TLS_CERT, EXPO_TLS_KEY [those given to an earlier `ensure` of this run dir, else none]
#                                      the organiser's certificate (PEM, full chain) and key: both or
#                                      none; set both empty to go back to the local CA
#
# Files of the local CA (<run dir>/tls/): ca.key (0600; never leaves this machine), ca.crt,
# expo-local-ca.crt (the copy the tablets install), server.key (0600), server.crt, server.names (the
# names and addresses the certificate was made for); front.env: the host name and organiser's
# certificate given last, so a later `make up` without them keeps what the tablets were set up for.
set -euo pipefail

# shellcheck source=deploy/local/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

tls_dir=$run_dir/tls
ca_key=$tls_dir/ca.key
ca_crt=$tls_dir/ca.crt
ca_public=$tls_dir/expo-local-ca.crt
server_key=$tls_dir/server.key
server_crt=$tls_dir/server.crt
server_names=$tls_dir/server.names
ca_days=3650
server_days=825          # the most Apple devices accept for a server certificate
renew_before_s=$((30 * 86400))
# Certificates start a day in the past: a tablet whose clock is a few hours behind must not see a
# certificate made at the hall as "not yet valid".
backdate_s=86400

settings_file=$tls_dir/front.env
saved_setting() {
  [[ -f $settings_file ]] && sed -n "s/^$1=//p" "$settings_file" | head -n1
  return 0
}

# Sets chosen_host (empty: the default), org_cert and org_key (empty: the local CA). Settings stick to
# the run dir like the admin token does: forgetting EXPO_PUBLIC_HOST at the second `make up` must
# not silently give the tablets a certificate for another name.
resolve_settings() {
  chosen_host=${EXPO_PUBLIC_HOST:-}
  [[ -n $chosen_host ]] || chosen_host=$(saved_setting PUBLIC_HOST)
  if [[ -n ${EXPO_TLS_CERT+set} || -n ${EXPO_TLS_KEY+set} ]]; then
    org_cert=${EXPO_TLS_CERT:-}
    org_key=${EXPO_TLS_KEY:-}
    [[ -z $org_cert ]] || org_cert=$(realpath -m "$org_cert")
    [[ -z $org_key ]] || org_key=$(realpath -m "$org_key")
  else
    org_cert=$(saved_setting TLS_CERT)
    org_key=$(saved_setting TLS_KEY)
  fi
  if [[ -n $chosen_host && ! $chosen_host =~ ^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$ ]]; then
    die "EXPO_PUBLIC_HOST '$chosen_host' is not a host name (letters, digits, dots and hyphens)"
  fi
  if [[ -n $org_cert || -n $org_key ]] && [[ -z $org_cert || -z $org_key ]]; then
    die "set both EXPO_TLS_CERT and EXPO_TLS_KEY, or neither"
  fi
  return 0
}

save_settings() {
  printf 'PUBLIC_HOST=%s\nTLS_CERT=%s\nTLS_KEY=%s\n' "$chosen_host" "$org_cert" "$org_key" >"$settings_file.new"
  mv -f "$settings_file.new" "$settings_file"
}

public_host() {
  if [[ -n $chosen_host ]]; then
    printf '%s' "$chosen_host"
    return
  fi
  local h
  h=$(hostname -f 2>/dev/null || true)
  [[ -n $h ]] || h=$(hostname)
  printf '%s' "$h"
}

is_ipv4() { [[ $1 =~ ^[0-9]{1,3}(\.[0-9]{1,3}){3}$ ]]; }

# The machine's own non-loopback IPv4 addresses, read from the interfaces (nothing is contacted).
local_ipv4_addresses() {
  ip -4 -o addr show 2>/dev/null | awk '{ split($4, a, "/"); if (a[1] !~ /^127\./) print a[1] }' | sort -u
}

# The subjectAltName list, one entry a line, in a stable order (compared with server.names).
wanted_names() {
  local host short addr
  host=$(public_host)
  if is_ipv4 "$host"; then printf 'IP:%s\n' "$host"; else printf 'DNS:%s\n' "$host"; fi
  # `hostname -f` gives "expo.lan" where tablets may type "expo": both are the same machine.
  if [[ -z $chosen_host && $host == *.* ]]; then
    short=${host%%.*}
    [[ -n $short ]] && printf 'DNS:%s\n' "$short"
  fi
  printf 'DNS:localhost\nIP:127.0.0.1\n'
  for addr in $(local_ipv4_addresses); do
    [[ $addr == "$host" ]] || printf 'IP:%s\n' "$addr"
  done
}

openssl_date() { date -u -d "@$1" '+%Y%m%d%H%M%SZ'; }

# `openssl ca` rather than `x509 -req`: OpenSSL 3.0's x509 cannot set the start date. Its database
# lives in a scratch folder: the run dir keeps only the certificates.
sign() {
  local scratch=$1 csr=$2 out=$3 days=$4 extensions=$5 subject=$6
  shift 6
  local start=$(($(date +%s) - backdate_s))
  : >"$scratch/index.txt"
  mkdir -p "$scratch/issued"
  openssl ca -batch -notext -config "$scratch/openssl.cnf" -in "$csr" -out "$out" \
    -subj "$subject" -startdate "$(openssl_date "$start")" -enddate "$(openssl_date $((start + days * 86400)))" \
    -extensions "$extensions" "$@" >"$scratch/ca.log" 2>&1 || {
    cat "$scratch/ca.log" >&2
    die "openssl ca failed (see above)"
  }
}

write_openssl_config() {
  local scratch=$1 sans=$2
  cat >"$scratch/openssl.cnf" <<EOF
[ req ]
distinguished_name = req_dn
prompt             = no
[ req_dn ]
CN = placeholder

[ ca ]
default_ca = expo_ca
[ expo_ca ]
dir             = $scratch
database        = \$dir/index.txt
new_certs_dir   = \$dir/issued
rand_serial     = yes
default_md      = sha256
policy          = policy_any
unique_subject  = no
copy_extensions = none
email_in_dn     = no
[ policy_any ]
organizationName       = optional
commonName             = supplied

[ ca_ext ]
basicConstraints       = critical, CA:TRUE, pathlen:0
keyUsage               = critical, keyCertSign, cRLSign
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always

[ server_ext ]
basicConstraints       = critical, CA:FALSE
keyUsage               = critical, digitalSignature
extendedKeyUsage       = serverAuth
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid, issuer
subjectAltName         = $sans
EOF
}

new_key() {
  (umask 077 && openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null) ||
    die "could not make a key in $1"
  chmod 600 "$1"
}

make_ca() {
  local scratch=$1 host
  host=$(public_host)
  new_key "$ca_key.new"
  openssl req -new -config "$scratch/openssl.cnf" -key "$ca_key.new" -out "$scratch/ca.csr" -subj "/CN=x" 2>/dev/null ||
    die "could not make the CA's request"
  sign "$scratch" "$scratch/ca.csr" "$ca_crt.new" "$ca_days" ca_ext "/O=Expo local/CN=Expo local CA $host" \
    -selfsign -keyfile "$ca_key.new"
  mv -f "$ca_key.new" "$ca_key"
  mv -f "$ca_crt.new" "$ca_crt"
  cp -f "$ca_crt" "$ca_public"
  chmod 644 "$ca_crt" "$ca_public"
  rm -f "$server_crt" "$server_names"   # signed by the CA this one replaces
  say "made a local CA ($(ca_fingerprint)); tablets install $ca_public"
}

make_server_certificate() {
  local scratch=$1 host
  host=$(public_host)
  new_key "$server_key.new"
  openssl req -new -config "$scratch/openssl.cnf" -key "$server_key.new" -out "$scratch/server.csr" -subj "/CN=x" \
    2>/dev/null || die "could not make the server certificate's request"
  sign "$scratch" "$scratch/server.csr" "$server_crt.new" "$server_days" server_ext "/CN=$host" \
    -cert "$ca_crt" -keyfile "$ca_key"
  mv -f "$server_key.new" "$server_key"
  mv -f "$server_crt.new" "$server_crt"
  chmod 644 "$server_crt"
  wanted_names >"$server_names"
  say "issued the server certificate for $(tr '\n' ' ' <"$server_names")(valid $server_days days)"
}

ca_fingerprint() {
  openssl x509 -in "$ca_crt" -noout -fingerprint -sha256 | sed 's/^.*=/SHA-256 /'
}

# Why the server certificate must be (re-)issued; empty when it is fine.
server_certificate_problem() {
  [[ -s $server_crt && -s $server_key ]] || { printf 'none yet'; return; }
  [[ -s $server_names && $(<"$server_names") == "$(wanted_names)" ]] || {
    printf 'the names or addresses changed'
    return
  }
  openssl verify -CAfile "$ca_crt" "$server_crt" >/dev/null 2>&1 || { printf 'not signed by the current CA'; return; }
  openssl x509 -in "$server_crt" -noout -checkend "$renew_before_s" >/dev/null 2>&1 || {
    printf 'it expires within 30 days'
    return
  }
  return 0
}

check_organiser_certificate() {
  local cert=$org_cert key=$org_key
  [[ -r $cert ]] || die "EXPO_TLS_CERT: cannot read $cert"
  [[ -r $key ]] || die "EXPO_TLS_KEY: cannot read $key"
  local cert_pub key_pub
  cert_pub=$(openssl x509 -in "$cert" -noout -pubkey 2>/dev/null) || die "EXPO_TLS_CERT: $cert is not a PEM certificate"
  key_pub=$(openssl pkey -in "$key" -pubout 2>/dev/null) || die "EXPO_TLS_KEY: $key is not a PEM private key (without a passphrase)"
  [[ $cert_pub == "$key_pub" ]] || die "EXPO_TLS_KEY does not belong to EXPO_TLS_CERT (the first certificate in $cert)"
  openssl x509 -in "$cert" -noout -checkend 0 >/dev/null 2>&1 || die "EXPO_TLS_CERT: $cert has expired"
  if ! openssl x509 -in "$cert" -noout -checkend "$renew_before_s" >/dev/null 2>&1; then
    warn "EXPO_TLS_CERT: $cert expires within 30 days ($(openssl x509 -in "$cert" -noout -enddate | cut -d= -f2))"
  fi
  local host
  host=$(public_host)
  if ! openssl x509 -in "$cert" -noout -checkhost "$host" 2>/dev/null | grep -q 'does match'; then
    warn "EXPO_TLS_CERT: $cert is not for $host (EXPO_PUBLIC_HOST); tablets using that name will refuse it"
  fi
}

organiser_certificate() { [[ -n $org_cert ]]; }

cmd_ensure() {
  command -v openssl >/dev/null || die "openssl not found; run: deploy/deps.sh"
  ensure_run_dir
  mkdir -p "$tls_dir"
  chmod 755 "$tls_dir"
  if [[ -z ${EXPO_PUBLIC_HOST:-} && -n $chosen_host ]]; then
    say "host name $chosen_host, as given to an earlier start (EXPO_PUBLIC_HOST changes it)"
  fi
  if organiser_certificate; then
    [[ -n ${EXPO_TLS_CERT+set} ]] ||
      say "the organiser's certificate $org_cert, as given to an earlier start (EXPO_TLS_CERT= EXPO_TLS_KEY= goes back to the local CA)"
    check_organiser_certificate
    save_settings
    return 0
  fi
  save_settings
  local scratch
  scratch=$(mktemp -d)
  # shellcheck disable=SC2064 # the path is fixed now
  trap "rm -rf '$scratch'" EXIT
  local sans
  sans=$(wanted_names | paste -sd, -)
  write_openssl_config "$scratch" "$sans"
  if [[ ! -s $ca_key || ! -s $ca_crt ]] ||
     ! openssl x509 -in "$ca_crt" -noout -checkend "$renew_before_s" >/dev/null 2>&1; then
    make_ca "$scratch"
  fi
  if ! cmp -s "$ca_crt" "$ca_public"; then
    cp -f "$ca_crt" "$ca_public"
    chmod 644 "$ca_public"
  fi
  local why
  why=$(server_certificate_problem) || true
  if [[ -n $why ]]; then
    [[ $why == "none yet" ]] || say "re-issuing the server certificate: $why"
    make_server_certificate "$scratch"
  fi
}

cmd_paths() {
  printf 'PUBLIC_HOST=%s\n' "$(public_host)"
  if organiser_certificate; then
    printf 'TLS_CERT=%s\nTLS_KEY=%s\nTLS_CA=\n' "$org_cert" "$org_key"
  else
    printf 'TLS_CERT=%s\nTLS_KEY=%s\nTLS_CA=%s\n' "$server_crt" "$server_key" "$ca_public"
  fi
}

cmd_show() {
  local cert
  if organiser_certificate; then
    cert=$org_cert
    printf "organiser's certificate %s (key %s)\n" "$cert" "$org_key"
  else
    cert=$server_crt
    [[ -s $cert && -s $ca_crt ]] || { printf 'no local CA yet in %s (made by: %s ensure)\n' "$tls_dir" "$0"; return 1; }
    printf 'local CA         %s\n' "$ca_public"
    printf '                 %s, until %s\n' "$(ca_fingerprint)" "$(openssl x509 -in "$ca_crt" -noout -enddate | cut -d= -f2)"
    printf 'server cert      %s (key %s)\n' "$server_crt" "$server_key"
  fi
  printf 'names            %s\n' "$(openssl x509 -in "$cert" -noout -ext subjectAltName 2>/dev/null | tail -n +2 | sed 's/^ *//')"
  printf 'valid until      %s\n' "$(openssl x509 -in "$cert" -noout -enddate | cut -d= -f2)"
}

resolve_settings
case ${1:-} in
  ensure) cmd_ensure ;;
  show) cmd_show ;;
  paths) cmd_paths ;;
  -h|--help|help) usage_from_header "${BASH_SOURCE[0]}" ;;
  *) usage_from_header "${BASH_SOURCE[0]}" >&2; exit 2 ;;
esac
