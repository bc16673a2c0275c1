//! Reading a new user's password: from `JIQUN_NEW_PASSWORD`, else asked for on the terminal without echo.

use std::io::{BufRead, IsTerminal, Write};

use jiqun_domain::Lang;

use jiqun_app::{AppError, Code};

use crate::Refusal;

pub fn new_password(lang: Lang) -> Result<String, Refusal> {
    if let Ok(p) = std::env::var("JIQUN_NEW_PASSWORD")
        && !p.is_empty()
    {
        return Ok(p);
    }
    let stdin = std::io::stdin();
    if !stdin.is_terminal() {
        return Err(Refusal(AppError::new(
            Code::InvalidArgument,
            "请通过环境变量 JIQUN_NEW_PASSWORD 提供密码，或在终端中运行以输入密码",
            "set JIQUN_NEW_PASSWORD, or run on a terminal to type the password",
        )));
    }
    let ask = |prompt: &str| -> Result<String, Refusal> {
        eprint!("{prompt}");
        let _ = std::io::stderr().flush();
        // Echo off while typing, when stty is there to do it.
        let echo_off = std::process::Command::new("stty")
            .arg("-echo")
            .stdin(std::process::Stdio::inherit())
            .status()
            .is_ok_and(|s| s.success());
        let mut line = String::new();
        let read = stdin.lock().read_line(&mut line);
        if echo_off {
            let _ = std::process::Command::new("stty").arg("echo").stdin(std::process::Stdio::inherit()).status();
            eprintln!();
        }
        read.map_err(|e| Refusal(AppError::io(std::path::Path::new("stdin"), false, &e)))?;
        Ok(line.trim_end_matches(['\n', '\r']).to_string())
    };
    let first = ask(lang.pick("新密码：", "New password: "))?;
    let second = ask(lang.pick("再输入一次：", "Again: "))?;
    if first != second {
        return Err(Refusal(AppError::invalid("password", "两次输入的密码不一致", "the passwords differ")));
    }
    Ok(first)
}
