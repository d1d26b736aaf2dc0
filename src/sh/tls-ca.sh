#!/bin/sh
# tls-ca.sh [--client LOGIN] DIR HOSTNAME...
# A throwaway test CA for TLS to a shared server, with the openssl CLI:
#   DIR/ca.crt, DIR/ca.key          the CA (reused when DIR holds one already)
#   DIR/server.crt, DIR/server.key  a server certificate for the HOSTNAMEs
#                                   (subjectAltName: DNS names, IP addresses)
#   DIR/client.crt, DIR/client.key  with --client LOGIN: a client certificate
#                                   with CN=LOGIN, for pg_hba's `cert` method
# Keys are 0600. For tests and trying things out, not for production: the
# CA's key sits next to its certificate and everything expires in 30 days
# (TLS_CA_DAYS).
set -eu

usage() {
	echo "usage: tls-ca.sh [--client LOGIN] DIR HOSTNAME..." >&2
	exit 2
}

client=""
while [ $# -gt 0 ]; do
	case "$1" in
	--client)
		[ $# -ge 2 ] && [ -n "$2" ] || usage
		client=$2
		shift 2
		;;
	--client=*)
		client=${1#--client=}
		[ -n "$client" ] || usage
		shift
		;;
	-*) usage ;;
	*) break ;;
	esac
done
[ $# -ge 2 ] || usage
dir=$1
shift
days=${TLS_CA_DAYS:-30}

command -v openssl >/dev/null 2>&1 || {
	echo "boxoffice: tls-ca.sh needs the openssl command (apt-get install openssl)" >&2
	exit 3
}

mkdir -p "$dir"
umask 077

san=""
for name in "$@"; do
	case "$name" in
	*[!0-9.]* | "")
		case "$name" in
		*:*) entry="IP:$name" ;; # IPv6 address
		*) entry="DNS:$name" ;;
		esac
		;;
	*) entry="IP:$name" ;; # IPv4 address
	esac
	san="${san:+$san, }$entry"
done

# Our own config: nothing from the system's openssl.cnf leaks in.
cat >"$dir/tls-ca.cnf" <<CNF
[req]
distinguished_name = dn
prompt = no
[dn]
CN = boxoffice test CA
[ca_ext]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[server_ext]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = $san
authorityKeyIdentifier = keyid
[client_ext]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = clientAuth
authorityKeyIdentifier = keyid
CNF
cnf="$dir/tls-ca.cnf"

quiet() {
	"$@" >"$dir/tls-ca.log" 2>&1 || {
		echo "boxoffice: openssl failed; see $dir/tls-ca.log" >&2
		tail -3 "$dir/tls-ca.log" >&2 || true
		exit 3
	}
}

newkey() { # newkey FILE
	quiet openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1"
	chmod 600 "$1"
}

issue() { # issue NAME SUBJECT EXTENSIONS
	newkey "$dir/$1.key"
	quiet openssl req -new -config "$cnf" -key "$dir/$1.key" -subj "$2" -out "$dir/$1.csr"
	quiet openssl x509 -req -in "$dir/$1.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" \
		-CAcreateserial -CAserial "$dir/ca.srl" -days "$days" \
		-extfile "$cnf" -extensions "$3" -out "$dir/$1.crt"
	rm -f "$dir/$1.csr"
	chmod 644 "$dir/$1.crt"
}

if [ ! -f "$dir/ca.crt" ] || [ ! -f "$dir/ca.key" ]; then
	newkey "$dir/ca.key"
	quiet openssl req -new -x509 -config "$cnf" -key "$dir/ca.key" -days "$days" \
		-subj "/CN=boxoffice test CA $(date +%Y%m%d%H%M%S)-$$" -extensions ca_ext -out "$dir/ca.crt"
	chmod 644 "$dir/ca.crt"
fi
issue server "/CN=$1" server_ext
[ -z "$client" ] || issue client "/CN=$client" client_ext
rm -f "$dir/tls-ca.log"
echo "$dir/ca.crt"
