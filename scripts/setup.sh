#!/usr/bin/env bash
# Installs every real component the tests run against, then checks that each one works: bubblewrap makes a jail,
# podman runs a container with --init from the test image, jupyter-server starts a kernel, Prism answers, tmux opens a
# pane. A failure names the missing piece and stops with a non-zero status. Idempotent: what is there is kept.
#
#   scripts/setup.sh                   install, build the docker test image, check everything
#   scripts/setup.sh --install-only    install the packages and Prism, then check that every file the checks need is
#                                      there (what tests/Sandboxes.Setup.Tests runs in a fresh Debian root)
#
# Every package is named here, with why: CI runs on machines where earlier installs linger, and only a list that names
# everything keeps a fresh machine from failing (catatonit once went missing that way).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
mode="${1:-all}"
case "$mode" in all|--install-only) ;; *) echo "usage: scripts/setup.sh [--install-only]" >&2; exit 2 ;; esac

sudo_if_needed() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
fail() { echo "setup: FAILED: $*" >&2; exit 1; }
step() { echo "setup: $*" >&2; }

# name|why
packages=(
  "bubblewrap|local provider: the jail (namespaces, seccomp, capabilities)"
  "util-linux|unshare, setpriv, setsid: the jail's user namespace and capability steps"
  "coreutils|env --default-signal, mkfifo: the sandbox agent"
  "procps|pgrep: scripts/test.sh waits for podman's exec cleanups"
  "python3|the tests' probes and servers inside sandboxes"
  "podman|docker provider: a Docker Engine API (podman system service)"
  "runc|podman's OCI runtime here (crun refuses hybrid cgroups)"
  "conmon|podman's container monitor"
  "catatonit|podman's --init process (a container-init binary)"
  "slirp4netns|NetworkPolicy.Internet for local sandboxes: the user-mode network stack"
  "iptables|NetworkPolicy.Internet for local sandboxes: the packet filter in each sandbox's network namespace"
  "iproute2|the egress tests' stand-in internet (network namespaces joined by veth links)"
  "openssh-client|docker provider: ssh:// engines (ssh runs docker system dial-stdio on the engine's host)"
  "openssh-server|the docker tests' ssh engine host: an sshd the tests start on 127.0.0.1"
  "debootstrap|the docker test image's Debian root (no registry is reachable)"
  "busybox-static|a tiny image for the docker leak tests"
  "ca-certificates|npm and debootstrap over https"
  "tmux|a real terminal for the CLI's shell tests"
  "zsh|the CLI's zsh completion tests"
  "jupyter-server|jupyter provider: a real Jupyter Server"
  "python3-ipykernel|jupyter provider: the Python kernel"
  "python3-matplotlib|figures as PNG in the code execution tests"
  "ruby|RunCode in Ruby (sandboxes see the host's /usr)"
  "node-typescript|RunCode in TypeScript"
  "golang-go|RunCode in Go"
  "rustc|RunCode in Rust"
  "nodejs|RunCode in JavaScript, and Prism"
)

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

missing=()
for entry in "${packages[@]}"; do
  name="${entry%%|*}"
  installed "$name" || missing+=("$name")
done
# npm ships inside nodesource's nodejs; Debian's nodejs needs its own npm package.
if installed nodejs && ! command -v npm >/dev/null 2>&1; then missing+=(npm); fi
if ! installed nodejs; then missing+=(npm); fi

if [ "${#missing[@]}" -gt 0 ]; then
  step "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  sudo_if_needed apt-get update -qq
  sudo_if_needed apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    || fail "apt-get install ${missing[*]} did not succeed"
  for name in "${missing[@]}"; do installed "$name" || fail "package $name is still not installed"; done
fi

# Prism with its whole dependency tree pinned (scripts/prism/package-lock.json): a fresh resolution picks newer
# dependencies (an ESM-only faker) that this Prism cannot load on every Node.js.
prism="$root/.tools/prism/node_modules/.bin/prism"
if [ ! -x "$prism" ] || ! cmp -s "$root/scripts/prism/package-lock.json" "$root/.tools/prism/package-lock.json"; then
  step "installing Prism 5.14.2 into .tools/prism (npm ci)"
  rm -rf "$root/.tools/prism"
  mkdir -p "$root/.tools/prism"
  cp "$root/scripts/prism/package.json" "$root/scripts/prism/package-lock.json" "$root/.tools/prism/"
  (cd "$root/.tools/prism" && npm ci --silent --no-audit --no-fund >/dev/null) || fail "npm ci of Prism (scripts/prism) did not succeed"
