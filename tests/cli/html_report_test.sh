#!/usr/bin/env bash
# The HTML report in a real browser: headless Chromium renders the page to a
# PNG; the rendered DOM must hold the table rows and the chart, and the
# picture the chart's red bars. Exit 77 (skipped) when chromium is missing.
# Usage: html_report_test.sh BIN_DIR FIXTURE_DIR
BIN=$1
FIXTURE=$2
chrome=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$chrome" ]; then
  echo "SKIP: chromium is not installed (apt-get install chromium)"
  exit 77
fi
source "$(dirname "$0")/services.sh"

out=$("$BIN/headcount" submit --ingest="$INGEST" "$FIXTURE/headcounts.csv")
wait_for_revision "$(sed -n 's/.*revision \([0-9]*\).*/\1/p' <<<"$out")"
"$BIN/headcount" report --audit="$AUDIT" --term=2015-autumn --format=html > "$WORK/report.html"

flags=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run
       --disable-background-networking --disable-component-update --disable-sync
       --user-data-dir="$WORK/chrome" --window-size=1000,1700)
timeout 60 "$chrome" "${flags[@]}" --dump-dom "file://$WORK/report.html" \
  > "$WORK/dom.html" 2>"$WORK/chrome.log" || fail "chromium --dump-dom: $(tail -n 3 "$WORK/chrome.log")"
timeout 60 "$chrome" "${flags[@]}" --screenshot="$WORK/report.png" "file://$WORK/report.html" \
  >>"$WORK/chrome.log" 2>&1 || fail "chromium --screenshot: $(tail -n 3 "$WORK/chrome.log")"

python3 - "$WORK/dom.html" "$WORK/report.png" <<'PY' || fail "the rendered page"
import re, struct, sys, zlib
dom = open(sys.argv[1], encoding="utf-8").read()
body = dom[dom.index("<tbody>"):dom.index("</tbody>")]
rows = re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
assert len(rows) == 28, f"{len(rows)} table rows, want 27 districts and the total"
cells = [re.findall(r"<td[^>]*>(.*?)</td>", r) for r in rows]
assert cells[23][1:6] == ["永兴", "514", "533", "19", "0.036"], cells[23]
assert cells[-1][0] == "合计" and cells[-1][2:6] == ["60135", "60216", "81", "0.001"], cells[-1]
bars = re.findall(r'<rect class="bar( over)?"', dom)
assert len(bars) == 27, f"{len(bars)} bars"
assert sum(1 for b in bars if b) == 4, "the four districts over 2% are red"
assert 'class="threshold"' in dom, "no threshold line"

# Decode the PNG (8-bit RGB or RGBA, as Chromium writes it) and look for the
# red of the bars over the threshold.
data = open(sys.argv[2], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
pos, idat, width, height, channels = 8, b"", 0, 0, 0
while pos < len(data):
    length, kind = struct.unpack(">I4s", data[pos:pos + 8])
    chunk = data[pos + 8:pos + 8 + length]
    if kind == b"IHDR":
        width, height, depth, color = struct.unpack(">IIBB", chunk[:10])
        assert depth == 8 and color in (2, 6), (depth, color)
        channels = 3 if color == 2 else 4
    elif kind == b"IDAT":
        idat += chunk
    pos += 12 + length
raw = zlib.decompress(idat)
stride = width * channels
previous = bytearray(stride)
red = 0
for y in range(height):
    line = raw[y * (stride + 1):(y + 1) * (stride + 1)]
    kind, row = line[0], bytearray(line[1:])
    for i in range(stride):
        a = row[i - channels] if i >= channels else 0
        b = previous[i]
        c = previous[i - channels] if i >= channels else 0
        if kind == 1: row[i] = (row[i] + a) & 255
        elif kind == 2: row[i] = (row[i] + b) & 255
        elif kind == 3: row[i] = (row[i] + (a + b) // 2) & 255
        elif kind == 4:
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            row[i] = (row[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    for x in range(0, stride, channels):
        if abs(row[x] - 0xc0) < 8 and abs(row[x + 1] - 0x39) < 8 and abs(row[x + 2] - 0x2b) < 8:
            red += 1
    previous = row
assert red > 200, f"only {red} red pixels: the chart did not render"
print(f"rendered {width}x{height}, 28 rows, 27 bars, {red} red pixels")
PY
[ -n "${KEEP_PNG:-}" ] && cp "$WORK/report.png" "$KEEP_PNG"
echo PASS
