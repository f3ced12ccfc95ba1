#!/bin/sh
# A client.authentication.k8s.io/v1 exec credential plugin for the tests. Its kubeconfig `env` sets:
#   COUNTER  file that gets one line per run (tests count runs)
#   MODE     ok | stale-first | fail | hang | badversion | nostatus | cert (prints PEM from $CERT, $KEY)
#   TOKEN    the token to print; OFFSET  seconds from now to expirationTimestamp
echo run >> "$COUNTER"
printf '%s' "$KUBERNETES_EXEC_INFO" > "$COUNTER.info"
runs=$(wc -l < "$COUNTER")
expiry=$(date -u -d "@$(( $(date +%s) + ${OFFSET:-3600} ))" +%Y-%m-%dT%H:%M:%SZ)
token="$TOKEN"
case "$MODE" in
  fail) echo "plugin: cannot reach the identity provider" >&2; exit 3 ;;
  hang) sleep 30 ;;
  stale-first) [ "$runs" -eq 1 ] && token="stale-token" ;;
  badversion) printf '{"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","status":{"token":"%s"}}\n' "$token"; exit 0 ;;
  cert)
    pem() { awk '{printf "%s\\n", $0}' "$1"; }
    printf '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"expirationTimestamp":"%s","clientCertificateData":"%s","clientKeyData":"%s"}}\n' "$expiry" "$(pem "$CERT")" "$(pem "$KEY")"
    exit 0 ;;
  nostatus) printf '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential"}\n'; exit 0 ;;
esac
printf '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"expirationTimestamp":"%s","token":"%s"}}\n' "$expiry" "$token"
