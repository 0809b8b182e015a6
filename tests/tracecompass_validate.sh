#!/bin/bash
# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The giltrace developers
#
# The Trace Compass analysis validates against Trace Compass's own XML
# schema (../shared/tracecompass/schema beside the clone, or
# GT_TC_SCHEMA), and names only what exists: the schema takes event
# names, fields and ids as plain strings, so they are checked here
# against the event contract (tracepoints/giltrace_tp.h), the contexts
# giltrace record adds, and the file's own ids.  Then the analysis is
# run on traces with and without Python frames (see the end).
set -euo pipefail
srcdir=${GT_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
xml=$srcdir/tracecompass/giltrace.xml
command -v xmllint >/dev/null || { echo "SKIP: xmllint not installed (apt-get install libxml2-utils)" >&2; exit 77; }

schema=${GT_TC_SCHEMA:-}
if [ -z "$schema" ]; then
	# The clone's parent holds shared/; a distcheck tree sits deeper.
	dir=$srcdir
	while [ "$dir" != / ]; do
		if [ -f "$dir/../shared/tracecompass/schema/xmlDefinition.xsd" ]; then
			schema=$dir/../shared/tracecompass/schema/xmlDefinition.xsd
			break
		fi
		dir=$(dirname "$dir")
	done
fi
[ -n "$schema" ] && [ -f "$schema" ] ||
	{ echo "SKIP: Trace Compass schema not found in ../shared/tracecompass/schema beside the source tree (set GT_TC_SCHEMA)" >&2; exit 77; }

xmllint --noout --schema "$schema" "$xml" || { echo "FAIL: $xml does not validate against $schema" >&2; exit 1; }
/usr/bin/python3 "$srcdir/tracecompass/batch_patterns.py" --check "$xml" ||
	{ echo "FAIL: run tracecompass/batch_patterns.py $xml to write its batch scenarios again" >&2; exit 1; }

/usr/bin/python3 - "$xml" "$srcdir/tracepoints/giltrace_tp.h" <<'PY'
import re, sys
import xml.etree.ElementTree as ET

xml_path, header_path = sys.argv[1], sys.argv[2]
header = open(header_path).read()
events = set(re.findall(r"LTTNG_UST_TRACEPOINT_EVENT\(giltrace,\s*(\w+)", header))
events |= set(re.findall(r"LTTNG_UST_TRACEPOINT_EVENT_INSTANCE\(giltrace,\s*\w+,\s*giltrace,\s*(\w+)", header))
fields = set(re.findall(r"lttng_ust_field_\w+\(\s*(?:[\w ]+,\s*)?(\w+),", header))
# A sequence's length is a field of its own for Trace Compass: LTTng
# writes "__NAME_length" before "_NAME", and one leading "_" is dropped.
sequences = set(re.findall(r"lttng_ust_field_sequence\w*\(\s*[\w ]+,\s*(\w+),", header))
fields |= {"_%s_length" % f for f in sequences}
contexts = {"vpid", "vtid", "procname", "ip"}   # what giltrace record adds
special = {"timestamp", "cpu", "hostId", "TID"}
root = ET.parse(xml_path).getroot()
errors = []

def check_event(name, where):
    # Trace Compass compiles the name as a regular expression, "*" as ".*",
    # and matches whole names: every alternative must name an event.
    m = re.fullmatch(r"giltrace:(\w+)|giltrace:\((\w+(?:\|\w+)+)\)", name)
    names = [m.group(1)] if m and m.group(1) else m.group(2).split("|") if m else []
    if not names:
        errors.append("%s: %s is neither an event nor giltrace:(a|b...)" % (where, name))
    for n in names:
        if n not in events:
            errors.append("%s: unknown event giltrace:%s" % (where, n))

def check_field(name, where):
    if name.startswith("context._"):
        if name[len("context._"):] not in contexts:
            errors.append("%s: context %s is not recorded by giltrace record" % (where, name))
    elif name not in fields and name not in special:
        errors.append("%s: no event has a field %s" % (where, name))

for el in root.iter():
    if el.tag == "eventHandler":
        check_event(el.get("eventName"), "eventHandler")
    if el.tag == "transition" and el.get("event"):
        check_event(el.get("event"), "transition")
    if el.get("type") == "eventField":
        check_field(el.get("value"), el.tag)
    if el.tag == "field":
        check_field(el.get("name"), "condition")

providers = {e.get("id") for e in root if e.tag in ("stateProvider", "pattern")}
for view in root:
    for a in view.iter("analysis"):
        if a.get("id") not in providers:
            errors.append("view %s: no analysis %s" % (view.get("id"), a.get("id")))
for pattern in root.iter("patternHandler"):
    ids = {e.get("id") for e in pattern if e.tag in ("test", "action")}
    for fsm in pattern.iter("fsm"):
        states = {e.get("id") for e in fsm.iter() if e.tag in ("state", "final")}
        for t in fsm.iter("transition"):
            for ref in filter(None, (t.get("cond"), t.get("action"))):
                for part in ref.split(":"):
                    if part not in ids:
                        errors.append("fsm %s: no test or action %s" % (fsm.get("id"), part))
            if t.get("target") and t.get("target") not in states:
                errors.append("fsm %s: no state %s" % (fsm.get("id"), t.get("target")))
defined = {}
for sp in root.iter("stateProvider"):
    defined = {d.get("name") for d in sp.iter("definedValue")}
    for sv in sp.iter():
        v = sv.get("value") or ""
        if v.startswith("$") and v[1:] not in defined:
            errors.append("stateProvider %s: undefined value %s" % (sp.get("id"), v))
if errors:
    print("FAIL: " + "\n      ".join(errors), file=sys.stderr)
    sys.exit(1)
print("PASS: %s validates; event names, fields, contexts and ids of its %d elements exist" % (
    xml_path.rsplit("/", 1)[-1], sum(1 for _ in root.iter())))
PY

# What the analysis builds, on traces with and without Python frames:
# tests/lib/tc_xml_run.py interprets it (Trace Compass's data-driven
# semantics, scripts run by node) and holds each process's GIL rows,
# thread names and failed wake-ups, the holds of each Python function,
# and each thread's waits and wake-ups against giltrace-analyze's report
# of the same trace.
builddir=${GT_BUILDDIR:-$srcdir/build}
analyze=$builddir/analyzer/giltrace-analyze
if ! command -v node >/dev/null; then
	echo "note: the analysis was not run: node is not installed (apt-get install nodejs)" >&2
elif ! /usr/bin/python3 -c 'import bt2' 2>/dev/null; then
	echo "note: the analysis was not run: python3-bt2 is not installed" >&2
elif [ ! -x "$analyze" ]; then
	echo "note: the analysis was not run: $analyze not built" >&2
else
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/giltrace-tc.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	/usr/bin/python3 "$srcdir/tests/lib/pyframes_scenario.py" make "$tmp/pyframes" >/dev/null ||
		{ echo "FAIL: cannot write the Python-frames trace" >&2; exit 1; }
	# A batch of as many cycles as the shim puts in one: each must be a hold.
	/usr/bin/python3 "$srcdir/tests/lib/full_batch_scenario.py" make "$tmp/full-batch" >/dev/null ||
		{ echo "FAIL: cannot write the full-batch trace" >&2; exit 1; }
	for trace in "$tmp/pyframes" "$tmp/full-batch" "$srcdir"/tests/corpus/{py3-convoy,py3-compact,py3-batch,py27-convoy,py27-compact,py27-batch,py313-fork,c-cancel}; do
		"$analyze" --format=json "$trace" >"$tmp/report.json" ||
			{ echo "FAIL: giltrace-analyze $trace: status $?" >&2; exit 1; }
		/usr/bin/python3 "$srcdir/tests/lib/tc_xml_run.py" "$xml" "$trace" "$tmp/report.json" ||
			{ echo "FAIL: the analysis on $trace disagrees with the report" >&2; exit 1; }
	done
fi
