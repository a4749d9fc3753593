//! Commands that talk to a person on a terminal, driven through a pseudo-terminal.

use std::ffi::CStr;
use std::fs::File;
use std::io::{Read as _, Write as _};
use std::os::fd::{AsRawFd as _, FromRawFd as _};
use std::os::unix::process::CommandExt as _;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A pseudo-terminal: the master side for the test, the slave's path for the child.
struct Pty {
    master: File,
    slave_path: String,
}

fn open_pty() -> Pty {
    // SAFETY: plain libc calls on a descriptor this function owns; results are checked.
    unsafe {
        let fd = libc::posix_openpt(libc::O_RDWR | libc::O_NOCTTY);
        assert!(fd >= 0, "posix_openpt");
        assert_eq!(libc::grantpt(fd), 0, "grantpt");
        assert_eq!(libc::unlockpt(fd), 0, "unlockpt");
        let mut name = [0 as libc::c_char; 128];
        assert_eq!(libc::ptsname_r(fd, name.as_mut_ptr(), name.len()), 0, "ptsname_r");
        let slave_path = CStr::from_ptr(name.as_ptr()).to_string_lossy().into_owned();
        Pty {
            master: File::from_raw_fd(fd),
            slave_path,
        }
    }
}

/// Runs `k2check args` with the pseudo-terminal as its controlling terminal and standard
/// input, types each line when the output so far ends in a prompt, and returns the exit code
/// and everything the terminal showed (stdout stays a pipe, so the hash is apart).
fn on_terminal(args: &[&str], lines: &[&str]) -> (i32, String, String) {
    on_terminal_in(std::path::Path::new(env!("CARGO_MANIFEST_DIR")), args, lines, true)
}

