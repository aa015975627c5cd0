#!/usr/bin/env bash
# Installs the real components the tests run against. Idempotent; each step is skipped when its component is present.
#   bubblewrap                  namespace isolation for the local provider
#   podman + runc               a Docker Engine API for the docker provider, and a small test image built locally
#                               (debootstrap minbase + the tested runtimes, `podman import`ed: no registry is needed)
#   jupyter-server + ipykernel  a real Jupyter Server for the jupyter provider
#   tmux, zsh                   a real terminal for the CLI shell tests; zsh for its completion script
#   python3-matplotlib          figures as PNG in the code execution tests
#   ruby, node-typescript,      the languages RunCode is tested with (python3, node, bash and perl are already
#   golang-go, rustc            on the machine); sandboxes see the host's /usr, so these are their runtimes
#   Prism (npm, .tools/prism)   validates every request and response of the cloud adapters against the vendor's spec
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

sudo_if_needed() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

packages=()
command -v bwrap >/dev/null || packages+=(bubblewrap)
command -v podman >/dev/null || packages+=(podman)
command -v runc >/dev/null || packages+=(runc)
command -v tmux >/dev/null || packages+=(tmux)
command -v zsh >/dev/null || packages+=(zsh)
command -v jupyter-server >/dev/null || packages+=(jupyter-server)
python3 -c "import ipykernel" 2>/dev/null || packages+=(python3-ipykernel)
[ -x /usr/bin/python3 ] && /usr/bin/python3 -c "import ipykernel" 2>/dev/null || packages+=(python3-ipykernel)
/usr/bin/python3 -c "import matplotlib" 2>/dev/null || packages+=(python3-matplotlib)
[ -x /usr/bin/ruby ] || packages+=(ruby)
[ -x /usr/bin/tsc ] || packages+=(node-typescript)
[ -x /usr/bin/go ] || packages+=(golang-go)
[ -x /usr/bin/rustc ] || packages+=(rustc)
command -v debootstrap >/dev/null || packages+=(debootstrap)
[ -x /bin/busybox ] || packages+=(busybox-static)
command -v slirp4netns >/dev/null || packages+=(slirp4netns)
[ -x /usr/libexec/podman/catatonit ] || packages+=(catatonit)

if [ "${#packages[@]}" -gt 0 ]; then
  # Deduplicate, then install in one transaction.
  mapfile -t packages < <(printf '%s\n' "${packages[@]}" | sort -u)
  echo "setup: installing ${packages[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  sudo_if_needed apt-get update -qq
  sudo_if_needed apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
fi

prism="$root/.tools/prism/node_modules/.bin/prism"
if [ ! -x "$prism" ]; then
  echo "setup: installing Prism 5.14.2 into .tools/prism" >&2
  mkdir -p "$root/.tools/prism"
  npm install --silent --no-audit --no-fund --prefix "$root/.tools/prism" @stoplight/prism-cli@5.14.2 >/dev/null
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
    echo "setup: building the docker test image (debootstrap bookworm minbase + $image_packages)" >&2
    tree="$(mktemp -d /tmp/sandboxes-rootfs.XXXXXX)"
    mirror="${SANDBOXES_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
    sudo_if_needed debootstrap --variant=minbase --include="$image_packages" bookworm "$tree" "$mirror" >"$podman_dir/debootstrap.log" 2>&1 \
      || { echo "setup: debootstrap failed, see $podman_dir/debootstrap.log" >&2; sudo_if_needed rm -rf "$tree"; exit 1; }
    sudo_if_needed chroot "$tree" /bin/sh -c 'useradd -m -u 1000 -s /bin/bash user && mkdir -p /workspace && apt-get clean && rm -rf /var/lib/apt/lists/*'
    sudo_if_needed tar --numeric-owner -C "$tree" -cf "$rootfs.partial" .
    sudo_if_needed rm -rf "$tree"
    mv "$rootfs.partial" "$rootfs"
  fi
  sudo_if_needed "${podman_cmd[@]}" import --quiet --change 'WORKDIR /workspace' --change 'CMD ["/bin/bash"]' "$rootfs" "$image" >/dev/null
fi

# The image and cached root filesystem of an older package list take 2 GB each: removed once this one exists (an image
# still used by a container stays).
for old in $(sudo_if_needed "${podman_cmd[@]}" images --format '{{.Repository}}:{{.Tag}}' localhost/sandboxes-test 2>/dev/null); do
  [ "$old" = "$image" ] || sudo_if_needed "${podman_cmd[@]}" rmi "$old" >/dev/null 2>&1 || true
done
find "$podman_dir" -maxdepth 1 -name 'rootfs-bookworm*.tar' ! -name "rootfs-bookworm-$image_key.tar" -delete

echo "setup: done" >&2
