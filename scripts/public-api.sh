#!/usr/bin/env bash
# Writes every public API change of the packed libraries into their baselines: a public symbol the analyzer reports
# missing (RS0016) is added to PublicAPI.Unshipped.txt, a listed one that no longer exists (RS0017) is removed. The
# symbols are taken from the analyzer's own messages, in its own format. Review the diff, then commit it.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
for project in src/Sandboxes src/Sandboxes.Extensions.DependencyInjection; do
  dotnet build "$project" -c Release -nologo -clp:NoSummary 2>&1 | grep -E "error RS001[67]" | /usr/bin/env python3 -c '
import re, sys
baseline = sys.argv[1] + "/PublicAPI.Unshipped.txt"
add, remove = set(), set()
for line in sys.stdin:
    if m := re.search(r"error RS0016: Symbol .(.*). is not part of the declared public API", line):
        add.add(m.group(1))
    elif m := re.search(r"error RS0017: Symbol .(.*). is part of the declared API", line):
        remove.add(m.group(1))
lines = [l for l in open(baseline).read().split("\n") if l]
kept = [l for l in lines[1:] if l not in remove]
open(baseline, "w").write(lines[0] + "\n" + "\n".join(sorted(set(kept) | add, key=str.lower)) + "\n")
print(f"{baseline}: {len(add)} added, {len(remove)} removed")
' "$project"
done
