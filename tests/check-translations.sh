#!/usr/bin/env bash
# Checks that po/POTFILES.in lists every file with translatable strings and
# that every language in po/LINGUAS translates every one of them.
set -euo pipefail

srcdir=${1:?usage: check-translations.sh SOURCE_ROOT}
cd "$srcdir"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0

listed=$(grep -v '^[[:space:]]*\(#\|$\)' po/POTFILES.in | sort)

# Every listed file exists.
while read -r f; do
    [ -f "$f" ] || { echo "po/POTFILES.in: $f: no such file"; status=1; }
done <<<"$listed"

# Every file with a translatable string is listed.
candidates=$(
    {
        grep -rlE '\b(N?C?_)\("' --include='*.c' --include='*.h' \
            app ui vmm monitor 2>/dev/null || true
        grep -rl 'translatable="yes"' --include='*.ui' ui 2>/dev/null || true
        ls data/*.desktop.in data/*.metainfo.xml.in data/*.gschema.xml
    } | sort -u)
missing=$(comm -23 <(echo "$candidates") <(echo "$listed"))
if [ -n "$missing" ]; then
    echo "translatable strings in files missing from po/POTFILES.in:"
    echo "$missing"
    status=1
fi

# The same extraction as meson's 'glib' preset, as far as this tree uses it.
xgettext --from-code=UTF-8 --add-comments \
    --keyword=_ --keyword=N_ --keyword=C_:1c,2 --keyword=NC_:1c,2 \
    --keyword=g_dngettext:2,3 \
    --files-from=po/POTFILES.in --directory=. \
    --output="$tmp/porthole.pot"
n_strings=$(grep -c '^msgid ' "$tmp/porthole.pot")
echo "$((n_strings - 1)) translatable strings"

while read -r lang; do
    case "$lang" in ''|'#'*) continue ;; esac
    msgmerge --quiet --output-file="$tmp/$lang.po" "po/$lang.po" \
        "$tmp/porthole.pot"
    stats=$(LC_ALL=C msgfmt --check --statistics --output-file=/dev/null \
        "$tmp/$lang.po" 2>&1)
    echo "$lang: $stats"
    case "$stats" in
    *untranslated* | *fuzzy*)
        echo "po/$lang.po is incomplete: run" \
            "'meson compile -C build porthole-update-po' and translate"
        status=1
        ;;
    esac
done <po/LINGUAS

exit "$status"
