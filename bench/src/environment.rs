//! What the figures were measured on: date, commit, CPU, memory and program versions.

/// What the figures were measured on.
pub fn environment(binary: &std::path::Path) -> Vec<(String, String)> {
    let run = |cmd: &str, args: &[&str]| {
        std::process::Command::new(cmd)
            .args(args)
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
            .unwrap_or_default()
    };
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name"))
        .map(|l| l.trim_start_matches([' ', '\t', ':']).to_string())
        .unwrap_or_default();
    let memory = std::fs::read_to_string("/proc/meminfo")
        .unwrap_or_default()
        .lines()
        .next()
        .unwrap_or_default()
        .trim_start_matches("MemTotal:")
        .trim()
        .to_string();
    vec![
        (
            "date".into(),
            chrono::Utc::now().format("%Y-%m-%d %H:%M UTC").to_string(),
        ),
        (
            "commit".into(),
            run("git", &["rev-parse", "--short", "HEAD"]),
        ),
        (
            "CPU".into(),
            format!(
                "{model}, {} cores",
                std::thread::available_parallelism().map_or(0, |n| n.get())
            ),
        ),
        ("memory".into(), memory),
        ("kernel".into(), run("uname", &["-r"])),
        (
            "reviewpub".into(),
            run(&binary.display().to_string(), &["--version"]),
        ),
        ("PostgreSQL".into(), run("postgres", &["--version"])),
        ("OpenSSL".into(), run("openssl", &["version"])),
        (
            "wrk".into(),
            run("sh", &["-c", "wrk --version 2>&1 | head -1"]),
        ),
    ]
}