fi

# The vendors' own clients, run against the emulators as referees (tests/Sandboxes.Tests/Referees), pinned the same way
# to the versions that match the specs in specs/.
referees="$root/.tools/referees"
if [ ! -f "$referees/node_modules/e2b/package.json" ] || [ ! -f "$referees/node_modules/@daytonaio/sdk/package.json" ] || ! cmp -s "$root/scripts/referees/package-lock.json" "$referees/package-lock.json"; then
  step "installing the vendors' clients into .tools/referees (npm ci)"
  rm -rf "$referees"
  mkdir -p "$referees"
  cp "$root/scripts/referees/package.json" "$root/scripts/referees/package-lock.json" "$referees/"
  (cd "$referees" && npm ci --silent --no-audit --no-fund >/dev/null) || fail "npm ci of the referees (scripts/referees) did not succeed"
fi

# Every file a check below (or a test) runs, by the package that brings it: a package installed without it is a
# broken install, named here.
required_files=(
  "/usr/bin/bwrap|bubblewrap" "/usr/bin/unshare|util-linux" "/usr/bin/setpriv|util-linux" "/usr/bin/setsid|util-linux"
  "/usr/bin/mkfifo|coreutils" "/usr/bin/pgrep|procps" "/usr/bin/python3|python3"
  "/usr/bin/podman|podman" "/usr/sbin/runc|runc" "/usr/bin/conmon|conmon" "/usr/libexec/podman/catatonit|catatonit"
  "/usr/bin/slirp4netns|slirp4netns" "/usr/sbin/iptables-restore|iptables" "/usr/sbin/ip6tables-restore|iptables"
  "/usr/bin/nsenter|util-linux" "/usr/sbin/ip|iproute2" "/usr/bin/ssh|openssh-client" "/usr/bin/ssh-keygen|openssh-client"
  "/usr/sbin/sshd|openssh-server" "/usr/sbin/debootstrap|debootstrap" "/bin/busybox|busybox-static"
  "/usr/bin/tmux|tmux" "/usr/bin/zsh|zsh" "/usr/bin/jupyter-server|jupyter-server"
  "/usr/lib/python3/dist-packages/ipykernel|python3-ipykernel" "/usr/lib/python3/dist-packages/matplotlib|python3-matplotlib"
  "/usr/bin/ruby|ruby" "/usr/bin/tsc|node-typescript" "/usr/bin/go|golang-go" "/usr/bin/rustc|rustc"
  "/usr/bin/node|nodejs" "$prism|Prism (npm)" "$referees/node_modules/e2b/package.json|e2b (npm)" "$referees/node_modules/@daytonaio/sdk/package.json|@daytonaio/sdk (npm)"
)
for entry in "${required_files[@]}"; do
  [ -e "${entry%%|*}" ] || fail "${entry%%|*} is missing (from ${entry#*|})"
done
command -v npm >/dev/null 2>&1 || fail "npm is missing (from nodejs or npm)"
"$prism" --version >/dev/null 2>&1 || fail "Prism does not run ($prism --version)"

if [ "$mode" = "--install-only" ]; then
  step "every package and file is there"
  exit 0
fi

# Docker provider: rootful podman answers the Docker Engine API. Its storage is private to this checkout (.tools/podman),
# so the tests neither see nor touch other containers; the test target starts `podman system service` on a socket under
# the run root and stops it at the end. The settings below are the ones this kind of machine needs: runc (crun refuses
# hybrid cgroups) and lowered ulimits (raising rlimits is refused). Podman keeps a conmon process alive for
# exit_command_delay seconds after every exec (300 by default, so that the exit code can still be read): the adapter reads
# it at once, and the suite runs thousands of execs, so 15 s keeps the machine from filling up with idle conmons.
podman_dir="$root/.tools/podman"
mkdir -p "$podman_dir"
cat > "$podman_dir/containers.conf" <<'CONF'
[engine]
runtime = "runc"
exit_command_delay = 15

