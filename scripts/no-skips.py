"""Fails (exit 1) when pytest's junit XML report counts any skipped test.

scripts/test.sh and scripts/sanitize.sh run it on the report of each pytest
run: a test that cannot run is a failure to fix, not to skip.
Usage: no-skips.py REPORT.xml [WHO]  (WHO prefixes the message)
"""

import sys
import xml.etree.ElementTree as ElementTree

report = ElementTree.parse(sys.argv[1]).getroot()
who = sys.argv[2] if len(sys.argv) > 2 else "no-skips.py"
skipped = sum(int(s.get("skipped", 0)) for s in report.iter("testsuite"))
if skipped:
    print("%s: %d test(s) skipped; every test must run" % (who, skipped), file=sys.stderr)
    sys.exit(1)
