//! `<tool> completions <bash|zsh|fish|powershell>`: the shell's completion script for the
//! whole command line (every subcommand, flag and enum value), from the same clap `Command`
//! the tool parses with, so the script is never out of date.

use clap::{Arg, Command};
use clap_complete::Shell;
use std::io::Write;
use std::process::ExitCode;

/// The subcommand's name.
pub const COMPLETIONS: &str = "completions";

/// The id of the shell argument.
const SHELL: &str = "shell";

/// The `completions` subcommand.
pub fn subcommand(tool: &str) -> Command {
    Command::new(COMPLETIONS)
        .about("Print the shell completion script (bash, zsh, fish or powershell)")
        .long_about(format!(
            "Print the shell completion script (bash, zsh, fish or powershell) for every \
             subcommand, flag and enum value.\n\n\
             bash:       source <({tool} completions bash)   (or save it in \
             ~/.local/share/bash-completion/completions/{tool})\n\
             zsh:        {tool} completions zsh > \"${{fpath[1]}}/_{tool}\"\n\
             fish:       {tool} completions fish > ~/.config/fish/completions/{tool}.fish\n\
             powershell: {tool} completions powershell | Out-String | Invoke-Expression"
        ))
        .arg(
            Arg::new(SHELL)
                .required(true)
                .value_parser(clap::value_parser!(Shell)),
        )
}

/// Writes the completion script of `command` (the whole tool) for the shell chosen in
/// `matches` (the `completions` subcommand's) to stdout.
pub fn run(mut command: Command, matches: &clap::ArgMatches) -> ExitCode {
    let Some(shell) = matches.get_one::<Shell>(SHELL).copied() else {
        eprintln!("error: a shell is required: bash, zsh, fish or powershell");
        return ExitCode::from(crate::EXIT_USAGE);
    };
    let name = command.get_name().to_owned();
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut command, name, &mut script);
    let stdout = std::io::stdout();
    let mut lock = stdout.lock();
    match lock.write_all(&script).and_then(|()| lock.flush()) {
        Ok(()) => ExitCode::from(crate::EXIT_OK),
        Err(e) => {
            eprintln!("error: cannot write the completion script: {e}");
            ExitCode::from(crate::EXIT_FAILURE)
        }
    }
}
