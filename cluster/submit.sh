#!/usr/bin/env bash
# Submit a sharded `caseload sweep` (or, with COMMAND=uncertainty, a `caseload uncertainty`;
# with COMMAND=run, a `caseload run`, such as a national run cut by authority and
# replication; with COMMAND=history, a `caseload history` cut by replication and ABC draw)
# to Slurm: a job array of SHARDS tasks (cluster/sweep.sbatch), then the
# merge (cluster/merge.sbatch), which starts only when every shard has succeeded.
#
# usage: cluster/submit.sh [--wait] SCENARIO WORK OUT SHARDS [sbatch options...]
#
#   SCENARIO  the scenario file
#   WORK      folder for the shard folders shard-1 .. shard-SHARDS and the job logs (logs/)
#   OUT       the merged output folder (replaced if it exists)
#   SHARDS    how many slices to cut the sweep into: one array task each
#   --wait    block until the merge has ended; exit 0 only if it succeeded
#   sbatch options go to both jobs, e.g. --partition=short --account=proj --time=2:00:00
#
# Environment: CASELOAD (the binary; default `caseload` on PATH), COMMAND (sweep, the
# default, uncertainty, run or history), REPLICATIONS (passed as --replications), ARGS
# (further arguments for every shard, split on spaces, e.g. "--abc 400"), MAX_RUNNING (at
# most this many shards at once: --array=1-N%M).
# WORK, OUT, SCENARIO and CASELOAD must be on a file system every node sees.
#
# Prints `sweep_job=ID` and `merge_job=ID` on standard output.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

usage() {
    sed -n '8,23s/^# \{0,1\}//p' "${BASH_SOURCE[0]}" >&2
    exit 2
}
fail() {
    echo "submit.sh: $*" >&2
    exit 2
}