/// With `hidden`, each line is typed only once the program has turned the terminal's echo off
/// (as a person types after the prompt): what is then shown is what the terminal echoed.
fn on_terminal_in(dir: &std::path::Path, args: &[&str], lines: &[&str], hidden: bool) -> (i32, String, String) {
    let pty = open_pty();
    let slave = File::options().read(true).write(true).open(&pty.slave_path).unwrap();
    let slave_fd = slave.as_raw_fd();
    let mut command = Command::new(env!("CARGO_BIN_EXE_k2check"));
    command
        .current_dir(dir)
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(Stdio::from(slave.try_clone().unwrap()))
        .stdout(Stdio::piped())
        .stderr(Stdio::from(slave.try_clone().unwrap()));
    // SAFETY: only async-signal-safe calls between fork and exec.
    unsafe {
        command.pre_exec(move || {
            if libc::setsid() < 0 || libc::ioctl(slave_fd, libc::TIOCSCTTY, 0) < 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let mut child = command.spawn().unwrap();
    // Kept open to read the terminal's settings; the child's copies are its own.
    let settings_fd = slave.as_raw_fd();

    let mut master = pty.master;
    let mut reader = master.try_clone().unwrap();
    let (sender, receiver) = std::sync::mpsc::channel::<Vec<u8>>();
    std::thread::spawn(move || {
        let mut buffer = [0u8; 1024];
        // EIO once the child is gone and the slave closed: that ends the reading.
        while let Ok(n @ 1..) = reader.read(&mut buffer) {
            if sender.send(buffer[..n].to_vec()).is_err() {
                break;
            }
        }
    });
    let mut shown = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(20);
    for line in lines {
        let prompts_before = prompts(&shown);
        while prompts(&shown) == prompts_before {
            assert!(
                Instant::now() < deadline,
                "no prompt; the terminal showed {:?}",
                String::from_utf8_lossy(&shown)
            );
            if let Ok(bytes) = receiver.recv_timeout(Duration::from_millis(50)) {
                shown.extend(bytes);
            }
        }
        if hidden {
            wait_for_echo_off(settings_fd, deadline);
        }
        master.write_all(format!("{line}\r").as_bytes()).unwrap();
    }
    drop(slave);
    let mut stdout = String::new();
    child.stdout.take().unwrap().read_to_string(&mut stdout).unwrap();
    let status = child.wait().unwrap();
    while let Ok(bytes) = receiver.recv_timeout(Duration::from_millis(200)) {
        shown.extend(bytes);
    }
    (
        status.code().unwrap_or(-1),
        stdout,
        String::from_utf8_lossy(&shown).into_owned(),
    )
}

fn wait_for_echo_off(fd: i32, deadline: Instant) {
    loop {
        // SAFETY: tcgetattr fills the struct it is given; the descriptor is open.
        let echo = unsafe {
            let mut settings: libc::termios = std::mem::zeroed();
            assert_eq!(libc::tcgetattr(fd, &mut settings), 0, "tcgetattr");
            settings.c_lflag & libc::ECHO != 0
        };
        if !echo {
            return;
        }
        assert!(Instant::now() < deadline, "the terminal's echo was never turned off");
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn prompts(shown: &[u8]) -> usize {
    String::from_utf8_lossy(shown).matches(": ").count()
}

#[test]
fn secret_hash_asks_twice_on_a_terminal_and_never_echoes() {
    let (code, stdout, shown) = on_terminal(&["secret-hash"], &["my secret value I am not sharing"; 2]);
    assert_eq!(code, 0, "{shown}");
    assert_eq!(stdout.trim(), "MuEzo1R7V3V2XQTZgL+jrXh/zCoOzsfuf72H444YDx0=");
    assert!(
        shown.contains("Client secret (not shown): ") && shown.contains("Again"),
        "{shown}"
    );
    assert!(!shown.contains("not sharing"), "the secret was echoed: {shown}");
    assert!(shown.contains("Send this hash"), "{shown}");
}

#[test]
fn secret_hash_on_a_terminal_refuses_two_different_entries() {
    let (code, stdout, shown) = on_terminal(&["secret-hash"], &["first-value", "second-value"]);
    assert_eq!((code, stdout.as_str()), (2, ""), "{shown}");
    assert!(shown.contains("the two entries differ"), "{shown}");
    assert!(
        !shown.contains("first-value") && !shown.contains("second-value"),
        "{shown}"
    );
}

#[test]
fn secret_hash_on_a_terminal_refuses_an_empty_secret() {
    let (code, stdout, shown) = on_terminal(&["secret-hash"], &[""]);
    assert_eq!((code, stdout.as_str()), (2, ""), "{shown}");
    assert!(shown.contains("the secret is empty"), "{shown}");
}

#[test]
fn init_on_a_terminal_asks_for_what_no_flag_gave_and_never_for_the_secret() {
    let dir = tempfile::tempdir().unwrap();
    let answers = [
        "https://Acme.onk2.com/",
        "not a tenant",
        "7f3c5a2e-0000-4bcd-9def-0123456789ab",
        "",
        "y",
    ];
    let (code, _, shown) = on_terminal_in(dir.path(), &["init", "suite"], &answers, false);
    assert_eq!(code, 0, "{shown}");
    assert!(
        shown.contains("is not a tenant id"),
        "a bad answer is asked again: {shown}"
    );
    assert!(
        !shown.to_lowercase().contains("secret ("),
        "the secret is never asked: {shown}"
    );
    let suite = std::fs::read_to_string(dir.path().join("suite/k2check.yaml")).unwrap();
    assert!(suite.contains("api: \"https://acme.onk2.com\""), "{suite}");
    assert!(
        suite.contains("https://login.onk2.com/7f3c5a2e-0000-4bcd-9def-0123456789ab{% endif %}"),
        "{suite}"
    );
    assert!(
        suite.contains("client_id: \"{{ env.K2_CLIENT_ID }}\""),
        "a skipped question is left to the environment: {suite}"
    );
    assert!(
        dir.path().join("suite/onboarding/scim-token.yaml").is_file(),
        "SCIM was asked for"
    );
    let env_example = std::fs::read_to_string(dir.path().join("suite/.env.example")).unwrap();
    assert!(
        env_example.contains("K2_CLIENT_ID=") && !env_example.contains("K2_HOST="),
        "{env_example}"
    );
}

#[test]
fn snapshots_review_on_a_terminal_asks_for_each_pending_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("__snapshots__/a.yaml");
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(folder.join("changed.json"), "{\"n\": 1}\n").unwrap();
    std::fs::write(folder.join("changed.json.new"), "{\"n\": 2}\n").unwrap();
    std::fs::write(folder.join("new.json.new"), "{\"m\": true}\n").unwrap();
    let (code, stdout, shown) = on_terminal_in(dir.path(), &["snapshots", "review"], &["maybe", "r", "a"], false);
    assert_eq!(code, 0, "{shown}{stdout}");
    assert_eq!(
        shown.matches("accept this snapshot?").count(),
        3,
        "an unclear answer is asked again: {shown}"
    );
    assert!(stdout.contains("  $.n: 1 → 2\n"), "the diff is shown: {stdout}");
    assert!(stdout.contains("new: no snapshot is stored yet"), "{stdout}");
    assert!(stdout.contains("1 accepted, 1 rejected, 0 left for later"), "{stdout}");
    assert_eq!(
        std::fs::read_to_string(folder.join("changed.json")).unwrap(),
        "{\"n\": 1}\n"
    );
    assert!(!folder.join("changed.json.new").exists());
    assert_eq!(
        std::fs::read_to_string(folder.join("new.json")).unwrap(),
        "{\"m\": true}\n"
    );
    assert!(!folder.join("new.json.new").exists());
}
