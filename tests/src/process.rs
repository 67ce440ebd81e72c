//! The real `firebell` binary as a separate process: its own runtime, sockets, database pool and
//! signal handling, so replicas, crashes (`kill -9`) and `SIGTERM` are what production sees.
//! In-process engines share a runtime and hide exactly those.
//!
//! The binary is the one `cargo test --workspace` builds beside this test binary
//! (`target/<profile>/firebell`); `FIREBELL_BIN` points elsewhere. Run
//! `cargo build -p firebell` first when testing this crate alone.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// Where the `firebell` executable is.
pub fn binary() -> PathBuf {
    if let Ok(path) = std::env::var("FIREBELL_BIN") {
        return PathBuf::from(path);
    }
    // This test binary lives in target/<profile>/deps/; the firebell binary one level up.
    let exe = std::env::current_exe().expect("current exe");
    let dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("target/<profile>");
    let bin = dir.join("firebell");
    assert!(
        bin.exists(),
        "{} does not exist: run `cargo build -p firebell` first (cargo test --workspace builds it)",
        bin.display()
    );
    bin
}

/// A running `firebell serve`, killed when dropped.
pub struct FirebellProcess {
    pub name: String,
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    child: Child,
    dir: PathBuf,
}

impl FirebellProcess {
    /// Writes `config` to a file and starts `firebell serve` on `database_url` and a free port,
    /// without the console room. Does not wait for it to be ready ([`wait_ready`](Self::wait_ready)).
    pub fn spawn(name: &str, config: &str, database_url: &str) -> FirebellProcess {
        Self::spawn_with_env(name, config, database_url, &[])
    }

    pub fn spawn_with_env(
        name: &str,
        config: &str,
        database_url: &str,
        env: &[(&str, &str)],
    ) -> FirebellProcess {
        let dir = std::env::temp_dir().join(format!(
            "firebell-proc-{}-{name}-{}",
            std::process::id(),
            free_port()
        ));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let config_path = dir.join("firebell.toml");
        std::fs::write(&config_path, config).expect("write config");
        let port = free_port();
        let log = std::fs::File::create(dir.join("log.txt")).expect("log file");
        let log2 = log.try_clone().expect("log file");
        let mut cmd = Command::new(binary());
        cmd.arg("serve")
            .arg("--no-console")
            .arg("--config")
            .arg(&config_path)
            .arg("--database-url")
            .arg(database_url)
            .arg("--listen")
            .arg(format!("127.0.0.1:{port}"))
            .current_dir(&dir)
            .env("RUST_LOG", "info")
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(log2);
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = cmd.spawn().expect("spawn firebell");
        FirebellProcess {
            name: name.to_owned(),
            base: format!("http://127.0.0.1:{port}"),
            child,
            dir,
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Waits (up to 60 s) until `GET /healthz` answers; panics with the log if the process
    /// exits or never answers.
    pub async fn wait_ready(&mut self) {
        let client = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!(
                    "{} exited ({status}) before it was ready:\n{}",
                    self.name,
                    self.log()
                );
            }
            let ok = client
                .get(format!("{}/healthz", self.base))
                .timeout(Duration::from_secs(2))
                .send()
                .await
                .is_ok_and(|r| r.status().is_success());
            if ok {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "{} never became ready:\n{}",
                self.name,
                self.log()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Sends `SIGTERM`, as a deploy or `systemctl stop` does.
    pub fn terminate(&self) {
        let status = Command::new("kill")
            .arg("-TERM")
            .arg(self.pid().to_string())
            .status()
            .expect("run kill");
        assert!(status.success(), "kill -TERM {} failed", self.pid());
    }

    /// `kill -9`: the process dies at once, whatever it was doing.
    pub fn kill9(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Waits up to `limit` for the process to exit; `None` if it is still running.
    pub async fn wait_exit(&mut self, limit: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + limit;
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            if Instant::now() >= deadline {
                return None;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Everything the process printed so far (its tracing output).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("log.txt")).unwrap_or_default()
    }
}

impl Drop for FirebellProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A port nobody listens on right now (bound and released; the kernel does not hand it out again
/// at once).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}
