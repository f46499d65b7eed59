//! `reviewpub admin …` and `reviewpub token …`: who may write, from the desk (its password and
//! sessions) and from programs (API tokens).

use anyhow::Context;

use super::{out, with_db, AdminCommand, TokenCommand};
use crate::config::Settings;
use crate::db;

pub async fn admin(settings: &Settings, command: AdminCommand) -> anyhow::Result<()> {
    let password = match &command {
        AdminCommand::SetPassword { password_stdin } => Some(read_password(*password_stdin)?),
        AdminCommand::SignOutEverywhere => None,
    };
    with_db(settings, |pool| async move {
        match password {
            Some(password) => {
                crate::sessions::set_password(&pool, &password).await?;
                out("the desk's password is set; every session was signed out")
            }
            None => {
                let count = crate::sessions::sign_out_everywhere(&pool).await?;
                out(format!("signed out {count} desk sessions"))
            }
        }
    })
    .await
}

pub async fn token(settings: &Settings, command: TokenCommand) -> anyhow::Result<()> {
    with_db(settings, |pool| async move {
        match command {
            TokenCommand::Create { name } => {
                let (_, token) = crate::sessions::mint_token(&pool, &name).await?;
                out(token)
            }
            TokenCommand::List => {
                for t in db::tokens::list(&pool).await? {
                    let state = if t.revoked_at.is_some() {
                        "revoked"
                    } else {
                        "active"
                    };
                    let used = t
                        .last_used_at
                        .map(|d| d.to_rfc3339())
                        .unwrap_or_else(|| "never".into());
                    out(format!(
                        "{}\t{}\t{state}\tcreated {}\tlast used {used}",
                        t.id,
                        t.name,
                        t.created_at.to_rfc3339()
                    ))?;
                }
                Ok(())
            }
            TokenCommand::Revoke { id } => {
                anyhow::ensure!(
                    db::tokens::revoke(&pool, id).await?,
                    "no active token with id {id}"
                );
                out(format!("revoked {id}"))
            }
        }
    })
    .await
}

/// The new desk password: one line from standard input, or asked twice on the terminal.
fn read_password(from_stdin: bool) -> anyhow::Result<secrecy::SecretString> {
    let password = if from_stdin {
        let mut line = String::new();
        std::io::stdin()
            .read_line(&mut line)
            .context("reading the password from standard input")?;
        line.trim_end_matches(['\n', '\r']).to_string()
    } else {
        let first = rpassword::prompt_password("New desk password: ")
            .context("reading the password (or pass --password-stdin)")?;
        let second = rpassword::prompt_password("Again: ").context("reading the password")?;
        anyhow::ensure!(
            first == second,
            "the two passwords differ; nothing was changed"
        );
        first
    };
    crate::sessions::check_password(&password)
        .map_err(|e| anyhow::anyhow!("the password {e}; nothing was changed"))?;
    Ok(secrecy::SecretString::from(password))
}
