//! [`Server`]: the reviewpub binary run as a process of its own, and waiting until it answers.

/// The real `reviewpub` binary, started with the given arguments and environment (and no
/// `DATABASE_URL` or config file from the caller's environment unless given).
pub struct Server {
    child: std::process::Child,
}

impl Server {
    pub fn start(args: &[&str], envs: &[(&str, String)]) -> Self {
        Self::start_logging_to(args, envs, None)
    }

    /// Starts the binary; with `log`, everything it prints goes to that file.
    pub fn start_logging_to(
        args: &[&str],
        envs: &[(&str, String)],
        log: Option<&std::path::Path>,
    ) -> Self {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_reviewpub"));
        command
            .args(args)
            .env_remove("DATABASE_URL")
            .env_remove("REVIEWPUB_CONFIG");
        for (key, value) in envs {
            command.env(key, value);
        }
        let inherit = std::env::var_os("TEST_LOG").is_some();
        let output = || {
            if let Some(path) = log {
                let file = std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(path)
                    .expect("log file");
                std::process::Stdio::from(file)
            } else if inherit {
                std::process::Stdio::inherit()
            } else {
                std::process::Stdio::null()
            }
        };
        let child = command
            .stdout(output())
            .stderr(output())
            .spawn()
            .expect("reviewpub starts");
        Self { child }
    }

    /// Sends SIGTERM and waits for a clean exit.
    pub fn terminate(mut self) -> std::process::ExitStatus {
        self.signal(nix::sys::signal::Signal::SIGTERM)
    }

    /// Waits (bounded) for the process to exit on its own.
    pub fn wait_exit(mut self, within: std::time::Duration) -> std::process::ExitStatus {
        let deadline = std::time::Instant::now() + within;
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return status;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "reviewpub did not exit within {within:?}"
            );
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    }

    /// SIGKILL: a crash, with no chance to clean up.
    pub fn crash(mut self) {
        self.signal(nix::sys::signal::Signal::SIGKILL);
    }

    fn signal(&mut self, signal: nix::sys::signal::Signal) -> std::process::ExitStatus {
        let pid = nix::unistd::Pid::from_raw(self.child.id() as i32);
        nix::sys::signal::kill(pid, signal).expect("signal");
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return status;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "reviewpub did not stop"
            );
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Waits (bounded) until a server answers `/healthz`.
pub async fn wait_ready(base: &str) {
    reviewpub::federation::install_crypto_provider();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(90);
    while std::time::Instant::now() < deadline {
        if let Ok(r) = reqwest::get(format!("{base}/healthz")).await {
            if r.status().is_success() {
                return;
            }
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    panic!("reviewpub did not become ready at {base}");
}
