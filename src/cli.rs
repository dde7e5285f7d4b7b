//! The `hindsight` command line: parse, set up logging, run the chosen command.

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use tracing_subscriber::EnvFilter;

use crate::app::people::NewPerson;
use crate::app::{self, Actor, ChangeError};
use crate::auth::password;
use crate::config::{Config, LogFormat};
use crate::database::{Database, Purpose};
use crate::domain::input::is_plausible_email;
use crate::domain::{IncidentId, Role};
use crate::server;
use crate::web::paths;
use crate::{db, import, markdown};

/// `println!` that returns the error instead of panicking when standard output is closed (a
/// pipe to `head`), so the command ends quietly.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        writeln!(std::io::stdout().lock(), $($arg)*)
    }};
}

/// Hindsight: write, review and export incident postmortems.
///
/// Every flag can also be set with the environment variable shown beside it.
#[derive(Debug, Parser)]
#[command(name = "hindsight", version, about, long_about)]
pub struct Cli {
    #[command(flatten)]
    pub config: Config,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Clone, Subcommand)]
pub enum Command {
    /// Serve the web application (the default).
    Serve,
    /// Apply database migrations, render again any HTML an older version made, and exit.
    Migrate,
    /// Import Markdown postmortems as drafts: `import FILE...`; `import --dry-run --json FILE`
    /// prints what was recognised as JSON and touches no database.
    Import(ImportArgs),
    /// Write postmortems as Markdown: `export --all DIR` writes every one plus an index.md;
    /// `export ID` prints one to standard output.
    Export(ExportArgs),
    /// Manage accounts from the command line: `user add --admin EMAIL` creates the first admin
    /// (or any account) and prints a one-time link to set its password; `user reset EMAIL`
    /// prints a new link for someone locked out.
    #[command(subcommand)]
    User(UserCommand),
    /// Write published postmortems to the wiki destinations again, from scratch, and push:
    /// `publish --all` (every active destination) or `publish --all --destination ID`.
    Publish(PublishArgs),
    /// Fill an empty database with made-up postmortems, teams, people and action items (ten
    /// a postmortem): `demo --incidents 100`.
    Demo(DemoArgs),
}

#[derive(Debug, Clone, clap::Args)]
pub struct PublishArgs {
    /// Every postmortem each destination takes (the only way there is; said, so that a
    /// command that rewrites a wiki is never typed by accident).
    #[arg(long, required = true)]
    pub all: bool,
    /// Only this destination (its number, as in its page's address).
    #[arg(long, value_name = "ID")]
    pub destination: Option<i64>,
}

#[derive(Debug, Clone, clap::Args)]
pub struct DemoArgs {
    /// How many postmortems to make.
    #[arg(long, default_value_t = 100)]
    pub incidents: u32,
}

#[derive(Debug, Clone, Subcommand)]
pub enum UserCommand {
    /// Add a person. Prints a one-time link to choose a password, unless --password-stdin.
    Add(UserAddArgs),
    /// Print a one-time link for a person to set a new password.
    Reset {
        /// Their email address.
        email: String,
    },
}

#[derive(Debug, Clone, clap::Args)]
pub struct UserAddArgs {
    /// Their email address; they sign in with it.
    pub email: String,
    /// Make them an admin (the same as --role admin).
    #[arg(long, conflicts_with = "role")]
    pub admin: bool,
    /// Their role: viewer, engineer, manager or admin.
    #[arg(long, default_value = "engineer")]
    pub role: String,
    /// Their name as shown in Hindsight.
    #[arg(long, default_value = "")]
    pub name: String,
    /// Read the password from standard input (first line) instead of printing a link, for
    /// automated set-ups. It must meet the same rules as in the browser.
    #[arg(long)]
    pub password_stdin: bool,
}

#[derive(Debug, Clone, clap::Args)]
pub struct ImportArgs {
    /// Recognise only: print what would be imported, save nothing (needs no database).
    #[arg(long)]
    pub dry_run: bool,
    /// With --dry-run: print the recognised structure as JSON (see the README's import schema).
    #[arg(long, requires = "dry_run")]
    pub json: bool,
    /// Markdown files to import.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<std::path::PathBuf>,
}

