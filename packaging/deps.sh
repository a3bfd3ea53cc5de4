#!/usr/bin/env bash
# Installs what Urna needs on a Debian machine, quietly when all is there:
# the C libraries Fyne's GLFW driver builds against, the tools the tests use
# (Xvfb, zbarimg, pdftotext, PostgreSQL, Chromium …), a Polish locale, and the
# Go modules. Runs apt-get as root, or through sudo.
set -euo pipefail
build="gcc pkg-config libgl1-mesa-dev libx11-dev libxrandr-dev libxcursor-dev libxinerama-dev libxi-dev libxxf86vm-dev"
tests="xvfb xauth xdotool socat poppler-utils zbar-tools fonts-dejavu-core postgresql chromium chromium-driver locales dpkg-dev lintian systemd cage seatd"
tests="$tests python3-pycountry"
tests="$tests espeak-ng sox"
tests="$tests cups-daemon cups-client printer-driver-cups-pdf"
tests="$tests fuse3"
tests="$tests prometheus"
# The shipped cage session (grim takes its screenshot) and the desktop entry.
tests="$tests grim xwayland desktop-file-utils"
# The shipped shell completions and manual pages, checked where they load.
tests="$tests bash-completion zsh fish man-db"
# Hardware cities buy: arm64 (Raspberry Pi) cross-builds checked under qemu,
# Windows cross-builds checked under Wine: `deps.sh cross` (make cross-test).
cross="gcc-aarch64-linux-gnu gcc-mingw-w64-x86-64 libc6-dev:arm64 libgl1-mesa-dev:arm64 libx11-dev:arm64 libxrandr-dev:arm64 libxcursor-dev:arm64 libxinerama-dev:arm64 libxi-dev:arm64 libxxf86vm-dev:arm64"
want="$build"
[ "${1:-}" = test ] && want="$build $tests"
# make test runs the cross-builds under qemu and Wine too.
[ "${1:-}" = test ] && want="$want $cross qemu-user-static wine wine64"
# make bench's load test: replicas behind haproxy.
[ "${1:-}" = bench ] && want="$build $tests haproxy"
[ "${1:-}" = package ] && want="$build $cross"
[ "${1:-}" = cross ] && want="$build $cross qemu-user-static wine wine64"

missing=""
for p in $want; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
sudo=""
[ "$(id -u)" = 0 ] || sudo="sudo"
# arm64 development packages come through Debian's multiarch.
case "$missing" in *:arm64*)
  dpkg --print-foreign-architectures | grep -qx arm64 || $sudo dpkg --add-architecture arm64 ;;
esac
if [ -n "$missing" ]; then
  echo "deps: installing$missing"
  $sudo apt-get -o DPkg::Lock::Timeout=900 update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get -o DPkg::Lock::Timeout=900 install -y -qq --no-install-recommends $missing >/dev/null
fi
# Fyne reads the locale from LANG; make pl_PL.UTF-8 available.
if ! locale -a 2>/dev/null | grep -qi '^pl_PL\.utf-\?8$' && [ -f /etc/locale.gen ]; then
  $sudo sed -i 's/^# *pl_PL.UTF-8/pl_PL.UTF-8/' /etc/locale.gen
  grep -q '^pl_PL.UTF-8' /etc/locale.gen || echo 'pl_PL.UTF-8 UTF-8' | $sudo tee -a /etc/locale.gen >/dev/null
  $sudo locale-gen >/dev/null
fi
command -v go >/dev/null || { echo "deps: Go is missing: install Go 1.26 from go.dev/dl" >&2; exit 1; }
go mod download
