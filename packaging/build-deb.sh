#!/usr/bin/env bash
# Builds urna-kiosk_VERSION_ARCH.deb and urna-central_VERSION_ARCH.deb from
# binaries already built in BIN (make package does both steps).
#   packaging/build-deb.sh VERSION ARCH BIN OUT
set -euo pipefail
version=$1 arch=$2 bin=$3 out=$4
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
mkdir -p "$out"
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

doc() { # package: copyright, changelog, install guide
    local d=$1/usr/share/doc/$2
    install -d "$d"
    install -m 0644 "$here/copyright" "$d/copyright"
    printf '%s (%s) unstable; urgency=medium\n\n  * Release %s.\n\n -- Urna developers <urna@urna.example>  %s\n' \
        "$2" "$version" "$version" "$(date -R -d @${SOURCE_DATE_EPOCH:-$(git -C "$top" log -1 --format=%ct)})" | gzip -9n > "$d/changelog.gz"
    install -m 0644 "$top/docs/install.md" "$d/install.md"
}

# Manual pages and shell completions come from the commands' own trees
# (cobra): run from BIN, or from this machine's build of the same source
# when BIN holds another architecture's binaries or stand-ins (URNA_HOST_BIN names one).
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git -C "$top" log -1 --format=%ct)}
gen=${URNA_HOST_BIN:-$bin}
if [[ "$(LC_ALL= LANG=en_US.UTF-8 "$gen/urnactl" --version 2>/dev/null)" != "urnactl "* ]]; then
    gen=$stage/host-bin
    # the flags of make package and the tests' host build, so that the build cache has it
    (cd "$top" && go build -trimpath -buildmode=pie -tags no_animations -ldflags "-s -w -X main.version=$version" -o "$gen/" ./cmd/urna-kiosk ./cmd/urnactl ./cmd/urna-central)
fi

man() { # root command...: each command's manual pages, compressed, and its bash, zsh and fish completions
    local r=$1 c p
    shift
    install -d "$r/usr/share/man/man1" "$r/usr/share/bash-completion/completions" \
        "$r/usr/share/zsh/vendor-completions" "$r/usr/share/fish/vendor_completions.d"
    for c in "$@"; do
        # (urna-kiosk's Fyne reads a locale from LANG even here)
        LC_ALL= LANG=en_US.UTF-8 "$gen/$c" __man "$stage/man-$c"
        for p in "$stage/man-$c"/*.1; do
            gzip -9n < "$p" > "$r/usr/share/man/man1/$(basename "$p").gz"
        done
        LC_ALL= LANG=en_US.UTF-8 "$gen/$c" completion bash > "$r/usr/share/bash-completion/completions/$c"
        LC_ALL= LANG=en_US.UTF-8 "$gen/$c" completion zsh > "$r/usr/share/zsh/vendor-completions/_$c"
        LC_ALL= LANG=en_US.UTF-8 "$gen/$c" completion fish > "$r/usr/share/fish/vendor_completions.d/$c.fish"
    done
    find "$r/usr/share/man" "$r/usr/share/bash-completion" "$r/usr/share/zsh" "$r/usr/share/fish" -type f -exec chmod 0644 {} +
}

control() { # root package depends description
    local size
    size=$(du -sk --exclude=DEBIAN "$1" | cut -f1)
    cat > "$1/DEBIAN/control" <<CONTROL
Package: $2
Version: $version
Architecture: $arch
Maintainer: Urna developers <urna@urna.example>
Installed-Size: $size
Depends: $3
Section: misc
Priority: optional
Homepage: https://github.com/urna-kiosk/urna
Description: $4
CONTROL
}

# urna-central
r=$stage/central
install -d "$r/DEBIAN" "$r/usr/bin" "$r/lib/systemd/system" "$r/etc/urna"
install -m 0755 "$bin/urna-central" "$r/usr/bin/"
install -m 0644 "$here/central/urna-central.service" "$r/lib/systemd/system/"
install -m 0644 "$here/central/central.env" "$r/etc/urna/central.env"
install -m 0755 "$here/central/postinst" "$here/central/postrm" "$r/DEBIAN/"
echo /etc/urna/central.env > "$r/DEBIAN/conffiles"
doc "$r" urna-central
man "$r" urna-central
control "$r" urna-central "libc6, adduser, passwd" "central server of the Urna civic-budget voting kiosks
 Enrolls kiosks, publishes signed catalogs, ingests sealed ballots with
 de-duplication across kiosks, tallies results and serves the public
 ballot check and the city office's dashboard (bbolt or PostgreSQL)."
dpkg-deb --root-owner-group -Zxz --build "$r" "$out/urna-central_${version}_${arch}.deb" >/dev/null

# urna-kiosk
r=$stage/kiosk
install -d "$r/DEBIAN" "$r/usr/bin" "$r/lib/systemd/system" "$r/lib/udev/rules.d" "$r/etc/urna"
install -m 0755 "$bin/urna-kiosk" "$bin/urnactl" "$r/usr/bin/"
install -m 0644 "$here/kiosk/urna-kiosk.service" "$r/lib/systemd/system/"
install -m 0644 "$here/kiosk/60-urna-printer.rules" "$r/lib/udev/rules.d/"
install -m 0644 "$here/kiosk/kiosk.toml" "$r/etc/urna/kiosk.toml"
install -m 0755 "$here/kiosk/postinst" "$here/kiosk/postrm" "$r/DEBIAN/"
echo /etc/urna/kiosk.toml > "$r/DEBIAN/conffiles"
doc "$r" urna-kiosk
man "$r" urna-kiosk urnactl
# The desktop entry and icon, from FyneApp.toml as `fyne package` would make them.
fyne() { awk -F' = ' -v k="$1" '$1 ~ "^[ \t]*"k"$" {v=$2; gsub(/^"|"$/, "", v); print v; exit}' "$top/FyneApp.toml"; }
id=$(fyne ID)
install -d "$r/usr/share/applications" "$r/usr/share/icons/hicolor/512x512/apps"
install -m 0644 "$top/$(fyne Icon)" "$r/usr/share/icons/hicolor/512x512/apps/$id.png"
cat > "$r/usr/share/applications/$id.desktop" <<DESKTOP
[Desktop Entry]
Type=Application
Name=$(fyne Name)
GenericName=$(fyne GenericName)
Comment=$(fyne Comment)
Exec=urna-kiosk
Icon=$id
Categories=$(fyne Categories | tr -d '[]" ' | tr , ';');
Keywords=$(fyne Keywords | tr -d '[]" ' | tr , ';');
DESKTOP
chmod 0644 "$r/usr/share/applications/$id.desktop"
control "$r" urna-kiosk "libc6, adduser, passwd, cage, seatd, xwayland, libgl1, libx11-6, libxcursor1, libxrandr2, libxinerama1, libxi6, libxxf86vm1, fonts-dejavu-core, espeak-ng" \
    "voting kiosk of the Urna civic-budget system
 Full-screen touch voting in Polish, English and Ukrainian, sealed ballots
 in a local store, QR receipts on an ESC/POS thermal printer, staff mode,
 and urnactl, the technician's tool. Runs as a cage kiosk session on tty1."
dpkg-deb --root-owner-group -Zxz --build "$r" "$out/urna-kiosk_${version}_${arch}.deb" >/dev/null
ls "$out"/*.deb
