#!/bin/sh
# Installs the Debian packages reporter uses when they are missing (needs root).
#   libharfbuzz-subset0  WeasyPrint subsets fonts about six times faster with it
#   libpango-1.0-0 libpangoft2-1.0-0  WeasyPrint's text layout
#   poppler-utils        pdftotext / pdftoppm, used by the tests to read PDFs back
#   gettext              msgfmt --check, used by the tests on the translation catalogues
#   libreoffice-calc-nogui  a test opens the workbook in LibreOffice
set -eu
PACKAGES="libharfbuzz-subset0 libpango-1.0-0 libpangoft2-1.0-0 poppler-utils gettext"
if [ "${REPORTER_WITH_LIBREOFFICE:-1}" = 1 ]; then
    PACKAGES="$PACKAGES libreoffice-calc-nogui"
fi
missing=""
for p in $PACKAGES; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
    echo "reporter needs these system packages:$missing" >&2
    echo "install them as root: apt-get install$missing" >&2
    exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends $missing >/dev/null
