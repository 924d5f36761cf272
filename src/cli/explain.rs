//! `expc explain CODE`.

use expc::diagnostic::Code;
use std::process::ExitCode;

/// Arguments of `expc explain`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// A diagnostic code such as `E0009`; omit to list every code.
    code: Option<String>,
}

/// Prints the explanation of a code, or the list of codes.
pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    match &args.code {
        None => {
            for code in Code::ALL {
                println!("{code}  {}", code.title());
            }
        }
        Some(text) => {
            let code: Code = text.parse().map_err(anyhow::Error::msg)?;
            println!("{code}: {}\n\n{}", code.title(), code.explanation());
        }
    }
    Ok(ExitCode::SUCCESS)
}
