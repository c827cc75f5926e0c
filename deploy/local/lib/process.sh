# Sourced (never run) by stack.sh and services.sh: background processes tracked by pid files, told
# apart from unrelated processes (and from recycled pids) by their command line, stopped with a grace
# period, and the port checks and log tails around them. Needs lib/common.sh.
#
# The caller names its components (kafka, voting, ...) and defines, for a component COMP:
#   pid_file COMP       path of the pid file
#   proc_program COMP   a string the process's command line contains (the program)
#   proc_marker COMP    a path unique to this run dir that the command line contains (the generated
#                       config file), so two run dirs' processes are never confused
#   comp_ports COMP     the TCP ports it listens on, space-separated, the main one first
#   comp_logs COMP      its log files, one a line
# and may set stop_grace_seconds (SIGTERM to SIGKILL).
# shellcheck shell=bash

stop_grace_seconds=${stop_grace_seconds:-20}

# True when PID is alive and is COMP's process of this run dir (not a recycled pid).
pid_is_ours() {
  local comp=$1 pid=$2
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  local cmdline
  cmdline=$(tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline") || return 1
  [[ $cmdline == *"$(proc_program "$comp")"* && $cmdline == *"$(proc_marker "$comp")"* ]]
}

# Pid of the running component, from its pid file; empty when not running. A stale file is removed.
running_pid() {
  local comp=$1 file
  file=$(pid_file "$comp")
  [[ -f $file ]] || return 0
  local pid
  pid=$(<"$file")
  if pid_is_ours "$comp" "$pid"; then
    printf '%s' "$pid"
  else
    rm -f "$file"
  fi
}

# Processes of this run dir's component that have no pid file (a start interrupted at the wrong
# moment): matched on the marker path, then checked like a pid from the file.
orphan_pids() {
  local comp=$1 pid
  for pid in $(pgrep -f -- "$(proc_marker "$comp")" 2>/dev/null || true); do
    if [[ $pid != "$$" ]] && pid_is_ours "$comp" "$pid"; then
      printf '%s\n' "$pid"
    fi
  done
}

port_open() {
  timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null
}

# Which process listens on PORT, as ss shows it ("name",pid=N,fd=M); empty if none or unknown.
port_owner() {
  ss -H -ltnp "sport = :$1" 2>/dev/null | sed -n 's/.*users:(\(.*\)).*/\1/p' | head -n1
}

port_listening() {
  [[ -n $(ss -H -ltn "sport = :$1" 2>/dev/null) ]]
}

require_free_ports() {
  local comp=$1 port
  for port in $(comp_ports "$comp"); do
    if port_open "$port"; then
      die "$comp: port $port on 127.0.0.1 is already in use ($(port_owner "$port")); set another port or stop that process"
    fi
  done
}

show_log_tail() {
  local comp=$1 f
  while read -r f; do
    if [[ -s $f ]]; then
      warn "--- last 30 lines of $f ---"
      tail -n 30 "$f" >&2
    fi
  done < <(comp_logs "$comp")
}

# Starts a command in its own session (so a Ctrl-C or hang-up in the caller's terminal does not reach
# it), stdout/stderr appended to OUT, and records its pid.
launch() {
  local comp=$1 out=$2
  shift 2
  # 9>&-: the run-dir lock must not be inherited, or the daemon would hold it for its lifetime.
  setsid "$@" >>"$out" 2>&1 </dev/null 9>&- &
  local pid=$! i
  printf '%s\n' "$pid" >"$(pid_file "$comp")"
  # Until its exec, /proc shows this shell's command line: wait (at most 2.5 s) for the component's
  # own, so a check right after launch does not take the starting process for a stranger.
  for ((i = 0; i < 50; i++)); do
    pid_is_ours "$comp" "$pid" && return 0
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.05
  done
}

stop_pid() {
  local comp=$1 pid=$2
  kill -TERM "$pid" 2>/dev/null || return 0
  local deadline=$((SECONDS + stop_grace_seconds))
  while pid_is_ours "$comp" "$pid" && ((SECONDS < deadline)); do
    sleep 0.1
  done
  if pid_is_ours "$comp" "$pid"; then
    warn "$comp: pid $pid did not stop within ${stop_grace_seconds}s, sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    while pid_is_ours "$comp" "$pid"; do sleep 0.1; done
  fi
}

# Stops COMP's process from the pid file and any untracked one of this run dir; removes the pid file.
stop_component() {
  local comp=$1 pid stopped=0
  pid=$(running_pid "$comp")
  if [[ -n $pid ]]; then
    stop_pid "$comp" "$pid"
    stopped=1
  fi
  for pid in $(orphan_pids "$comp"); do
    warn "$comp: stopping untracked process $pid of this run dir"
    stop_pid "$comp" "$pid"
    stopped=1
  done
  rm -f "$(pid_file "$comp")"
  if ((stopped)); then say "$comp: stopped"; else say "$comp: not running"; fi
}

# Before a start: stops untracked processes of this run dir, then fails if a port is taken.
prepare_start() {
  local comp=$1 pid
  for pid in $(orphan_pids "$comp"); do
    warn "$comp: stopping untracked process $pid of this run dir"
    stop_pid "$comp" "$pid"
  done
  require_free_ports "$comp"
}
