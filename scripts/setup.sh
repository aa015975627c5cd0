#!/usr/bin/env bash
# Installs the real components the tests run against. Idempotent; each step is skipped when its component is present.
#   bubblewrap                  namespace isolation for the local provider
#   podman + runc               a Docker Engine API for the docker provider
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

echo "setup: done" >&2