[containers]
default_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]
CONF
# The run root holds sockets, whose paths must stay short: under /tmp, named after this checkout.
runroot="/tmp/sandboxes-podman-$(printf '%s' "$root" | md5sum | cut -c1-10)"
# The runtimes the conformance suite runs code in (the same ones the host gets above, since local sandboxes use the
# host's /usr). The image tag and the cached rootfs are named after this list, so changing it builds a new image.
image_packages="python3,python3-matplotlib,python3-ipython,nodejs,node-typescript,ruby,golang-go,rustc"
image_key="$(printf '%s' "$image_packages" | md5sum | cut -c1-8)"
image="localhost/sandboxes-test:bookworm-$image_key"
cat > "$podman_dir/env" <<ENV
CONTAINERS_CONF=$podman_dir/containers.conf
PODMAN_ROOT=$podman_dir/storage
PODMAN_RUNROOT=$runroot
IMAGE=$image
ENV
podman_cmd=(env "CONTAINERS_CONF=$podman_dir/containers.conf" podman --root "$podman_dir/storage" --runroot "$runroot")
if ! sudo_if_needed "${podman_cmd[@]}" image exists "$image" 2>/dev/null; then
  rootfs="$podman_dir/rootfs-bookworm-$image_key.tar"
  if [ ! -f "$rootfs" ]; then
    # What the conformance suite runs inside: a Debian userland, python3 (http.server, memory and CPU tests) and the
    # other languages' runtimes, a user "user" with uid 1000, and /workspace. Cached as a tar, so only the first run
    # pays for debootstrap.
    step "building the docker test image (debootstrap bookworm minbase + $image_packages)"
    tree="$(mktemp -d /tmp/sandboxes-rootfs.XXXXXX)"
    mirror="${SANDBOXES_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
    sudo_if_needed debootstrap --variant=minbase --include="$image_packages" bookworm "$tree" "$mirror" >"$podman_dir/debootstrap.log" 2>&1 \
      || { sudo_if_needed rm -rf "$tree"; fail "debootstrap of the test image did not succeed, see $podman_dir/debootstrap.log"; }
    sudo_if_needed chroot "$tree" /bin/sh -c 'useradd -m -u 1000 -s /bin/bash user && mkdir -p /workspace && apt-get clean && rm -rf /var/lib/apt/lists/*'
    sudo_if_needed tar --numeric-owner -C "$tree" -cf "$rootfs.partial" .
    sudo_if_needed rm -rf "$tree"
    mv "$rootfs.partial" "$rootfs"
  fi
  sudo_if_needed "${podman_cmd[@]}" import --quiet --change 'WORKDIR /workspace' --change 'CMD ["/bin/bash"]' "$rootfs" "$image" >/dev/null \
    || fail "podman import of the test image did not succeed"
fi

# The image and cached root filesystem of an older package list take 2 GB each: removed once this one exists (an image
# still used by a container stays).
for old in $(sudo_if_needed "${podman_cmd[@]}" images --format '{{.Repository}}:{{.Tag}}' localhost/sandboxes-test 2>/dev/null); do
  [ "$old" = "$image" ] || sudo_if_needed "${podman_cmd[@]}" rmi "$old" >/dev/null 2>&1 || true
done
find "$podman_dir" -maxdepth 1 -name 'rootfs-bookworm*.tar' ! -name "rootfs-bookworm-$image_key.tar" -delete

# Each component, exercised once.
step "checking bubblewrap"
bwrap --unshare-all --ro-bind / / --proc /proc --dev /dev true 2>/dev/null \
  || fail "bubblewrap cannot make namespaces here (bwrap --unshare-all ... true); user namespaces may be disabled"
if [ "$(id -u)" -eq 0 ]; then
  unshare --user --keep-caps true || fail "unshare --user --keep-caps does not work (util-linux 2.38 or later is needed)"
fi
step "checking the packet filter NetworkPolicy.Internet loads into a sandbox's network namespace"
printf '*filter\n:OUTPUT ACCEPT [0:0]\n-A OUTPUT -d 10.0.0.0/8 -p tcp -j REJECT --reject-with tcp-reset\nCOMMIT\n' \
  | unshare --user --map-root-user --net iptables-restore -w 5 \
  || fail "iptables-restore cannot load rules into a new network namespace (the kernel's nf_tables may be missing)"

