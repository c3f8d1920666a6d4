#!/usr/bin/env bash
# CI test of the Slurm scripts: start a private one-node Slurm cluster on this machine, run a
# sharded sweep through cluster/submit.sh (a job array, then the merge after it), and check
# that the merged folder holds exactly the files a single-process sweep writes, byte for byte.
# Before that, a submission whose shards stop early (caseload's CASELOAD_STOP_AFTER_POINTS
# test hook) must fail with the merge cancelled, and the next submission must resume them.
# After it, submitting again must skip every shard as finished and merge the same files.
# Then a national run of three authorities sharded with COMMAND=run, a small
# uncertainty analysis with COMMAND=uncertainty, and a small history of three authorities
# with its ABC (COMMAND=history, ARGS), must each merge into the files of the
# single-process command, byte for byte.
#
# usage: cluster/test-slurm.sh path/to/caseload scenario.toml
#
# Run as root on Debian: installs slurmctld, slurmd, slurm-client and munge with apt if they
# are missing, and starts munged, slurmctld and slurmd by hand (no systemd needed). All of it
# is private to the test: its own munge key and socket, slurm.conf and ports, under one temp
# folder; the daemons are stopped and the folder removed when the test ends, pass or fail.
#
# Environment:
#   REPLICATIONS     --replications for both sweeps (default 2)
#   TEST_SHARDS      how many shards (default 3)
#   TEST_TIMEOUT     seconds each submission may take before the test fails (default 600)
#   SLURM_TEST_PORT  slurmctld's port; slurmd uses the next one (default 26817)
#   TEST_INTERRUPT=0 skip the interrupted submission (for a binary without the test hook)
#   KEEP_TMP=1       keep the temp folder (configuration, daemon logs, job logs, outputs)
set -euo pipefail
export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"
export LC_ALL=C

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
started=$SECONDS

log() { printf 'test-slurm: %s\n' "$*" >&2; }
die() {
    log "FAIL: $*"
    exit 1
}

