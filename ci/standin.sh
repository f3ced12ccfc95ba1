# Sourced by ci/bench-drift and ci/bench-shard: the stand-in API server (Tests/ClusterSourceTests/Support/
# apiserver.py) serving a fleet over HTTPS with a test CA and a bearer token, and the fleet's GitOps
# repository. The caller sets `work` (a fresh directory) and `server` (the path of apiserver.py), and calls
# standin_pki once, then standin_start N FD for each fleet; `pids` collects the servers to stop.

standin_pki() {
  mkdir -p "$work/pki"
  (
    cd "$work/pki"
    ec="-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes"
    printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n' > server.ext
    openssl req -x509 $ec -keyout ca.key -out ca.crt -days 2 -subj /CN=ballast-bench-ca 2>/dev/null
    openssl req $ec -keyout server.key -out server.csr -subj /CN=kube-apiserver 2>/dev/null
    openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 -extfile server.ext -out server.crt 2>/dev/null
  )
  token="bench-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
}

# standin_start N FD: the fleet's repository (git, one commit) in $work/fN/repo and a stand-in serving the
# fleet, its stdin held by file descriptor FD (closing it stops the server); writes $work/fN/kubeconfig.
standin_start() {
  local n="$1" fd="$2" dir="$work/f$1"
  mkdir -p "$dir"
  python3 "$server" --fleet "$n" --write-repo "$dir/repo" --no-serve
  git -C "$dir/repo" init -q -b main
  git -C "$dir/repo" add -A
  git -C "$dir/repo" -c user.name=bench -c user.email=bench@example.com -c commit.gpgsign=false commit -q -m "fleet $n"
  mkfifo "$dir/stdin"
  python3 "$server" --fleet "$n" --cert "$work/pki/server.crt" --key "$work/pki/server.key" --token "$token=bench" \
    --exit-with-stdin < "$dir/stdin" > "$dir/port" &
  pids+=($!)
  eval "exec $fd> \"$dir/stdin\""
  for _ in $(seq 600); do grep -q PORT "$dir/port" 2>/dev/null && break; sleep 0.1; done
  local port; port=$(awk '/PORT/ {print $2}' "$dir/port")
  echo "$port" > "$dir/portnumber"
  cat > "$dir/kubeconfig" <<KUBECONFIG
apiVersion: v1
kind: Config
clusters:
- name: fleet
  cluster: {server: "https://127.0.0.1:$port", certificate-authority: $work/pki/ca.crt}
users:
- name: bench
  user: {token: "$token"}
contexts:
- name: fleet
  context: {cluster: fleet, user: bench}
current-context: fleet
KUBECONFIG
  chmod 600 "$dir/kubeconfig"
}

# standin_control N NAME: GET /_control/NAME of fleet N's stand-in (stats, reset).
standin_control() { curl -s --cacert "$work/pki/ca.crt" "https://127.0.0.1:$(cat "$work/f$1/portnumber")/_control/$2"; }

standin_cleanup() { for fd in 3 4; do eval "exec $fd>&-" 2>/dev/null || true; done; for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
