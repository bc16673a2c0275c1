#!/usr/bin/env bash
# Seeds the fuzz corpora with small valid inputs made by Jiqun itself (the `jiqun` binary's synthetic data and
# templates, the repository's plan text and the web tests' request bodies). Run from anywhere; writes into
# fuzz/corpus/<target>/ (files named by content, so running it twice adds nothing).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${JIQUN_BIN:-target/debug/jiqun}
[ -x "$BIN" ] || cargo build -q -p jiqun
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
add() { # add TARGET FILE: the file into the target's corpus under its SHA-1
  mkdir -p "fuzz/corpus/$1"
  cp "$2" "fuzz/corpus/$1/$(sha1sum "$2" | cut -c1-40)"
}

# The per-mu evaluation input (contracts §4), a few sizes; and the same firms as an import CSV.
for n in 1 3 12; do
  "$BIN" demo-data enterprises --count "$n" --seed "$n" --output "$WORK/permu$n.csv" >/dev/null
  add permu_csv "$WORK/permu$n.csv"
  add import_csv "$WORK/permu$n.csv"
done
# Excel in China writes CSV in GB18030.
iconv -f UTF-8 -t GB18030 "$WORK/permu3.csv" >"$WORK/permu3-gb.csv" && add import_csv "$WORK/permu3-gb.csv"
printf 'indicator_id,period,value,region,source\n3,2025,6.1e12,,统计局\n3,2025Q2,"1,200",深圳,\n' >"$WORK/obs.csv"
add import_csv "$WORK/obs.csv"
printf '\xef\xbb\xbfassignment_id,period,status,percent,narrative\n1,2026Q1,on_schedule,30,"推进中，""按期"""\n' >"$WORK/rep.csv"
add import_csv "$WORK/rep.csv"

# Templates of the built-in plan, as they are and as their XML parts (the structured form of import_xlsx).
xlsx_parts() { # xlsx_parts FILE OUT: sheet1, sharedStrings, workbook, styles separated by 0xFF
  local f=$1 out=$2 first=1
  : >"$out"
  for p in xl/worksheets/sheet1.xml xl/sharedStrings.xml xl/workbook.xml xl/styles.xml; do
    [ $first = 1 ] || printf '\xff' >>"$out"
    first=0
    unzip -p "$f" "$p" >>"$out" 2>/dev/null || true
  done
}
for kind in observations reports enterprises projects; do
  "$BIN" template --kind "$kind" --output "$WORK/$kind.xlsx" >/dev/null
  add import_xlsx "$WORK/$kind.xlsx"
  xlsx_parts "$WORK/$kind.xlsx" "$WORK/$kind.parts" && add import_xlsx "$WORK/$kind.parts"
done
"$BIN" demo-data enterprises --count 5 --seed 2 --output "$WORK/firms.xlsx" >/dev/null
add import_xlsx "$WORK/firms.xlsx"
xlsx_parts "$WORK/firms.xlsx" "$WORK/firms.parts" && add import_xlsx "$WORK/firms.parts"

# A plan as a Word document's parts: the repository's plan text, headings styled and items numbered.
python3 - "$WORK/plan.parts" data/plans/*.txt <<'PY'
import sys, html
out, src = sys.argv[1], sys.argv[2]
lines = [l.strip() for l in open(src, encoding="utf-8") if l.strip()][:80]
W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
paras = []
for l in lines:
    ppr = ""
    if l[:1] in "一二三四五六七八九十" and "、" in l[:4]:
        ppr = '<w:pPr><w:pStyle w:val="Heading1"/></w:pPr>'
    elif l[:1] == "（":
        ppr = '<w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr></w:pPr>'
    paras.append(f'<w:p>{ppr}<w:r><w:t xml:space="preserve">{html.escape(l, quote=False)}</w:t></w:r></w:p>')
doc = f'<?xml version="1.0" encoding="UTF-8"?><w:document {W}><w:body>{"".join(paras)}<w:tbl><w:tr><w:tc><w:p><w:r><w:t>指标</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>2025年目标</w:t></w:r></w:p></w:tc></w:tr></w:tbl></w:body></w:document>'
num = f'<?xml version="1.0" encoding="UTF-8"?><w:numbering {W}><w:abstractNum w:abstractNumId="0"><w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="（%1）"/></w:lvl></w:abstractNum><w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num></w:numbering>'
sty = f'<?xml version="1.0" encoding="UTF-8"?><w:styles {W}><w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/><w:pPr><w:outlineLvl w:val="0"/></w:pPr></w:style></w:styles>'
open(out, "wb").write(b"\xff".join(s.encode() for s in (doc, num, sty)))
PY
add docx "$WORK/plan.parts"
# The same parts as a .docx archive.
mkdir -p "$WORK/d/word" "$WORK/d/_rels"
python3 - "$WORK/plan.parts" "$WORK/d/word" <<'PY'
import sys
parts = open(sys.argv[1], "rb").read().split(b"\xff")
for name, body in zip(("document.xml", "numbering.xml", "styles.xml"), parts):
    open(f"{sys.argv[2]}/{name}", "wb").write(body)
PY
(cd "$WORK/d" && zip -q -X -r ../plan.docx word)
add docx "$WORK/plan.docx"

# Request bodies: the literal JSON bodies of the web tests.
python3 - "$WORK/json" crates/web/tests/suite/*.rs <<'PY'
import sys, re, json, os, hashlib
out = sys.argv[1]
os.makedirs(out, exist_ok=True)
for path in sys.argv[2:]:
    for m in re.finditer(r'json!\((\{[^\n]*?\})\)', open(path, encoding="utf-8").read()):
        try:
            v = json.loads(m.group(1))
        except ValueError:
            continue  # it names Rust variables
        b = json.dumps(v, ensure_ascii=False).encode()
        open(f"{out}/{hashlib.sha1(b).hexdigest()}", "wb").write(b)
PY
for f in "$WORK"/json/*; do add json_bodies "$f"; done
for t in permu_csv import_csv import_xlsx docx json_bodies; do
  echo "$t: $(ls "fuzz/corpus/$t" | wc -l) seeds"
done
