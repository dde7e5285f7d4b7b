//! Child processes: spawning `initdb` and `postgres` so they die with Hindsight, stopping them, probing readiness.

use std::fs;
use std::io::{self, Read, Write};
use std::os::unix::net::UnixStream;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, ExitStatus};
use std::sync::{Mutex, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

use nix::errno::Errno;
use nix::sys::signal::{self, Signal};
use nix::unistd::Pid;

use super::ownership::RunAs;
use super::{
    FAST_SHUTDOWN_TIMEOUT, IMMEDIATE_SHUTDOWN_TIMEOUT, POLL_INTERVAL, PROBE_TIMEOUT, STALE_SERVER_TIMEOUT, SUPERUSER,
};

/// Sets up a command for `initdb` or `postgres`: the user to run as, working
/// folder, own process group, and death with Hindsight.
pub(super) fn prepare_child(command: &mut Command, run_as: &RunAs, working_dir: &Path) {
    if run_as.switch_user {
        command.uid(run_as.uid.as_raw()).gid(run_as.gid.as_raw()).env_remove("HOME");
    }
    command
        .env_remove("PGDATA")
        .current_dir(working_dir)
        // Keeps a terminal's Ctrl-C (sent to the whole foreground process
        // group) away from the server: Hindsight shuts down first and then
        // stops the server itself.
        .process_group(0);
    die_with_parent(command);
}

/// On Linux, makes the kernel send the child SIGINT (for postgres: fast
/// shutdown) when the thread that forked it exits, which, because children
/// are forked by the spawner thread, happens only when Hindsight exits.
///
/// This has to run in the child between fork and exec, which only
/// `pre_exec` allows. std applies `uid`/`gid` before running `pre_exec`
/// closures, which matters because the kernel clears the parent-death signal
/// when credentials change. The signal survives `exec` (postgres is not
/// set-user-ID).
#[cfg(any(target_os = "linux", target_os = "android"))]
#[allow(unsafe_code)]
fn die_with_parent(command: &mut Command) {
    let parent = nix::unistd::getpid();
    // SAFETY: the closure runs in the forked child before exec, where only
    // async-signal-safe operations are allowed. It makes two system calls,
    // prctl(2) and getppid(2), and builds an `io::Error` from an errno
    // without allocating. It takes no locks and touches no shared state.
    unsafe {
        command.pre_exec(move || {
            nix::sys::prctl::set_pdeathsig(Signal::SIGINT)?;
            // If Hindsight died before the prctl, nothing would signal us.
            if nix::unistd::getppid() != parent {
                return Err(Errno::ESRCH.into());
            }
            Ok(())
        });
    }
}

#[cfg(not(any(target_os = "linux", target_os = "android")))]
fn die_with_parent(_command: &mut Command) {}

struct SpawnRequest {
    command: Command,
    reply: std::sync::mpsc::Sender<io::Result<Child>>,
}

/// Spawns `command` from the spawner thread and returns the child.
///
/// `PR_SET_PDEATHSIG` fires when the *thread* that forked the child exits,
/// so the forking thread must live as long as the process. Tokio's
/// blocking-pool threads are reaped after idling and test threads end with
/// their test. The spawner thread is started on first use and loops on its
/// channel. The channel's sender sits in a static and is never dropped, so
/// the loop never ends and the thread goes only when the process does, which
/// is exactly when the servers it forked should be told to stop. The thread
/// only forks; the `Child` is handed back and waited for by whoever owns it.
pub(super) fn spawn_from_spawner_thread(command: Command) -> io::Result<Child> {
    static SPAWNER: Mutex<Option<std::sync::mpsc::Sender<SpawnRequest>>> = Mutex::new(None);

    let sender = {
        let mut spawner = SPAWNER.lock().unwrap_or_else(PoisonError::into_inner);
        match spawner.as_ref() {
            Some(sender) => sender.clone(),
            None => {
                let (sender, requests) = std::sync::mpsc::channel::<SpawnRequest>();
                thread::Builder::new().name("hindsight-pg-spawner".to_owned()).spawn(move || {
                    for SpawnRequest { mut command, reply } in requests {
                        let _ = reply.send(command.spawn());
                    }
                })?;
                *spawner = Some(sender.clone());
                sender
            }
        }
    };
    let (reply, child) = std::sync::mpsc::channel();
    sender
        .send(SpawnRequest { command, reply })
        .map_err(|_| io::Error::other("the PostgreSQL spawner thread is gone"))?;
    child.recv().map_err(|_| io::Error::other("the PostgreSQL spawner thread is gone"))?
}

/// Describes how the child exited, or `None` while it runs.
pub(super) fn exit_status(child: &mut Child) -> Option<String> {
    match child.try_wait() {
        Ok(Some(status)) => Some(describe_exit(status)),
        Ok(None) => None,
        // ECHILD: someone else reaped it.
        Err(error) => Some(format!("exit status unknown: {error}")),
    }
}

fn describe_exit(status: ExitStatus) -> String {
    status.to_string()
}

fn wait_for_exit(child: &mut Child, timeout: Duration) -> Option<String> {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(status) = exit_status(child) {
            return Some(status);
        }
        if Instant::now() >= deadline {
            return None;
        }
        thread::sleep(Duration::from_millis(20));
    }
}

pub(super) fn child_pid(child: &Child) -> Pid {
    // PIDs always fit in pid_t.
    Pid::from_raw(child.id() as i32)
}

