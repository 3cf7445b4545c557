#!/usr/bin/env bash
# Build the image from the Dockerfile with Debian's podman, on bases made locally (no image
# registry is reachable here), then smoke-test the running container on loopback: /readyz, the
# README's curl example, a graceful stop. Prints timings; exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT="${DLGRADE_CONTAINER_PORT:-18800}"
CACHE="${DLGRADE_CONTAINER_CACHE:-/var/cache/dlgrade-ci}"
IMAGE=localhost/dlgrade:ci
NAME=dlgrade-smoke
STOP_TIMEOUT_S=60
# Debian's own archive: the host's first apt source may be a third-party one.
MIRROR="${DLGRADE_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
WHEELS="$(pip3 config get global.find-links 2>/dev/null | tr -d "'\"" || true)"
export DEBIAN_FRONTEND=noninteractive

START=$(date +%s)
lap() { echo "== $1: $(($(date +%s) - START)) s" >&2; }
fail() { echo "container smoke test FAILED: $1" >&2; exit 1; }

install_tools() {
    local tool missing=0
    for tool in podman buildah runc catatonit debootstrap curl; do
        command -v "$tool" >/dev/null 2>&1 || missing=1
    done
    [ -x /usr/libexec/podman/catatonit ] || command -v catatonit >/dev/null 2>&1 || missing=1
    if [ "$missing" = 1 ]; then
        apt-get update -qq
        apt-get install -y -qq podman buildah runc catatonit debootstrap curl >/dev/null
    fi
}

configure_podman() {
    # runc, not crun: crun refuses cgroups in hybrid mode. Root may not raise rlimits here and
    # nproc above kernel.pid_max is refused, so the defaults are pinned to what the host allows.
    local nofile nproc pid_max
    nofile=$(ulimit -Hn)
    nproc=$(ulimit -Hu)
    pid_max=$(cat /proc/sys/kernel/pid_max)
    if [ "$nproc" = unlimited ] || [ "$nproc" -gt "$pid_max" ]; then nproc=$pid_max; fi
    mkdir -p "$CACHE"
    cat >"$CACHE/containers.conf" <<EOF
[containers]
default_ulimits = ["nofile=$nofile:$nofile", "nproc=$nproc:$nproc"]
[engine]
runtime = "runc"
EOF
    export CONTAINERS_CONF="$CACHE/containers.conf"
}

