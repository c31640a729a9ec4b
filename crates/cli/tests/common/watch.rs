//! What the `watch` suite needs beyond the CLI test world: a TCP [`Proxy`] that can be taken
//! down and brought back on the same port (so a service looks stopped and restarted to the
//! watcher, with real refused and reset connections, while the service itself and every other
//! test keep running), and a running [`WatchProcess`] whose stderr lines are collected as they
//! come, so a test can wait for "cycle N" instead of sleeping (any long-running command can be
//! run and signalled that way, e.g. `sync --scan`).

#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// Hang guard for one wait: generous, never a timing assertion.
pub const HANG_GUARD: Duration = Duration::from_secs(120);

/// A TCP forwarder from `127.0.0.1:port` to `target`.
pub struct Proxy {
    addr: SocketAddr,
    target: SocketAddr,
    accept: Option<JoinHandle<()>>,
    conns: Arc<Mutex<Vec<JoinHandle<()>>>>,
}

impl Proxy {
    /// Starts forwarding on a free port.
    pub async fn start(target: SocketAddr) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let mut p = Proxy {
            addr: listener.local_addr().unwrap(),
            target,
            accept: None,
            conns: Arc::default(),
        };
        p.serve(listener);
        p
    }

    /// Where clients connect.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    fn serve(&mut self, listener: TcpListener) {
        let target = self.target;
        let conns = self.conns.clone();
        self.accept = Some(tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                let task = tokio::spawn(async move {
                    if let Ok(mut outbound) = TcpStream::connect(target).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
                conns.lock().unwrap().push(task);
            }
        }));
    }

    /// The service "stops": no more connections are accepted (refused) and open ones are cut.
    pub fn down(&mut self) {
        if let Some(a) = self.accept.take() {
            a.abort();
        }
        for c in self.conns.lock().unwrap().drain(..) {
            c.abort();
        }
    }

    /// The service is back on the same address.
    pub async fn up(&mut self) {
        let deadline = Instant::now() + HANG_GUARD;
        let listener = loop {
            match TcpListener::bind(self.addr).await {
                Ok(l) => break l,
                Err(e) if Instant::now() < deadline => {
                    let _ = e;
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                Err(e) => panic!("cannot listen on {} again: {e}", self.addr),
            }
        };
        self.serve(listener);
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.down();
    }
}

/// A running `fansly-stash watch` with its stderr collected line by line.
pub struct WatchProcess {
    child: Child,
    lines: Arc<Mutex<Vec<String>>>,
    reader: Option<std::thread::JoinHandle<()>>,
}

impl WatchProcess {
    /// Spawns `cmd` (stderr piped and collected, stdout discarded).
    pub fn spawn(mut cmd: Command) -> WatchProcess {
        cmd.stdout(Stdio::null()).stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("fansly-stash starts");
        let stderr = child.stderr.take().unwrap();
        let lines: Arc<Mutex<Vec<String>>> = Arc::default();
        let sink = lines.clone();
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                sink.lock().unwrap().push(line);
            }
        });
        WatchProcess {
            child,
            lines,
            reader: Some(reader),
        }
    }

    /// Every line so far.
    pub fn lines(&self) -> Vec<String> {
        self.lines.lock().unwrap().clone()
    }

    /// Every line so far, as one text (for failure messages).
    pub fn text(&self) -> String {
        self.lines().join("\n")
    }

    /// Waits (off the async runtime's threads) until `pred` holds for some line after the
    /// first `from` lines; returns that line's index and text. Panics with the output when the
    /// process exits first or the hang guard passes.
    pub async fn wait_for(
        &mut self,
        from: usize,
        what: &str,
        pred: impl Fn(&str) -> bool,
    ) -> (usize, String) {
        let deadline = Instant::now() + HANG_GUARD;
        loop {
            if let Some((i, l)) = self
                .lines()
                .iter()
                .enumerate()
                .skip(from)
                .find(|(_, l)| pred(l))
            {
                return (i, l.clone());
            }
            if let Some(status) = self.child.try_wait().unwrap() {
                // Let the reader drain what is left.
                tokio::time::sleep(Duration::from_millis(100)).await;
                if let Some((i, l)) = self
                    .lines()
                    .iter()
                    .enumerate()
                    .skip(from)
                    .find(|(_, l)| pred(l))
                {
                    return (i, l.clone());
                }
                panic!(
                    "watch exited ({status}) before {what}; its stderr:\n{}",
                    self.text()
                );
            }
            assert!(
                Instant::now() < deadline,
                "no {what} within the hang guard; stderr so far:\n{}",
                self.text()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Waits for the line of cycle `n` or a later one; returns its index, cycle number and text.
    pub async fn wait_cycle(&mut self, n: u64) -> (usize, u64, String) {
        let (i, line) = self
            .wait_for(0, &format!("cycle {n}"), |l| {
                cycle_of(l).is_some_and(|c| c >= n)
            })
            .await;
        let c = cycle_of(&line).unwrap();
        (i, c, line)
    }

    /// The latest cycle number printed so far (0 before the first).
    pub fn last_cycle(&self) -> u64 {
        self.lines()
            .iter()
            .filter_map(|l| cycle_of(l))
            .max()
            .unwrap_or(0)
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Sends SIGTERM, as systemd and Docker do.
    pub fn sigterm(&self) {
        self.signal("TERM");
    }

    /// Sends SIGINT, as Ctrl-C in a terminal does.
    pub fn ctrl_c(&self) {
        self.signal("INT");
    }

    fn signal(&self, name: &str) {
        let ok = Command::new("kill")
            .args([&format!("-{name}"), &self.pid().to_string()])
            .status()
            .unwrap()
            .success();
        assert!(ok, "kill -{name} {} failed", self.pid());
    }

    /// Waits for the process to exit (hang guard: kills it and panics).
    pub async fn wait_exit(&mut self) -> ExitStatus {
        let deadline = Instant::now() + HANG_GUARD;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                if let Some(r) = self.reader.take() {
                    let _ = r.join();
                }
                return status;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("watch did not exit; stderr:\n{}", self.text());
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

impl Drop for WatchProcess {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// The cycle number of a `... cycle N: ...` line.
pub fn cycle_of(line: &str) -> Option<u64> {
    let rest = &line[line.find(" cycle ")? + " cycle ".len()..];
    rest.split(':').next()?.parse().ok()
}

/// `fansly-stash` with a private home and the given settings in the environment.
pub fn fansly_stash(home: &Path, env: &[(&str, String)]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_fansly-stash"));
    cmd.env_clear()
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("XDG_DATA_HOME", home.join(".local/share"));
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd
}

/// The default sync-state file under a private home.
pub fn state_file(home: &Path) -> std::path::PathBuf {
    home.join(".local/share/fansly-stash/sync-state.sqlite3")
}
