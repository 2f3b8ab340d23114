# dashboards/: the Grafana dashboard is JSON, the alerting rules pass
# promtool (where prometheus is installed), and every swt_* metric either
# names is one swanalyze export sends for the bundled example's session
# and one docs/fleet.md documents.
#
#   sh test-dashboards.sh SWANALYZE PYTHON3 SRCDIR TMPDIR
set -u
. "$(dirname "$0")/../tap-core.sh"

tap_args 4 "$0 SWANALYZE PYTHON3 SRCDIR TMPDIR" "$@"
SWANALYZE=$1
PY=$2
SRC=$3
T=$4
tap_sandbox

run "$PY" -m json.tool "$SRC/dashboards/swt-grafana.json"
check "the Grafana dashboard is JSON" [ "$rc" -eq 0 ]
if command -v promtool >/dev/null; then
	run promtool check rules "$SRC/dashboards/swt-alerts.yml"
	check "promtool accepts the alerting rules" [ "$rc" -eq 0 ]
else
	skip "promtool accepts the alerting rules" \
		"promtool is not installed (sh scripts/setup-debian.sh --fleet)"
fi
"$SWANALYZE" export --print "$SRC/fixtures/recorded-example/session.swt" \
	"$SRC/fixtures/synthetic-leak/session.swt" |
	sed 's/[{ ].*//' | sort -u >"$T/sent"
check "export --print sends series" [ -s "$T/sent" ]
cat "$SRC/dashboards/swt-grafana.json" "$SRC/dashboards/swt-alerts.yml" |
	grep -o 'swt_[a-z_]*' | sort -u >"$T/used"
missing=$(comm -23 "$T/used" "$T/sent" | tr '\n' ' ')
check "the dashboards use metrics that are sent (${missing:-all are})" \
	[ -z "$missing" ]
undoc=""
for m in $(cat "$T/sent"); do
	grep -q "\`$m\`" "$SRC/docs/fleet.md" || undoc="$undoc $m"
done
check "docs/fleet.md documents every metric sent (${undoc:-all})" \
	[ -z "$undoc" ]
done_testing