make_python_rootfs() {
    # Stand-in for python:3.11-slim: Debian bookworm's python3 (3.11) with pip.
    local root="$CACHE/rootfs"
    rm -rf "$root"
    debootstrap --variant=minbase --include="$1" bookworm "$root" "$MIRROR" \
        >"$CACHE/debootstrap.log" 2>&1 || { tail -20 "$CACHE/debootstrap.log"; exit 1; }
    # Package downloads go through the host's certificate authorities.
    cp /usr/local/share/ca-certificates/*.crt "$root/usr/local/share/ca-certificates/" \
        2>/dev/null || true
    chroot "$root" update-ca-certificates >/dev/null
    ln -sf python3 "$root/usr/bin/python"
    rm -f "$root"/usr/lib/python3*/EXTERNALLY-MANAGED
    chroot "$root" apt-get clean
    rm -rf "$root"/var/lib/apt/lists/*
    tar -C "$root" --numeric-owner -cf "$2.partial" .
    mv "$2.partial" "$2"
    rm -rf "$root"
}

python_base() {
    podman image exists docker.io/library/python:3.11-slim && return
    local packages=python3,python3-venv,python3-pip,ca-certificates key tarball
    # The tarball changes only with what goes into it: the packages and the host's authorities.
    key=$(cat <(echo "bookworm $packages") /usr/local/share/ca-certificates/*.crt 2>/dev/null \
        | sha256sum | cut -c1-16)
    tarball="$CACHE/python-3.11-slim-$key.tar"
    [ -f "$tarball" ] || make_python_rootfs "$packages" "$tarball"
    podman import --change 'CMD ["/bin/bash"]' "$tarball" docker.io/library/python:3.11-slim \
        >/dev/null
    lap "base python:3.11-slim"
}

node_base() {
    # Stand-in for node:22-slim: Debian's nodejs and npm; only katex/dist is copied out of it.
    podman image exists docker.io/library/node:22-slim && return
    mkdir -p "$CACHE/node"
    printf '%s\n' 'FROM docker.io/library/python:3.11-slim' \
        'RUN apt-get update && apt-get install -y --no-install-recommends nodejs npm && rm -rf /var/lib/apt/lists/*' \
        >"$CACHE/node/Containerfile"
    podman build -q --pull=never --network=host -t docker.io/library/node:22-slim "$CACHE/node" \
        >/dev/null
    lap "base node:22-slim"
}

build_image() {
    # The torch index is unreachable here: torch comes from the local wheel folder pip is
    # configured with, bind-mounted, and the rest from the package index.
    local args=(--pull=never --network=host --format docker -t "$IMAGE")
    if [ -n "$WHEELS" ] && [ -d "$WHEELS" ]; then
        args+=(-v "$WHEELS:/wheels:ro" --build-arg "TORCH_PIP_ARGS=--find-links /wheels")
    fi
    podman build "${args[@]}" . >"$CACHE/build.log" 2>&1 || { tail -40 "$CACHE/build.log"; exit 1; }
    # Layers the new build replaced; the bases and the tagged image stay.
    podman image prune -f >/dev/null
    lap build
}

remove_container() { podman rm -f "$NAME" >/dev/null 2>&1 || true; }

start_container() {
    remove_container
    TOKEN="smoke-$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
    # --init: with make as PID 1, SIGTERM would be ignored. Without systemd, podman cannot time
    # the HEALTHCHECK (it logs that as an error and goes on), so it is run once below instead.
    podman run -d --init --name "$NAME" --network=host \
        -e DLGRADE_HOST=127.0.0.1 -e DLGRADE_PORT="$PORT" -e DLGRADE_INSTRUCTOR_TOKEN="$TOKEN" \
        "$IMAGE" >/dev/null
    trap 'status=$?; [ "$status" = 0 ] || podman logs "$NAME" 2>&1 | tail -30 >&2; remove_container' EXIT
}

wait_ready() {
    local _
    for _ in $(seq 1 240); do
        curl -fsS --max-time 2 -o /dev/null "http://127.0.0.1:$PORT/readyz" 2>/dev/null && return
        [ "$(podman inspect -f '{{.State.Running}}' "$NAME")" = true ] || fail "the container exited"
        sleep 0.5
    done
    fail "/readyz did not answer within 120 s"
}

json_field() { python3 -c "import json, sys; print(json.load(sys.stdin)[sys.argv[1]])" "$1"; }

check_readme_example() {
    # The README's example: a student made with the instructor's token submits the example.
    local url="http://127.0.0.1:$PORT/api/v1" student status total offline
    student=$(curl -sS --fail-with-body "$url/students" -H "Authorization: Bearer $TOKEN" \
        -H 'Content-Type: application/json' -d '{"name": "Ada Lovelace"}' | json_field token)
    status=$(curl -sS -o "$CACHE/submission.json" -w '%{http_code}' \
        "$url/problem-sets/eecs182-hw5/submissions" -H "Authorization: Bearer $student" \
        -H 'Content-Type: application/json' --data-binary @examples/eecs182-hw5.json)
    [ "$status" = 201 ] || fail "the submission answered $status: $(cat "$CACHE/submission.json")"
    total=$(json_field total <"$CACHE/submission.json")
    # The same answers graded offline by the image's own command line.
    offline=$(podman exec "$NAME" .venv/bin/dlgrade grade --problem-set eecs182-hw5 \
        examples/eecs182-hw5.json | json_field total)
    [ "$total" = "$offline" ] || fail "the API's total $total differs from the CLI's $offline"
    echo "README example: 201, total $total (the CLI grades it $offline)" >&2
}

check_graceful_stop() {
    # make passes SIGTERM on to the server, waits for it, then ends by the same signal (GNU make
    # always does): 143 is a stop that finished in time, 137 one that had to be killed.
    local code log began
    began=$(date +%s)
    podman stop -t "$STOP_TIMEOUT_S" "$NAME" >/dev/null
    code=$(podman inspect -f '{{.State.ExitCode}}' "$NAME")
    log=$(podman logs "$NAME" 2>&1)
    [ "$code" = 143 ] || fail "the container exited with status $code after SIGTERM"
    [ $(($(date +%s) - began)) -lt "$STOP_TIMEOUT_S" ] || fail "the stop took the whole timeout"
    grep -q "Application shutdown complete" <<<"$log" || fail "no clean shutdown in the logs"
    grep -q "Finished server process" <<<"$log" || fail "the server did not finish"
    ! grep -q Traceback <<<"$log" || fail "a traceback in the logs"
    echo "graceful stop: $(($(date +%s) - began)) s, the server finished cleanly, make 143" >&2
}

install_tools
lap "tools"
configure_podman
python_base
node_base
build_image
start_container
wait_ready
lap "ready"
check_readme_example
podman healthcheck run "$NAME" >/dev/null || fail "the image's HEALTHCHECK failed"
check_graceful_stop
lap "smoke test"
echo "container smoke test: passed" >&2
