#!/bin/bash
# Same-run A/B of two builds' keyless gateways (access log on, to a file), with the bare node:http
# proxy and fast-gateway as the yardsticks, all on one upstream (dist/bench/servers.js upstream).
#   BASE=/path/to/baseline/checkout bench/keyless-ab.sh [ROUNDS] [SECONDS]   (both built: npm run build)
# MID=/path/to/a/third/checkout adds a third build; PIN=N runs the gateways on CPU N only (taskset).
# Every round starts the gateways afresh and alternates which build goes first; each
# run prints req/s (wrk, 50 connections) and the gateway's CPU per request (utime+stime of the
# `main.js start` process from /proc/<pid>/stat, before and after the run).
ROUNDS=${1:-3}; DUR=${2:-8}
NEW=$(cd "$(dirname "$0")/.." && pwd)
W=$(mktemp -d); trap 'rm -rf $W' EXIT
cd $NEW
node dist/bench/servers.js upstream 0 > $W/up.out & UPPID=$!
for i in $(seq 50); do grep -q ready $W/up.out && break; sleep 0.1; done; UP=$(grep -o '[0-9]*' $W/up.out | head -1)
node dist/bench/servers.js bare-proxy 0 http://127.0.0.1:$UP > $W/bare.out & BAREPID=$!
node dist/bench/fast-gateway.js http://127.0.0.1:$UP > $W/fg.out & FGPID=$!
start_gw() { # dir name extra
  local root=$1 name=$2; local d=$W/$name; mkdir -p $d/apps
  echo "{\"listen_address\":\"127.0.0.1\",\"listen_port\":0,\"app_path\":\"apps\",\"log_format\":\"json\",\"secret\":\"s\"$3}" > $d/tyk.conf
  echo "{\"api_id\":\"bench\",\"org_id\":\"bench\",\"use_keyless\":true,\"proxy\":{\"listen_path\":\"/bench/\",\"target_url\":\"http://127.0.0.1:$UP\",\"strip_listen_path\":true}}" > $d/apps/bench.json
  (cd $root && exec ${PIN:+taskset -c $PIN} node dist/gateway/cli/main.js start --conf $d/tyk.conf > $d/log 2>$d/err) &
  echo $! > $d/pid
}
BARE=; FG=
for i in $(seq 100); do grep -q ready $W/bare.out && grep -q ready $W/fg.out && break; sleep 0.2; done
BARE=$(grep -o '[0-9]*' $W/bare.out | head -1); FG=$(grep -o '[0-9]*' $W/fg.out | head -1)
port() { grep -o '"port":[0-9]*' $W/$1/log | head -1 | cut -d: -f2; }
cpu() { awk '{print $14+$15}' /proc/$1/stat; }
TCK=$(getconf CLK_TCK)
run() { # name port pid
  local c0=0 c1=0
  [ -n "$3" ] && c0=$(cpu $3)
  local out=$(wrk -t2 -c50 -d${DUR}s --latency http://127.0.0.1:$2/bench/x 2>&1)
  [ -n "$3" ] && c1=$(cpu $3)
  local rps=$(echo "$out" | awk '/Requests\/sec/{print $2}')
  local reqs=$(echo "$out" | awk '/requests in/{print $1}')
  local us=$(awk -v a=$c0 -v b=$c1 -v n=$reqs -v t=$TCK 'BEGIN{ if (n>0) printf "%.1f", (b-a)/t*1e6/n; else print "-"}')
  echo "$1 rps=$rps cpu_us_per_req=$us"
}
wrk -t2 -c50 -d2s http://127.0.0.1:$BARE/bench/x >/dev/null; wrk -t2 -c50 -d2s http://127.0.0.1:$FG/bench/x >/dev/null
# The gateways are started afresh every round: one process can stay slower than another for its
# whole life (placement, JIT), which a run with long-lived processes reads as a difference of builds.
for r in $(seq $ROUNDS); do
  rm -rf $W/A $W/B $W/C
  start_gw ${BASE:?set BASE to the baseline checkout} A ""
  start_gw $NEW B ""
  [ -n "$MID" ] && start_gw $MID C ""
  for i in $(seq 100); do grep -q '"port"' $W/A/log && grep -q '"port"' $W/B/log && { [ -z "$MID" ] || grep -q '"port"' $W/C/log; } && break; sleep 0.2; done
  PA=$(port A); PB=$(port B); [ -n "$MID" ] && PC=$(port C)
  wrk -t2 -c50 -d2s http://127.0.0.1:$PA/bench/x >/dev/null; wrk -t2 -c50 -d2s http://127.0.0.1:$PB/bench/x >/dev/null
  [ -n "$MID" ] && wrk -t2 -c50 -d2s http://127.0.0.1:$PC/bench/x >/dev/null
  if [ $((r % 2)) = 1 ]; then run base $PA $(cat $W/A/pid); run new $PB $(cat $W/B/pid); else run new $PB $(cat $W/B/pid); run base $PA $(cat $W/A/pid); fi
  [ -n "$MID" ] && run mid $PC $(cat $W/C/pid)
  run bare $BARE $BAREPID
  run fastgw $FG $FGPID
  [ -n "$MID" ] && kill $(cat $W/C/pid)
  kill $(cat $W/A/pid) $(cat $W/B/pid)
  sleep 0.5
done
kill $BAREPID $FGPID $UPPID