#[derive(Debug, Clone, clap::Args)]
#[command(group(clap::ArgGroup::new("what").required(true).args(["all", "id"])))]
pub struct ExportArgs {
    /// Export every postmortem into DIR (created if missing), plus index.md.
    #[arg(long, value_name = "DIR")]
    pub all: Option<std::path::PathBuf>,
    /// Export the postmortem with this id to standard output.
    pub id: Option<i64>,
}

/// Entry point for `main`: runs the command and turns a failure into a message and exit code 1.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let log_format = cli.config.log_format;
    init_logging(log_format);
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: could not start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        match cli.command.unwrap_or(Command::Serve) {
            Command::Serve => server::serve(cli.config).await,
            Command::Migrate => {
                // The one command that migrates whatever --no-migrate says.
                let config = Config { no_migrate: false, ..cli.config.clone() };
                let database = Database::open(&config, Purpose::Batch).await?;
                tracing::info!("Migrations are up to date");
                let rendered = app::rendering::refresh_all(&mut *database.pool.acquire().await?).await;
                database.close().await;
                let rendered = rendered?;
                tracing::info!(pieces = rendered, "Stored HTML is up to date with this version's renderer");
                Ok(())
            }
            Command::Import(args) if args.dry_run => dry_run_import(&args),
            Command::Import(args) => {
                let database = Database::open(&cli.config, Purpose::Batch).await?;
                let result = import(&database, &args).await;
                database.close().await;
                result
            }
            Command::Export(args) => {
                let database = Database::open(&cli.config, Purpose::Batch).await?;
                let result = export(&database, &args).await;
                database.close().await;
                result
            }
            Command::Publish(args) => {
                let database = Database::open(&cli.config, Purpose::Batch).await?;
                let result = publish(&database, &cli.config, &args).await;
                database.close().await;
                result
            }
            Command::Demo(args) => {
                let database = Database::open(&cli.config, Purpose::Batch).await?;
                let result = crate::demo::generate(&database.pool, args.incidents).await;
                database.close().await;
                let made = result?;
                say!(
                    "Made {} postmortems with {} action items, {} teams and {} people (sign-in links: hindsight user reset EMAIL).",
                    made.incidents, made.action_items, made.teams, made.people
                )?;
                Ok(())
            }
            Command::User(command) => {
                let database = Database::open(&cli.config, Purpose::Batch).await?;
                let result = user(&database, &cli.config, command).await;
                database.close().await;
                result
            }
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        // The reader went away (`hindsight export … | head`): nothing is wrong with the command.
        Err(error)
            if error.downcast_ref::<std::io::Error>().is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe) =>
        {
            ExitCode::SUCCESS
        }
        Err(error) => {
            // Said once, where the operator will look: the JSON log stream, or plainly on stderr.
            match log_format {
                LogFormat::Json => tracing::error!("{error:#}"),
                LogFormat::Text => eprintln!("error: {error:#}"),
            }
            ExitCode::FAILURE
        }
    }
}

/// Reads and recognises one file, or says why it cannot be imported.
fn recognise_file(path: &std::path::Path) -> Result<import::draft::ImportedPostmortem, String> {
    let bytes = std::fs::read(path).map_err(|error| format!("could not read it: {error}"))?;
    let text = import::check_input(&bytes).map_err(|error| error.to_string())?;
    let name = path.file_name().and_then(|n| n.to_str());
    Ok(import::draft::recognise(text, name))
}

fn dry_run_import(args: &ImportArgs) -> anyhow::Result<()> {
    let mut failed = 0;
    let mut reports = Vec::new();
    for path in &args.files {
        let file = path.display().to_string();
        match recognise_file(path) {
            Ok(postmortem) if args.json => reports.push(serde_json::json!({ "file": file, "postmortem": postmortem })),
            Ok(postmortem) => say!(
                "{file}: “{}”, start {}, {} timeline entries, {} action items, {} extra sections{}",
                postmortem.title,
                postmortem.started_at.map_or_else(|| "not stated".to_owned(), |t| t.to_string()),
                postmortem.timeline.len(),
                postmortem.action_items.len(),
                postmortem.extra_sections.len(),
                if postmortem.notes.is_empty() { String::new() } else { format!("; {}", postmortem.notes.join(" ")) }
            )?,
            Err(error) => {
                failed += 1;
                if args.json {
                    reports.push(serde_json::json!({ "file": file, "error": error }));
                } else {
                    eprintln!("{file}: {error}");
                }
            }
        }
    }
    if args.json {
        say!("{}", serde_json::to_string_pretty(&reports)?)?;
    }
    anyhow::ensure!(failed == 0, "{failed} of {} files could not be imported", args.files.len());
    Ok(())
}

