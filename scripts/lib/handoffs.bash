# scripts/lib/handoffs.bash - the handoff analysis shared by scripts/bench
# and scripts/handoff-ab (sourced, not run), so that what counts as a
# handoff is defined once.

# handoff_scan LOG READY_US OUT: LOG holds one round's records, bench/stamp's
# "TAG start NS" and "TAG end NS" and bench/contend's "TAG launch NS". Sorted
# by start, a handoff is the next start minus the previous end; it counts
# (appended to OUT, in ns) only if the next contender was launched at least
# READY_US before the previous child ended, i.e. was (almost surely) already
# waiting; the others (the queue had run dry) are only counted, and a start
# before the previous end is an overlap. Prints "holds overlaps queued
# unqueued"; fails (first incomplete records on stderr) if a hold lacks a
# record.
handoff_scan() {
    local log=$1 ready_us=$2 out=$3
    awk '
        $2 == "start"  { s[$1] = $3 }
        $2 == "end"    { e[$1] = $3 }
        $2 == "launch" { l[$1] = $3 }
        END {
            for (t in s) {
                if (!(t in e)) { print "ERR no end for " t; continue }
                if (!(t in l)) { print "ERR no launch for " t; continue }
                printf "%s %s %s %s\n", s[t], e[t], l[t], t
            }
            for (t in e) if (!(t in s)) print "ERR no start for " t
        }' "$log" >"$log.intervals"
    if grep -q '^ERR' "$log.intervals"; then
        grep '^ERR' "$log.intervals" | head -5 >&2
        echo "incomplete stamp records in $log" >&2
        return 1
    fi
    sort -n -k1,1 "$log.intervals" | awk -v out="$out" -v ready="$ready_us" '
        NR > 1 {
            if ($1 < pe) overlaps++
            else if ($3 + ready * 1000 <= pe) { print $1 - pe >> out; queued++ }
            else unqueued++
        }
        { pe = $2 }
        END { printf "%d %d %d %d\n", NR, overlaps + 0, queued + 0, unqueued + 0 }'
}

# stats FILE: "n median p99 min max" of the numbers in FILE (one per line;
# the median of an even count is the mean of the middle pair).
stats() {
    sort -g "$1" | awk '
        { v[NR] = $1 }
        END {
            n = NR
            if (n == 0) { print "0 nan nan nan nan"; exit }
            med = (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
            k = int(0.99 * n); if (k < 0.99 * n) k++; if (k < 1) k = 1
            printf "%d %.0f %.0f %.0f %.0f\n", n, med, v[k], v[1], v[n]
        }'
}