wait_merge=0
positional=()
sbatch_args=()
while (($#)); do
    case $1 in
        --wait) wait_merge=1 ;;
        -h | --help) usage ;;
        *)
            if ((${#positional[@]} < 4)); then
                positional+=("$1")
            else
                sbatch_args+=("$1")
            fi
            ;;
    esac
    shift
done
((${#positional[@]} == 4)) || usage
scenario=${positional[0]} work=${positional[1]} out=${positional[2]} shards=${positional[3]}

command -v sbatch >/dev/null 2>&1 || fail "sbatch not found: is this a Slurm login node?"
[[ $shards =~ ^[1-9][0-9]*$ ]] || fail "SHARDS must be a positive whole number, not '$shards'"
[[ -f $scenario ]] || fail "no scenario file $scenario"
[[ ${COMMAND:-sweep} =~ ^(sweep|uncertainty|run|history)$ ]] \
    || fail "COMMAND must be sweep, uncertainty, run or history, not '$COMMAND'"
if [[ -n ${MAX_RUNNING:-} ]]; then
    [[ $MAX_RUNNING =~ ^[1-9][0-9]*$ ]] || fail "MAX_RUNNING must be a positive whole number"
fi

# Absolute paths: the jobs may start in another folder, on another machine.
SCENARIO=$(realpath "$scenario")
WORK=$(realpath -m "$work")
OUT=$(realpath -m "$out")
SHARDS=$shards
CASELOAD=${CASELOAD:-caseload}
if [[ $CASELOAD == */* ]]; then
    CASELOAD=$(realpath "$CASELOAD")
    [[ -x $CASELOAD ]] || fail "CASELOAD=$CASELOAD is not executable"
elif ! command -v "$CASELOAD" >/dev/null 2>&1; then
    echo "submit.sh: warning: '$CASELOAD' is not on PATH here: the jobs need it on the nodes' PATH (or set CASELOAD)" >&2
fi
export SCENARIO WORK OUT SHARDS CASELOAD
if [[ -n ${REPLICATIONS:-} ]]; then
    export REPLICATIONS
fi
if [[ -n ${ARGS:-} ]]; then
    export ARGS
fi

mkdir -p "$WORK/logs" # Slurm does not create the folder of --output

sweep_job=$(sbatch --parsable --export=ALL \
    --array="1-$SHARDS${MAX_RUNNING:+%$MAX_RUNNING}" \
    --output="$WORK/logs/%x-%A_%a.out" \
    ${sbatch_args[@]+"${sbatch_args[@]}"} \
    "$here/sweep.sbatch")
sweep_job=${sweep_job%%;*} # "id;cluster" on a multi-cluster setup
[[ $sweep_job =~ ^[0-9]+$ ]] || fail "could not read the array's job id from sbatch: '$sweep_job'"
echo "sweep_job=$sweep_job"
echo "submit.sh: array job $sweep_job: $SHARDS shards of $SCENARIO into $WORK (logs in $WORK/logs)" >&2

# --kill-on-invalid-dep: if a shard fails, the merge is cancelled instead of waiting forever.
merge_args=(--parsable --export=ALL --dependency="afterok:$sweep_job" --kill-on-invalid-dep=yes
    --output="$WORK/logs/%x-%j.out")
merge_args+=(${sbatch_args[@]+"${sbatch_args[@]}"})
if ((wait_merge == 0)); then
    merge_job=$(sbatch "${merge_args[@]}" "$here/merge.sbatch")
    merge_job=${merge_job%%;*}
    echo "merge_job=$merge_job"
    echo "submit.sh: merge job $merge_job into $OUT after array job $sweep_job succeeds" >&2
    exit 0
fi

# sbatch --wait prints the job id when the job is queued, then blocks until it ends and
# exits with its exit code. Line buffering lets us pass the id on while it waits.
idfile=$(mktemp)
rc=0
stdbuf -oL sbatch --wait "${merge_args[@]}" "$here/merge.sbatch" >"$idfile" &
sbatch_pid=$!
trap 'rm -f "$idfile"' EXIT
# Stopped while waiting (Ctrl-C, a CI timeout): stop waiting too; the jobs stay queued.
trap 'kill "$sbatch_pid" 2>/dev/null; exit 130' INT
trap 'kill "$sbatch_pid" 2>/dev/null; exit 143' TERM
merge_job=""
for _ in $(seq 1 300); do # the id comes at once; 30 s is plenty
    merge_job=$(head -n 1 "$idfile")
    merge_job=${merge_job%%;*}
    [[ -z $merge_job ]] || break
    kill -0 "$sbatch_pid" 2>/dev/null || break
    sleep 0.1
done
if [[ -n $merge_job ]]; then
    echo "merge_job=$merge_job"
    echo "submit.sh: merge job $merge_job into $OUT; waiting for it to end" >&2
fi
wait "$sbatch_pid" || rc=$?
# sbatch --wait exits 0 for a job cancelled before it started (a shard failed, so the merge
# was cancelled as never runnable): only the job's final state tells success.
state=""
if [[ -n $merge_job ]]; then
    state=$(scontrol -o show job "$merge_job" 2>/dev/null | grep -oE 'JobState=[A-Z_]+' | head -n 1 || true)
    state=${state#JobState=}
    if [[ -z $state ]] && command -v sacct >/dev/null 2>&1; then # record already purged
        state=$(sacct -n -X -P -j "$merge_job" -o State 2>/dev/null | head -n 1 || true)
        state=${state%% *}
    fi
fi
if [[ -z $state ]]; then
    echo "submit.sh: warning: could not read the final state of merge job ${merge_job:-?}" >&2
elif [[ $state != COMPLETED ]]; then
    ((rc != 0)) || rc=1
fi
if ((rc == 0)); then
    echo "submit.sh: merge job $merge_job succeeded: $OUT" >&2
else
    echo "submit.sh: merge job ${merge_job:-?} did not succeed (state ${state:-unknown}, exit code $rc)" >&2
    if command -v scontrol >/dev/null 2>&1; then
        for j in "$sweep_job" ${merge_job:+"$merge_job"}; do
            scontrol -o show job "$j" 2>/dev/null | awk '{
                for (i = 1; i <= NF; i++)
                    if ($i ~ /^(JobId|ArrayTaskId|JobName|JobState|Reason|ExitCode)=/) printf "  %s", $i
                print ""
            }' >&2 || true
        done
    fi
    echo "submit.sh: logs are in $WORK/logs" >&2
fi
exit "$rc"
