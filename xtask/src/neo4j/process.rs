//! Detached server processes: is a pid still our launcher, and signals to stop
//! it. Unix only (signals go through the `kill` utility, so xtask needs no
//! libc binding).

use std::process::{Command, Stdio};

/// Whether `pid` is a live process running our launcher (`main_class`).
///
/// On Linux the command line is checked too, so a pid reused by an unrelated
/// process after a crash is not mistaken for the server (and not signalled).
pub(super) fn is_running(pid: u32, main_class: &str) -> bool {
    if cfg!(target_os = "linux") {
        // A zombie or a foreign process has an empty or different cmdline.
        match std::fs::read(format!("/proc/{pid}/cmdline")) {
            Ok(cmdline) => cmdline
                .split(|&b| b == 0)
                .any(|arg| arg == main_class.as_bytes()),
            Err(_) => false,
        }
    } else {
        signal(pid, "0").is_ok()
    }
}

/// Asks the process to shut down cleanly (SIGTERM: the JVM runs its shutdown
/// hooks, and the launcher's hook shuts Neo4j down).
pub(super) fn terminate(pid: u32) -> Result<(), String> {
    signal(pid, "TERM")
}

/// Kills the process (SIGKILL).
pub(super) fn kill(pid: u32) -> Result<(), String> {
    signal(pid, "KILL")
}

fn signal(pid: u32, signal: &str) -> Result<(), String> {
    if !cfg!(unix) {
        return Err("stopping the Neo4j test server is only implemented on Unix".to_owned());
    }
    let status = Command::new("kill")
        .arg(format!("-{signal}"))
        .arg(pid.to_string())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map_err(|e| format!("could not run `kill`: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`kill -{signal} {pid}` failed ({status})"))
    }
}