step "checking sshd (its configuration test with a fresh host key)"
sshd_check="$(mktemp -d /tmp/sandboxes-setup-sshd.XXXXXX)"
ssh-keygen -q -t ed25519 -N '' -f "$sshd_check/host_key" \
  && sudo_if_needed mkdir -p /run/sshd \
  && sudo_if_needed /usr/sbin/sshd -t -f /dev/null -o "HostKey=$sshd_check/host_key" -o ListenAddress=127.0.0.1 \
  || { rm -rf "$sshd_check"; fail "sshd does not accept a minimal configuration (sshd -t)"; }
rm -rf "$sshd_check"

step "checking podman (a container with --init from $image)"
out="$(sudo_if_needed "${podman_cmd[@]}" run --rm --init --network none "$image" /bin/sh -c 'echo podman-ok' 2>&1)" \
  || fail "podman cannot run a container: $out"
[ "$out" = "podman-ok" ] || fail "podman ran the container but it said: $out"
# The storage's overlay directory stays mounted on itself after a podman command: released so the checkout can go.
overlay="$podman_dir/storage/overlay"
if grep -qs " $overlay " /proc/self/mountinfo; then sudo_if_needed umount "$overlay" 2>/dev/null || true; fi

step "checking jupyter-server (a kernel answers)"
/usr/bin/python3 - <<'PY' || fail "jupyter-server did not start a python3 kernel (see the lines above)"
import json, os, socket, subprocess, sys, tempfile, time, urllib.request
s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close()
home = tempfile.mkdtemp(prefix="sandboxes-setup-jupyter-")
env = dict(os.environ, HOME=home, JUPYTER_RUNTIME_DIR=home + "/runtime", JUPYTER_CONFIG_DIR=home + "/config")
server = subprocess.Popen(["jupyter-server", "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.token=setup",
                           "--ServerApp.allow_root=True", f"--ServerApp.root_dir={home}", "--ServerApp.open_browser=False"],
                          env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
def call(method, path):
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", method=method, data=b"{}" if method == "POST" else None,
                                     headers={"Authorization": "token setup", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        body = response.read()
        return json.loads(body) if body else None
try:
    deadline = time.time() + 60
    while True:
        try:
            call("GET", "/api/status"); break
        except OSError:
            if time.time() > deadline or server.poll() is not None:
                sys.exit("jupyter-server did not answer: " + server.stderr.read().decode(errors="replace")[-2000:])
            time.sleep(0.3)
    kernel = call("POST", "/api/kernels")
    time.sleep(3)
    state = call("GET", f"/api/kernels/{kernel['id']}")["execution_state"]
    if state in ("dead", "unknown"):
        sys.exit(f"the kernel died ({state})")
    call("DELETE", f"/api/kernels/{kernel['id']}")
finally:
    server.terminate(); server.wait(timeout=20)
PY

step "checking Prism (a mock answers)"
/usr/bin/python3 - "$prism" "$root/specs/e2b/openapi.yml" <<'PY' || fail "Prism did not answer (see the lines above)"
import socket, subprocess, sys, time, urllib.error, urllib.request
s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close()
mock = subprocess.Popen([sys.argv[1], "mock", sys.argv[2], "-p", str(port), "-h", "127.0.0.1"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
try:
    deadline = time.time() + 60
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/sandboxes", timeout=5)
            break
        except urllib.error.HTTPError:
            break  # an answer (401: no key) is an answer
        except OSError:
            if time.time() > deadline or mock.poll() is not None:
                sys.exit("prism mock did not answer: " + mock.stderr.read().decode(errors="replace")[-2000:])
            time.sleep(0.3)
finally:
    mock.terminate(); mock.wait(timeout=20)
PY

step "checking tmux (a pane opens)"
tmux -L sandboxes-setup new-session -d -x 80 -y 24 'sleep 5' || fail "tmux cannot open a session"
tmux -L sandboxes-setup list-panes >/dev/null || fail "tmux opened no pane"
tmux -L sandboxes-setup kill-server 2>/dev/null || true

step "checking the runtimes RunCode is tested with"
for check in "ruby -v" "tsc -v" "go version" "rustc -V" "node -v" "/usr/bin/python3 -c 'import matplotlib, ipykernel'"; do
  sh -c "$check" >/dev/null 2>&1 || fail "'$check' does not run"
done

step "done: every component works"
