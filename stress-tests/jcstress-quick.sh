#!/usr/bin/env bash
# The quick jcstress run of the ring's concurrent protocols: about three minutes on two cores (14 tests).
#
#   stress-tests/jcstress-quick.sh [test regexp]      (after ./mvnw -pl stress-tests -am package)
#
# Four JVM configurations per test (-Xint, C1, C2, C2 with the scheduling randomizers), two short
# iterations each. Exits non-zero when jcstress does (a FORBIDDEN outcome, a test error, a crash),
# and also when fewer tests ran than the jar holds: jcstress itself exits 0 when the regexp matches
# nothing, and silently skips a test that needs more threads than the machine has CPUs.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
jar=$here/target/jcstress.jar
java=${JAVA_HOME:+$JAVA_HOME/bin/}java
filter=${1:-'^io\.ringbus\.stress\.'}
out=$here/target/jcstress-quick
[ -f "$jar" ] || { echo "no $jar: build it with ./mvnw -pl stress-tests -am package -DskipTests" >&2; exit 2; }

rm -rf "$out"
mkdir -p "$out"
cd "$out"    # jcstress writes its result blob into the working directory

expected=$("$java" -jar "$jar" -l -t "$filter" | grep -c '^io\.ringbus\.' || true)
status=0
"$java" -jar "$jar" -m quick -sc false -pth false -iters 2 -time 100 \
    -jvmArgsPrepend --enable-native-access=ALL-UNNAMED -t "$filter" -r "$out/results" >"$out/console.txt" 2>&1 \
    || status=$?
sed -n '/^RUN RESULTS:/,$p' "$out/console.txt"

ran=0
[ -d "$out/results" ] && ran=$(find "$out/results" -name 'io.ringbus.*.html' | wc -l)
if [ "$expected" -eq 0 ] || [ "$ran" -ne "$expected" ]; then
    echo "jcstress ran $ran of the $expected tests matching '$filter'; see $out/console.txt" >&2
    [ "$status" -ne 0 ] || status=1
fi
if [ "$status" -ne 0 ]; then
    echo "jcstress: FAILED (exit $status); full console in $out/console.txt, report in $out/results/index.html" >&2
fi
exit "$status"
