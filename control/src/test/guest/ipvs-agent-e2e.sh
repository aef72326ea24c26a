#!/usr/bin/env bash
# Usage, from the repository root after `mvn -pl ffm-bindings,control process-test-classes`:
#   lab/kernel/run --writable /tmp/g 6.1 -- control/src/test/guest/ipvs-agent-e2e.sh /tmp/g
# Inside the lab guest (the whole guest is scratch): the agent on --datapath ipvs in a node
# namespace, from a manifest; a client namespace reaches two backend namespaces through the
# ClusterIP and the NodePort from several source addresses (mh hashes the client address); a
# Service without endpoints refuses at once; /statusz and /metrics name the datapath; services.json
# records the NodePort; then --cleanup removes every service, the NodePort (on a node address, not
# the dummy: only services.json says it is sluice's) included, and the file.
set -uo pipefail
logs="${1:-/tmp}"
cd "$(dirname "$0")/../../.."  # control/
for m in ip_vs ip_vs_rr ip_vs_mh dummy veth nf_conntrack nf_tables; do modprobe $m; done
cp=target/classes:$(cat target/test-classpath.txt)
ns() { ip netns exec "$@"; }
ip netns add node; ip netns add client; ns node ip link set lo up; ns client ip link set lo up
link() {  # name other address gateway
  ip netns add "$2" 2>/dev/null; ns "$2" ip link set lo up
  ns node ip link add "$1-node" type veth peer name "$1-peer"
  ns node ip link set "$1-peer" netns "$2"
  ns node ip addr add "$4/24" dev "$1-node"; ns node ip link set "$1-node" up
  ns "$2" ip link set "$1-peer" name eth0; ns "$2" ip addr add "$3/24" dev eth0; ns "$2" ip link set eth0 up
  ns "$2" ip route add default via "$4"
}
link c client 192.168.50.2 192.168.50.1
# mh hashes the client address: several client addresses show both backends in use.
for a in 3 4 5 6 7 8; do ns client ip addr add 192.168.50.$a/24 dev eth0; done
for i in 1 2; do
  link p$i pod$i 10.0.$i.2 10.0.$i.1
  mkdir -p /tmp/pod$i && echo pod$i > /tmp/pod$i/id
  (cd /tmp/pod$i && ns pod$i /usr/bin/python3 -m http.server 8080 --bind 10.0.$i.2 >/tmp/pod$i.log 2>&1 &)
done
cat > /tmp/cluster.yaml <<'YAML'
apiVersion: v1
kind: Node
metadata:
  name: node-a
status:
  addresses:
  - type: InternalIP
    address: 192.168.50.1
---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: ns
spec:
  type: NodePort
  clusterIP: 10.96.0.10
  ports:
  - name: http
    port: 80
    nodePort: 30080
---
apiVersion: v1
kind: Service
metadata:
  name: empty
  namespace: ns
spec:
  clusterIP: 10.96.0.11
  ports:
  - name: http
    port: 80
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: web-1
  namespace: ns
  labels:
    kubernetes.io/service-name: web
addressType: IPv4
ports:
- name: http
  port: 8080
endpoints:
- addresses: ["10.0.1.2"]
  nodeName: node-a
- addresses: ["10.0.2.2"]
  nodeName: node-b
YAML
ns node "$JAVA_HOME/bin/java" -XX:TieredStopAtLevel=1 --enable-native-access=ALL-UNNAMED -cp "$cp" \
  dev.sluice.control.agent.SluiceAgent --datapath ipvs --manifest /tmp/cluster.yaml --node-name node-a \
  --ipvs-run-dir /tmp/ipvs-run --healthz-bind-address "" --metrics-bind-address 127.0.0.1:10249 > "$logs/agent.log" 2>&1 &
agent=$!
for i in $(seq 1 120); do
  ns node curl -s -m 2 http://127.0.0.1:10249/statusz 2>/dev/null | grep -q '"firstSyncDone":true' && break; sleep 1
done
echo "== statusz"; ns node curl -s http://127.0.0.1:10249/statusz; echo
echo "== metrics"; ns node curl -s http://127.0.0.1:10249/metrics | grep -E "sluice_datapath_info|^sluice_services|^sluice_backends"
echo "== link"; ns node ip -o addr show dev sluice-ipvs0
echo "== ipvs"; ns node cat /proc/net/ip_vs
echo "== nft"; ns node nft list table inet sluice_ipvs | head -60
status=0
echo "== services.json"; cat /tmp/ipvs-run/services.json
grep -q '"address" : "192.168.50.1"' /tmp/ipvs-run/services.json || { echo "FAIL: NodePort not recorded"; status=1; }
declare -A seen
for target in 10.96.0.10:80 192.168.50.1:30080; do
  for a in 2 3 4 5 6 7 8; do
    reply=$(ns client curl -s -m 5 --interface 192.168.50.$a "http://$target/id"); echo "192.168.50.$a -> $target -> $reply"; seen[$target-$reply]=1
    [[ $reply == pod1 || $reply == pod2 ]] || { echo "FAIL: bad reply"; status=1; }
  done
  for pod in pod1 pod2; do [[ -n "${seen[$target-$pod]:-}" ]] || { echo "FAIL: $target never reached $pod"; status=1; }; done
done
echo "== no endpoints: expect a refusal, not a timeout"
ns client curl -s -m 5 -o /dev/null -w '%{http_code} %{errormsg}\n' http://10.96.0.11/ ; echo "curl exit $?"
kill -TERM $agent; wait $agent; echo "agent exit $?"
echo "== cleanup"
ns node "$JAVA_HOME/bin/java" -XX:TieredStopAtLevel=1 --enable-native-access=ALL-UNNAMED -cp "$cp" \
  dev.sluice.control.agent.SluiceAgent --cleanup --ipvs-run-dir /tmp/ipvs-run --node-name node-a 2>&1 | tail -5
ns node ip link show sluice-ipvs0 2>&1 | head -1
echo "ipvs after cleanup:"; ns node cat /proc/net/ip_vs
ns node nft list tables
ns node ip link show sluice-ipvs0 >/dev/null 2>&1 && { echo "FAIL: link left"; status=1; }
ns node nft list tables | grep -q sluice_ipvs && { echo "FAIL: table left"; status=1; }
ns node grep -qE '^(TCP|UDP|SCTP) ' /proc/net/ip_vs && { echo "FAIL: virtual services left"; status=1; }
[[ -e /tmp/ipvs-run/services.json ]] && { echo "FAIL: services.json left"; status=1; }
tail -30 "$logs/agent.log"
echo "E2E-STATUS $status"
exit $status