/// Fast shutdown, then immediate shutdown, then SIGKILL. Returns how it exited.
pub(super) fn stop_child(child: &mut Child) -> io::Result<String> {
    if let Some(status) = exit_status(child) {
        return Ok(format!("had already exited ({status})"));
    }
    let pid = child_pid(child);
    // Errors mean it has just exited; the waits below notice.
    let _ = signal::kill(pid, Signal::SIGINT);
    if let Some(status) = wait_for_exit(child, FAST_SHUTDOWN_TIMEOUT) {
        return Ok(status);
    }
    tracing::warn!(
        pid = pid.as_raw(),
        "PostgreSQL did not finish a fast shutdown in time; asking for an immediate shutdown"
    );
    let _ = signal::kill(pid, Signal::SIGQUIT);
    if let Some(status) = wait_for_exit(child, IMMEDIATE_SHUTDOWN_TIMEOUT) {
        return Ok(status);
    }
    tracing::warn!(pid = pid.as_raw(), "PostgreSQL did not shut down; killing it");
    child.kill()?;
    child.wait().map(describe_exit)
}

/// The PID in `PGDATA/postmaster.pid`, if there is one.
pub(super) fn read_postmaster_pid(pgdata: &Path) -> Option<i32> {
    let text = fs::read_to_string(pgdata.join("postmaster.pid")).ok()?;
    text.lines().next()?.trim().parse().ok().filter(|pid| *pid > 0)
}

/// Whether a process exists and is not a zombie.
pub(super) fn process_is_running(pid: i32) -> bool {
    if let Some(zombie) = is_zombie(pid) {
        return !zombie;
    }
    // EPERM: it exists but belongs to someone else.
    !matches!(signal::kill(Pid::from_raw(pid), None), Err(Errno::ESRCH))
}

/// From /proc on Linux: `Some(true)` for a zombie, `None` if unknown.
#[cfg(any(target_os = "linux", target_os = "android"))]
fn is_zombie(pid: i32) -> Option<bool> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The state follows the command name, which is in parentheses and may
    // itself contain anything.
    let state = stat.rsplit_once(')')?.1.trim_start().chars().next()?;
    Some(matches!(state, 'Z' | 'X'))
}

#[cfg(not(any(target_os = "linux", target_os = "android")))]
fn is_zombie(_pid: i32) -> Option<bool> {
    None
}

/// If `postmaster.pid` names a live process, e.g. a server told to stop
/// because the previous Hindsight died a moment ago, gives it time to exit.
/// After that postgres itself decides whether the lock file is stale.
pub(super) fn wait_for_stale_server(pgdata: &Path) {
    let Some(pid) = read_postmaster_pid(pgdata) else {
        return;
    };
    if !process_is_running(pid) {
        return;
    }
    tracing::info!(
        pid,
        data_dir = %pgdata.display(),
        "A PostgreSQL server from an earlier run is still running on this cluster; waiting for it to exit"
    );
    let deadline = Instant::now() + STALE_SERVER_TIMEOUT;
    while process_is_running(pid) && Instant::now() < deadline {
        thread::sleep(POLL_INTERVAL);
    }
}

// ---------------------------------------------------------------------------
// Readiness

#[derive(Debug, PartialEq, Eq)]
pub(super) enum Probe {
    Ready,
    NotYet,
}

/// Asks the server at `socket` whether it accepts connections, as
/// `pg_isready` does: send a startup message and see whether the answer is
/// anything but "the database system is starting up" (SQLSTATE 57P03). A
/// bare `connect` is not enough: the socket accepts connections before the
/// server is ready to serve them.
pub(super) fn probe(socket: &Path) -> Probe {
    let Ok(mut stream) = UnixStream::connect(socket) else {
        return Probe::NotYet;
    };
    let _ = stream.set_read_timeout(Some(PROBE_TIMEOUT));
    let _ = stream.set_write_timeout(Some(PROBE_TIMEOUT));

    let mut parameters = Vec::new();
    for text in ["user", SUPERUSER, "database", "postgres", ""] {
        parameters.extend_from_slice(text.as_bytes());
        parameters.push(0);
    }
    let mut startup = Vec::new();
    startup.extend_from_slice(&(8 + parameters.len() as u32).to_be_bytes());
    startup.extend_from_slice(&196_608_u32.to_be_bytes()); // protocol 3.0
    startup.extend_from_slice(&parameters);
    if stream.write_all(&startup).is_err() {
        return Probe::NotYet;
    }

    let mut tag = [0_u8; 1];
    if stream.read_exact(&mut tag).is_err() {
        return Probe::NotYet;
    }
    if tag[0] != b'E' {
        // Authentication request, or a protocol negotiation: it is serving.
        let _ = stream.write_all(&[b'X', 0, 0, 0, 4]); // Terminate
        return Probe::Ready;
    }
    let mut length = [0_u8; 4];
    if stream.read_exact(&mut length).is_err() {
        return Probe::NotYet;
    }
    let length = u32::from_be_bytes(length).saturating_sub(4).min(64 * 1024) as usize;
    let mut body = vec![0_u8; length];
    if stream.read_exact(&mut body).is_err() {
        return Probe::NotYet;
    }
    // Fields: a type byte, then a NUL-terminated string; 'C' is the SQLSTATE.
    let starting_up = body.split(|byte| *byte == 0).any(|field| field == b"C57P03");
    if starting_up { Probe::NotYet } else { Probe::Ready }
}