async fn import(database: &Database, args: &ImportArgs) -> anyhow::Result<()> {
    let mut failed = 0;
    // Each saved draft that lacks what its document did not say, to list at the end.
    let mut incomplete: Vec<(String, IncidentId, Vec<String>)> = Vec::new();
    for path in &args.files {
        let file = path.display();
        let recognised = recognise_file(path);
        let drafts = recognised.as_ref().map_err(Clone::clone).map(import::draft::ImportedPostmortem::to_drafts);
        let saved = match &drafts {
            Ok(drafts) => app::imports::save(&mut *database.pool.acquire().await?, Actor::CommandLine, drafts).await,
            Err(error) => Err(ChangeError::Refused(error.clone())),
        };
        match saved {
            Ok(id) => {
                say!("{file}: saved as draft {}", paths::incident(id))?;
                if let Ok(recognised) = &recognised {
                    // What the importer assumed, as the import page shows it.
                    for note in &recognised.notes {
                        say!("  note: {note}")?;
                    }
                    let missing = recognised.confidence().missing;
                    if !missing.is_empty() {
                        incomplete.push((file.to_string(), id, missing));
                    }
                }
            }
            // Over a limit, say: this file is refused with the reasons, the others go on.
            Err(ChangeError::Refused(reason)) => {
                failed += 1;
                eprintln!("{file}: not imported: {reason}");
            }
            Err(ChangeError::Invalid(errors)) => {
                failed += 1;
                let reasons: Vec<&str> = errors.iter().map(|(_, message)| message).collect();
                eprintln!("{file}: not imported: {}", reasons.join(" "));
            }
            Err(error) => return Err(error.into()),
        }
    }
    if !incomplete.is_empty() {
        say!("\nWhat the saved drafts do not say yet (their documents did not; enter it before review):")?;
        for (file, id, missing) in &incomplete {
            say!("  {file} ({}):", paths::incident(*id))?;
            for what in missing {
                say!("    - {what}")?;
            }
        }
    }
    anyhow::ensure!(failed == 0, "{failed} of {} files could not be imported", args.files.len());
    Ok(())
}

/// `hindsight publish --all`: queues a rebuild of each chosen destination and syncs them now,
/// then says how each stands. Fails if any sync failed.
async fn publish(database: &Database, config: &Config, args: &PublishArgs) -> anyhow::Result<()> {
    use crate::domain::WikiDestinationId;
    let pool = &database.pool;
    let chosen: Vec<_> = db::wiki::list(pool)
        .await?
        .into_iter()
        .filter(|d| d.active && args.destination.is_none_or(|id| WikiDestinationId(id) == d.id))
        .collect();
    if chosen.is_empty() {
        anyhow::bail!(
            "no active wiki destination{}: add one under Admin → Wiki sync",
            args.destination.map(|id| format!(" with number {id}")).unwrap_or_default()
        );
    }
    for destination in &chosen {
        db::wiki::enqueue_rebuild(pool, destination.id, None).await?;
        db::wiki::retry_now(pool, destination.id).await?;
    }
    let syncer = crate::wiki::Syncer::new(
        pool.clone(),
        std::sync::Arc::new(config.wiki_settings()),
        &server::public_url(config),
    );
    syncer.sync_due().await?;
    let mut failed = 0;
    for destination in &chosen {
        let Some(now) = db::wiki::find(pool, destination.id).await? else { continue };
        if now.attempts > 0 {
            failed += 1;
            say!("{} ({}): failed: {}", now.name, now.url, now.last_error)?;
        } else if now.pending > 0 {
            say!("{} ({}): queued; another instance is syncing it now", now.name, now.url)?;
        } else {
            let commit = if now.last_commit.is_empty() {
                "no commit yet".to_owned()
            } else {
                format!("last commit {}", crate::wiki::short(&now.last_commit))
            };
            say!(
                "{} ({}): {} postmortem{}, {commit}",
                now.name,
                now.url,
                now.files,
                if now.files == 1 { "" } else { "s" }
            )?;
        }
    }
    if failed > 0 {
        anyhow::bail!(
            "{failed} of {} destinations could not be synced (they will be tried again by the server)",
            chosen.len()
        );
    }
    Ok(())
}

