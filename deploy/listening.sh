# Sourced by drill.sh and try-nginx.sh: waits for a jiqun server started in the background.
# The caller defines `fail MESSAGE` (print and exit).

# Returns once the server PID, writing to LOG, says it listens (its "Ctrl-C" line); fails with the log when
# the server stops first or has not started within 60 s. WHAT names the server in the failure.
wait_listening() { # wait_listening PID LOG WHAT
    for _ in $(seq 1 600); do
        grep -q 'Ctrl-C' "$2" && return 0
        kill -0 "$1" 2>/dev/null || fail "$3 stopped: $(cat "$2")"
        sleep 0.1
    done
    fail "$3 did not start within 60 s: $(cat "$2")"
}
