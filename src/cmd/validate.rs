//! `k2check validate`: every problem, nothing sent.

use crate::cli::SuiteArgs;
use crate::cmd::prepare::prepare;
use crate::exit;
use crate::plan::Selection;

pub async fn validate(args: SuiteArgs) -> u8 {
    match prepare(&args, Selection::default(), None).await {
        Ok(prepared) => {
            let n = prepared.plan.scenarios.len();
            crate::outln!("{n} scenario{} valid", if n == 1 { "" } else { "s" });
            exit::OK
        }
        Err(code) => code,
    }
}