async fn export(database: &Database, args: &ExportArgs) -> anyhow::Result<()> {
    use anyhow::Context as _;
    if let Some(id) = args.id {
        let postmortem = db::postmortems::find(&mut *database.pool.acquire().await?, IncidentId(id))
            .await?
            .with_context(|| format!("there is no postmortem with id {id}"))?;
        print!("{}", markdown::export::export(&postmortem));
        return Ok(());
    }
    let Some(dir) = &args.all else { return Ok(()) };
    let postmortems = db::postmortems::all(&mut *database.pool.acquire().await?).await?;
    std::fs::create_dir_all(dir).with_context(|| format!("could not create {}", dir.display()))?;
    let files = markdown::export::bundle(&postmortems);
    for (name, content) in &files {
        let path = dir.join(name);
        std::fs::write(&path, content).with_context(|| format!("could not write {}", path.display()))?;
    }
    tracing::info!(count = postmortems.len(), dir = %dir.display(), "Exported every postmortem with an index.md");
    Ok(())
}

async fn user(database: &Database, config: &Config, command: UserCommand) -> anyhow::Result<()> {
    use anyhow::Context as _;
    let origin = config.public_url.clone().unwrap_or_else(|| format!("http://{}", config.listen));
    let origin = origin.trim_end_matches('/');
    match command {
        UserCommand::Add(args) => {
            let email = args.email.trim();
            anyhow::ensure!(is_plausible_email(email), "{email:?} is not an email address");
            let role: Role = if args.admin {
                Role::Admin
            } else {
                args.role
                    .to_lowercase()
                    .parse()
                    .map_err(|_| anyhow::anyhow!("--role must be viewer, engineer, manager or admin"))?
            };
            let hash = if args.password_stdin {
                let mut line = String::new();
                std::io::stdin().read_line(&mut line).context("could not read the password from standard input")?;
                let password = line.trim_end_matches(['\r', '\n']).to_owned();
                password::check_new(&password, email, &args.name).map_err(|message| anyhow::anyhow!(message))?;
                Some(password::hash(password).await?)
            } else {
                None
            };
            let person = NewPerson { email, name: &args.name, role, teams: &[], password_hash: hash.as_deref() };
            let added = match app::people::add(&mut *database.pool.acquire().await?, Actor::CommandLine, person).await {
                Ok(added) => added,
                Err(ChangeError::Invalid(errors)) if errors.get("email") == Some(app::people::EMAIL_TAKEN) => {
                    anyhow::bail!(
                        "{email} already has an account; `hindsight user reset {email}` prints a new password link"
                    )
                }
                Err(ChangeError::Invalid(errors)) => {
                    anyhow::bail!("{}", errors.iter().map(|(_, message)| message).collect::<Vec<_>>().join(" "))
                }
                Err(error) => return Err(error.into()),
            };
            say!("Added {email} as {}.", role.label())?;
            if let Some(secret) = added.reset_secret {
                let path = paths::reset(&secret);
                say!("To choose a password, open this link within 7 days (it works once):\n{origin}{path}")?;
            }
        }
        UserCommand::Reset { email } => {
            let (person, _) = db::users::find_by_email(&database.pool, email.trim())
                .await?
                .with_context(|| format!("no account has the email {email}"))?;
            anyhow::ensure!(person.active, "{email}'s account is deactivated; reactivate it in the browser first");
            let secret =
                app::people::issue_reset_link(&mut *database.pool.acquire().await?, Actor::CommandLine, &person)
                    .await?;
            let path = paths::reset(&secret);
            say!("To set a new password, {email} opens this link within 7 days (it works once):\n{origin}{path}")?;
        }
    }
    Ok(())
}

fn init_logging(format: LogFormat) {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx::postgres::notice=warn"));
    // Colours only for a person at a terminal: a file or a log collector gets plain text.
    let colour = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_ansi(colour);
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().flatten_event(true).with_current_span(true).init(),
    }
}