if (($# != 2)); then
    grep -m1 '^# usage:' "${BASH_SOURCE[0]}" | sed 's/^# //' >&2
    exit 2
fi
[[ $(id -u) == 0 ]] || die "must run as root (it installs packages and starts munged, slurmctld, slurmd)"
[[ -x $1 && -f $1 ]] || die "no executable caseload binary at $1"
[[ -f $2 ]] || die "no scenario file $2"
CASELOAD=$(realpath "$1")
SCENARIO=$(realpath "$2")
REPLICATIONS=${REPLICATIONS:-2}
SHARDS=${TEST_SHARDS:-3}
TIMEOUT=${TEST_TIMEOUT:-600}
PORT=${SLURM_TEST_PORT:-26817}

# --- packages --------------------------------------------------------------------------
missing=()
for c in sbatch sinfo squeue scontrol scancel slurmctld slurmd munged munge unmunge setpriv stdbuf; do
    command -v "$c" >/dev/null 2>&1 || missing+=("$c")
done
if ((${#missing[@]})); then
    log "installing slurmctld slurmd slurm-client munge (missing: ${missing[*]})"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slurmctld slurmd slurm-client munge >/dev/null
fi
getent passwd munge >/dev/null || die "no munge user (the munge package creates it)"

# --- temp folder and clean-up ----------------------------------------------------------
# Under /tmp, not $TMPDIR: the munge socket's path must stay short (108 bytes at most).
tmp=$(mktemp -d /tmp/caseload-slurm.XXXXXX)
chmod 755 "$tmp" # munged runs as the munge user and must reach its folder inside
mdir=$tmp/munge
sdir=$tmp/slurm
work=$tmp/work
munged_pid="" ctld_pid="" slurmd_pid=""

# running PID: the process is alive (our own children linger as zombies until waited for).
running() { case $(ps -o stat= -p "$1" 2>/dev/null) in "" | Z*) return 1 ;; esac; }

# Stop one of our daemons by its pid: TERM, up to 15 s, then KILL.
stop_pid() {
    local pid=$1 name=$2 i
    [[ -n $pid ]] || return 0
    kill -TERM "$pid" 2>/dev/null || return 0
    for ((i = 0; i < 150; i++)); do
        running "$pid" || break
        sleep 0.1
    done
    if ((i == 150)); then
        log "$name ($pid) did not stop on TERM: killing it"
        kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
}

dump_logs() {
    local f
    log "---- logs ----"
    for f in "$tmp/munged.out" "$sdir/log/slurmctld.log" "$tmp/slurmctld.out" \
        "$sdir/log/slurmd.log" "$tmp/slurmd.out" "$work"/logs/*; do
        [[ -s $f ]] || continue
        # A daemon's own output repeats its log file: show it only when there is no log file.
        [[ $f == "$tmp"/slurm*.out && -s $sdir/log/$(basename "$f" .out).log ]] && continue
        echo "==== $f (last 60 lines) ====" >&2
        tail -n 60 "$f" >&2
    done
}

cleanup() {
    local rc=$? ids
    set +e
    trap - EXIT INT TERM
    if [[ -n $ctld_pid ]] && kill -0 "$ctld_pid" 2>/dev/null; then
        # Every job of this private cluster is the test's own.
        ids=$(squeue -h -o %A 2>/dev/null | sort -u)
        if [[ -n $ids ]]; then
            log "cancelling jobs still queued or running: ${ids//$'\n'/ }"
            # shellcheck disable=SC2086
            scancel $ids
            for ((i = 0; i < 30; i++)); do
                [[ -z $(squeue -h -o %A 2>/dev/null) ]] && break
                sleep 0.5
            done
        fi
    fi
    ((rc == 0)) || dump_logs
    stop_pid "$slurmd_pid" slurmd
    stop_pid "$ctld_pid" slurmctld
    stop_pid "$munged_pid" munged
    if [[ ${KEEP_TMP:-0} == 1 ]]; then
        log "kept $tmp"
    else
        rm -rf "$tmp"
    fi
    log "$( ((rc == 0)) && echo passed || echo "failed (exit code $rc)") in $((SECONDS - started)) s"
    if ((rc == 0)); then echo "test-slurm: 1 passed, 0 failed"; else echo "test-slurm: 0 passed, 1 failed"; fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# wait_for SECONDS WHAT PID COMMAND...: run COMMAND every half second until it succeeds,
# giving up when the daemon PID has exited.
wait_for() {
    local secs=$1 what=$2 pid=$3 i
    shift 3
    for ((i = 0; i < secs * 2; i++)); do
        if "$@" >/dev/null 2>&1; then return 0; fi
        running "$pid" || die "$what exited"
        sleep 0.5
    done
    die "$what not ready after $secs s"
}

# --- munge: a private key and socket ---------------------------------------------------
mkdir -m 755 "$mdir" # munged wants its socket's folder searchable by all, writable by it alone
dd if=/dev/urandom of="$mdir/munge.key" bs=1024 count=1 status=none
chmod 400 "$mdir/munge.key"
chown -R munge:munge "$mdir" # munged refuses a key or folders it does not own
setpriv --reuid=munge --regid=munge --init-groups \
    munged --foreground --socket="$mdir/munge.socket" --key-file="$mdir/munge.key" \
    --log-file="$mdir/munged.log" --pid-file="$mdir/munged.pid" --seed-file="$mdir/munged.seed" \
    >"$tmp/munged.out" 2>&1 &
munged_pid=$!
munge_works() { munge -n -S "$mdir/munge.socket" | unmunge -S "$mdir/munge.socket"; }
wait_for 20 munged "$munged_pid" munge_works
log "munged up (pid $munged_pid)"

# --- slurm.conf for one node -----------------------------------------------------------
node=$(hostname -s 2>/dev/null || true)
[[ $node =~ ^[A-Za-z0-9][A-Za-z0-9-]*$ ]] || node=localhost
cpus=$(nproc)
mem=$(awk '/^MemTotal:/ { m = int($2 / 1024 / 2); print (m > 256 ? m : 256) }' /proc/meminfo)
mkdir -p "$sdir"/{state,spool,log,run}
export SLURM_CONF=$sdir/slurm.conf # for slurmctld, slurmd, sbatch, squeue... and the jobs
cat >"$SLURM_CONF" <<EOF
# Written by cluster/test-slurm.sh: a private one-node cluster for the test.
ClusterName=caseload-ci
# The name must be this machine's short host name (slurmctld checks); the address avoids DNS.
SlurmctldHost=$node(127.0.0.1)
SlurmctldPort=$PORT
SlurmdPort=$((PORT + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$mdir/munge.socket
StateSaveLocation=$sdir/state
SlurmdSpoolDir=$sdir/spool
SlurmctldPidFile=$sdir/run/slurmctld.pid
SlurmdPidFile=$sdir/run/slurmd.pid
SlurmctldLogFile=$sdir/log/slurmctld.log
SlurmdLogFile=$sdir/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
# No cgroups: plain process tracking, no task binding.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SwitchType=switch/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
# Trust this file over what slurmd detects, so a container's odd topology cannot drain the node.
SlurmdParameters=config_overrides
ReturnToService=2
# A job whose dependency can never be met (a shard failed) is cancelled, not left pending.
DependencyParameters=kill_invalid_depend
# Keep finished jobs' records for the checks below.
MinJobAge=3600
KillWait=5
InactiveLimit=0
# No mail on this machine.
MailProg=/bin/true
NodeName=$node NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=ci Nodes=$node Default=YES MaxTime=INFINITE State=UP
EOF

# --- slurmctld, then slurmd ------------------------------------------------------------
slurmctld -D -i -f "$SLURM_CONF" >"$tmp/slurmctld.out" 2>&1 &
ctld_pid=$!
ctld_up() { scontrol ping | grep -q 'is UP'; }
wait_for 30 slurmctld "$ctld_pid" ctld_up
log "slurmctld up (pid $ctld_pid, port $PORT)"

slurmd -D -N "$node" -f "$SLURM_CONF" >"$tmp/slurmd.out" 2>&1 &
slurmd_pid=$!
for ((i = 0; ; i++)); do
    state=$(sinfo -h -N -n "$node" -o %t 2>/dev/null || true)
    [[ $state == idle ]] && break
    running "$slurmd_pid" || die "slurmd exited"
    running "$ctld_pid" || die "slurmctld exited"
    ((i < 120)) || die "node $node not idle after 60 s (state '${state:-?}'; $(sinfo -h -R 2>/dev/null))"
    # A node that registered drained or down once (e.g. a restart) is returned to service.
    if ((i > 0 && i % 10 == 0)) && [[ $state =~ ^(down|drain|drng|fail) ]]; then
        scontrol update NodeName="$node" State=RESUME >/dev/null 2>&1 || true
    fi
    sleep 0.5
done
cluster_up=$((SECONDS - started))
log "node $node idle with $cpus CPUs: cluster up in $cluster_up s"

# --- the runs --------------------------------------------------------------------------
# compare_dirs A B: same entries (names and types), and every file identical.
compare_dirs() {
    local a=$1 b=$2 bad=0 f
    (cd "$a" && find . -mindepth 1 -printf '%y %P\n' | sort) >"$tmp/list.a"
    (cd "$b" && find . -mindepth 1 -printf '%y %P\n' | sort) >"$tmp/list.b"
    if ! cmp -s "$tmp/list.a" "$tmp/list.b"; then
        log "the file lists differ (< only in $a, > only in $b):"
        diff "$tmp/list.a" "$tmp/list.b" | grep '^[<>]' >&2 || true
        bad=1
    fi
    while IFS= read -r f; do
        f=${f#f }
        if ! cmp -s "$a/$f" "$b/$f"; then
            log "differs: $f ($(cmp "$a/$f" "$b/$f" 2>&1 | head -n 1))"
            bad=1
        fi
    done < <(comm -12 "$tmp/list.a" "$tmp/list.b" | grep '^f ')
    return "$bad"
}

log "single-process sweep: $CASELOAD sweep $SCENARIO --out single --replications $REPLICATIONS --quiet"
timeout --kill-after=10 "$TIMEOUT" \
    "$CASELOAD" sweep "$SCENARIO" --out "$tmp/single" --replications "$REPLICATIONS" --quiet \
    || die "the single-process sweep failed (exit code $?)"
nfiles=$(find "$tmp/single" -type f | wc -l)
((nfiles > 0)) || die "the single-process sweep wrote no files"

# submit RUN OUT [EXPECT [COMMAND SCENARIO WORK]]: submit.sh --wait with a timeout; sets
# sweep_job and merge_job.
submit() {
    local run=$1 out=$2 expect=${3:-success} command=${4:-sweep} scenario=${5:-$SCENARIO} wk=${6:-$work} rc=0
    log "$run: COMMAND=$command submit.sh --wait $scenario ${wk##*/} ${out##*/} $SHARDS"
    COMMAND=$command CASELOAD=$CASELOAD REPLICATIONS=$REPLICATIONS ARGS=${ARGS:-} timeout --kill-after=10 "$TIMEOUT" \
        "$here/submit.sh" --wait "$scenario" "$wk" "$out" "$SHARDS" >"$tmp/$run.ids" || rc=$?
    sweep_job=$(sed -n 's/^sweep_job=//p' "$tmp/$run.ids")
    merge_job=$(sed -n 's/^merge_job=//p' "$tmp/$run.ids")
    ((rc != 124)) || die "$run: the jobs did not end within $TIMEOUT s"
    [[ -n $sweep_job && -n $merge_job ]] || die "$run: submit.sh printed no job ids"
    if [[ $expect == success ]]; then
        ((rc == 0)) || die "$run: submit.sh --wait failed (exit code $rc)"
    else
        ((rc != 0)) || die "$run: submit.sh --wait succeeded though the shards were stopped"
    fi
}

# job_field JOB FIELD: FIELD=value of each of JOB's records (one per array task), one a line.
job_field() { scontrol -o show job "$1" | grep -oE "(^| )$2=[^ ]*" | sed "s/^ *$2=//"; }

# 0. Interrupted: each shard stops after one finished point (caseload's test hook
#    CASELOAD_STOP_AFTER_POINTS, passed to the jobs through sbatch's environment); the merge
#    must then be cancelled, not left waiting, and submit.sh must fail.
if [[ ${TEST_INTERRUPT:-1} == 1 ]]; then
    CASELOAD_STOP_AFTER_POINTS=1 submit interrupted "$tmp/merged" failure
    [[ ! -e $tmp/merged ]] || die "interrupted: a merged folder was written though the shards were stopped"
    kept=$(find "$work" -mindepth 1 -maxdepth 1 -name '.shard-*.progress' | wc -l)
    ((kept > 0)) || die "interrupted: no shard kept its finished points (.shard-K.progress)"
    log "interrupted: shards stopped, merge cancelled, $kept shards kept finished points"
fi

# 1. The array runs every shard (resuming the interrupted ones); the merge starts after the
#    last one ends, and equals the single-process sweep.
submit first "$tmp/merged"
log "first: array job $sweep_job, merge job $merge_job"
for ((k = 1; k <= SHARDS; k++)); do
    [[ -d $work/shard-$k ]] || die "shard-$k was not written"
    [[ -f $work/logs/caseload-sweep-${sweep_job}_$k.out ]] || die "no log for array task $k"
done
tasks=$(job_field "$sweep_job" ArrayTaskId | wc -l)
((tasks == SHARDS)) || die "array job $sweep_job has $tasks tasks, not $SHARDS"
[[ $(job_field "$sweep_job" JobState | sort -u) == COMPLETED ]] || die "not every array task completed"
[[ $(job_field "$merge_job" JobState) == COMPLETED ]] || die "merge job $merge_job did not complete"
merge_start=$(job_field "$merge_job" StartTime)
last_end=$(job_field "$sweep_job" EndTime | sort | tail -n 1)
[[ ! $merge_start < $last_end ]] || die "merge started ($merge_start) before the last shard ended ($last_end)"
log "first: $SHARDS array tasks completed, last at $last_end; merge started at $merge_start"
if [[ ${TEST_INTERRUPT:-1} == 1 ]]; then
    resumed=$(grep -l '^sweep.sbatch: resuming' "$work/logs/caseload-sweep-${sweep_job}"_*.out | wc -l)
    ((resumed == kept)) || die "first: $resumed shards resumed, but $kept had kept points"
    log "first: $resumed shards resumed from their kept points"
fi
compare_dirs "$tmp/single" "$tmp/merged" || die "first: merged folder differs from the single-process sweep"
log "first: merged folder equals the single-process sweep ($nfiles files)"

# 2. Submitting again skips the finished shards and merges the same result.
submit again "$tmp/merged-again"
for ((k = 1; k <= SHARDS; k++)); do
    grep -q 'already finished' "$work/logs/caseload-sweep-${sweep_job}_$k.out" \
        || die "again: shard $k was not skipped as finished"
done
compare_dirs "$tmp/single" "$tmp/merged-again" || die "again: merged folder differs from the single-process sweep"
log "again: every shard skipped as finished; merged folder equals the single-process sweep"

# 3. A national run sharded by authority and replication (COMMAND=run): three authorities of
#    England, each replication and rule of each a task, cut into SHARDS slices and merged,
#    equals the single-process run.
national=$tmp/national.toml
"$CASELOAD" england --year 2025 --authority Rutland,Hartlepool,Darlington \
    --base "$here/../scenarios/england_2025.toml" --out "$national" --quiet \
    || die "national: caseload england failed (exit code $?)"
timeout --kill-after=10 "$TIMEOUT" \
    "$CASELOAD" run "$national" --out "$tmp/national-single" --replications "$REPLICATIONS" --quiet >/dev/null \
    || die "national: the single-process run failed (exit code $?)"
submit national "$tmp/national-merged" success run "$national" "$tmp/work-national"
for ((k = 1; k <= SHARDS; k++)); do
    [[ -f $tmp/work-national/shard-$k/parts.txt ]] || die "national: shard-$k holds no parts.txt"
done
compare_dirs "$tmp/national-single" "$tmp/national-merged" \
    || die "national: merged folder differs from the single-process run"
log "national: $SHARDS run shards merged equal the single-process run ($(find "$tmp/national-single" -type f | wc -l) files)"

# 4. An uncertainty analysis sharded (COMMAND=uncertainty): a small one of the teaching
#    scenario, cut into SHARDS slices and merged, equals the single-process analysis.
uncertain=$tmp/uncertainty.toml
{
    cat "$here/../scenarios/teaching_one_team.toml"
    printf '\n[uncertainty]\ndraws = 8\nreplications = 2\nsobol_base = 4\nbreakeven_points = 3\n'
    printf 'factors = ["workforce.lone_decision_leave_effect", "judgement.lone_rating_shift"]\n'
    printf 'concerns = ["late_days_per_high_risk_referral > 0.5"]\n'
} >"$uncertain"
timeout --kill-after=10 "$TIMEOUT" \
    "$CASELOAD" uncertainty "$uncertain" --out "$tmp/uncertainty-single" --replications "$REPLICATIONS" --quiet >/dev/null \
    || die "uncertainty: the single-process analysis failed (exit code $?)"
submit uncertainty "$tmp/uncertainty-merged" success uncertainty "$uncertain" "$tmp/work-uncertainty"
compare_dirs "$tmp/uncertainty-single" "$tmp/uncertainty-merged" \
    || die "uncertainty: merged folder differs from the single-process analysis"
log "uncertainty: $SHARDS shards merged equal the single-process analysis ($(find "$tmp/uncertainty-single" -type f | wc -l) files)"

# 5. A history sharded by replication and draw (COMMAND=history, its options in ARGS): three
#    authorities from 2016 to 2020 with a small reference table, merged, equals the
#    single-process history.
history_scenario=$(realpath "$here/../scenarios/england_2025_authorities.toml")
history_args="--authority Rutland,Hartlepool,Darlington --from 2016 --to 2020 --abc 3"
read -r -a hargs <<<"$history_args"
timeout --kill-after=10 "$TIMEOUT" \
    "$CASELOAD" history "$history_scenario" "${hargs[@]}" --replications "$REPLICATIONS" \
    --out "$tmp/history-single" --quiet >/dev/null \
    || die "history: the single-process history failed (exit code $?)"
ARGS=$history_args submit history "$tmp/history-merged" success history "$history_scenario" "$tmp/work-history"
compare_dirs "$tmp/history-single" "$tmp/history-merged" \
    || die "history: merged folder differs from the single-process history"
log "history: $SHARDS shards merged equal the single-process history ($(find "$tmp/history-single" -type f | wc -l) files)"
