//! The course magics: cells that start with `:exercise`, `:hint`, `:check`,
//! `:endpoint`, `:reset`, `:replay` or `:help`. Every other `:command` (`:dep`, `:vars`,
//! `:timing` ...) belongs to evcxr and is passed through untouched.

/// One course magic, parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Magic {
    /// `:help`: list the course magics and evcxr's commands.
    Help,
    /// `:reset`: forget every variable and definition, keep the compiled sandbox.
    Reset,
    /// `:replay`: rebuild the state by re-running the earlier successful cells.
    Replay,
    /// `:exercise <id>`: show the prompt, put the starter code in the next cell.
    Exercise(String),
    /// `:hint <id>`: reveal the exercise's next hint.
    Hint(String),
    /// `:check [<id>]`: run the exercise's public scenarios on the latest
    /// solution cell (the latest one of any exercise without an id).
    Check(Option<String>),
    /// `:endpoint`: load `cloudlab-endpoint`, to serve a shared `Cloud` over
    /// HTTP to the AWS CLI and SDKs (`cloud.serve(4566)`).
    Endpoint,
}

/// A course magic written wrongly.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum MagicError {
    /// A magic that needs an argument got none.
    #[error("{magic} needs an exercise id: {usage}")]
    MissingArgument {
        /// The magic.
        magic: &'static str,
        /// How to call it.
        usage: &'static str,
    },
    /// A magic got more than it takes.
    #[error("{magic} takes {takes}, not `{extra}`: {usage}")]
    UnexpectedArgument {
        /// The magic.
        magic: &'static str,
        /// What it takes.
        takes: &'static str,
        /// What was left over.
        extra: String,
        /// How to call it.
        usage: &'static str,
    },
    /// An exercise id with characters ids never have.
    #[error(
        "`{id}` is not an exercise id (ids are lowercase words joined by `-`, e.g. sqs-first-queue)"
    )]
    InvalidId {
        /// The id as written.
        id: String,
    },
    /// Code after a magic that must stand alone.
    #[error("{magic} must be alone in its cell; move the code below it to another cell")]
    NotAlone {
        /// The magic.
        magic: &'static str,
    },
}

/// Name, arguments and one-line description of each course magic (for `:help`).
pub const COURSE_MAGICS: &[(&str, &str, &str)] = &[
    (
        ":exercise",
        "<id>",
        "Show an exercise and put its starter code in a new cell below",
    ),
    (":hint", "<id>", "Reveal the next hint for an exercise"),
    (
        ":check",
        "[<id>]",
        "Run the exercise's public scenarios on your latest solution cell",
    ),
    (
        ":endpoint",
        "",
        "Load the AWS endpoint: `let cloud = shared(Cloud::new()); let server = cloud.serve(4566)?;`",
    ),
    (
        ":reset",
        "",
        "Fresh start: forget all variables and definitions (the Cloud too), keep the compiled sandbox",
    ),
    (
        ":replay",
        "",
        "Rebuild the state after a crash by re-running the earlier successful cells",
    ),
    (":help", "", "This list, then evcxr's own commands"),
];

/// Parses a cell: `None` when it is not a course magic (ordinary code or an
/// evcxr command), `Some(Err(..))` when it is one written wrongly.
///
/// ```
/// use cloudlab_kernel::magics::{parse, Magic};
/// assert_eq!(parse(":exercise sqs-first-queue"), Some(Ok(Magic::Exercise("sqs-first-queue".into()))));
/// assert_eq!(parse(":vars"), None);
/// assert_eq!(parse("let x = 1;"), None);
/// assert!(parse(":hint").unwrap().is_err());
/// ```
pub fn parse(cell: &str) -> Option<Result<Magic, MagicError>> {
    let mut lines = cell.lines().skip_while(|l| l.trim().is_empty());
    let first = lines.next()?.trim();
    let mut words = first.split_whitespace();
    let name = words.next()?;
    let args: Vec<&str> = words.collect();
    let spec = COURSE_MAGICS.iter().find(|(n, _, _)| *n == name)?;
    let magic = spec.0;
    let rest_is_code = lines.any(|l| !l.trim().is_empty() && !l.trim_start().starts_with("//"));
    if rest_is_code {
        return Some(Err(MagicError::NotAlone { magic }));
    }
    Some(build(magic, &args))
}

fn build(magic: &'static str, args: &[&str]) -> Result<Magic, MagicError> {
    match magic {
        ":exercise" => one_id(magic, args, ":exercise <id>").map(Magic::Exercise),
        ":hint" => one_id(magic, args, ":hint <id>").map(Magic::Hint),
        ":check" if args.is_empty() => Ok(Magic::Check(None)),
        ":check" => one_id(magic, args, ":check [<id>]").map(|id| Magic::Check(Some(id))),
        ":reset" => no_args(magic, args).map(|_| Magic::Reset),
        ":replay" => no_args(magic, args).map(|_| Magic::Replay),
        ":endpoint" => no_args(magic, args).map(|_| Magic::Endpoint),
        _ => no_args(magic, args).map(|_| Magic::Help),
    }
}

fn one_id(magic: &'static str, args: &[&str], usage: &'static str) -> Result<String, MagicError> {
    match args {
        [] => Err(MagicError::MissingArgument { magic, usage }),
        [id] if is_exercise_id(id) => Ok((*id).to_string()),
        [id] => Err(MagicError::InvalidId {
            id: (*id).to_string(),
        }),
        [_, extra @ ..] => Err(MagicError::UnexpectedArgument {
            magic,
            takes: "one exercise id",
            extra: extra.join(" "),
            usage,
        }),
    }
}

fn no_args(magic: &'static str, args: &[&str]) -> Result<(), MagicError> {
    if args.is_empty() {
        Ok(())
    } else {
        Err(MagicError::UnexpectedArgument {
            magic,
            takes: "no arguments",
            extra: args.join(" "),
            usage: magic,
        })
    }
}

/// Whether `id` looks like an exercise id: lowercase ASCII letters, digits and `-`.
pub fn is_exercise_id(id: &str) -> bool {
    !id.is_empty()
        && !id.starts_with('-')
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn course_magics_parse() {
        assert_eq!(parse(":help"), Some(Ok(Magic::Help)));
        assert_eq!(parse("\n  :reset  \n"), Some(Ok(Magic::Reset)));
        assert_eq!(parse(":replay"), Some(Ok(Magic::Replay)));
        assert_eq!(parse(":endpoint"), Some(Ok(Magic::Endpoint)));
        assert!(parse(":endpoint 4566").unwrap().is_err());
        assert_eq!(parse(":check"), Some(Ok(Magic::Check(None))));
        assert_eq!(
            parse(":check sqs-1"),
            Some(Ok(Magic::Check(Some("sqs-1".to_string()))))
        );
        assert!(parse(":check a b").unwrap().is_err());
        assert_eq!(
            parse(":hint sqs-1"),
            Some(Ok(Magic::Hint("sqs-1".to_string())))
        );
        assert_eq!(
            parse(":exercise sqs-idempotent-consumer\n// my notes\n"),
            Some(Ok(Magic::Exercise("sqs-idempotent-consumer".to_string())))
        );
    }

    #[test]
    fn evcxr_commands_and_code_are_not_ours() {
        for cell in [
            ":dep serde",
            ":vars",
            ":timing",
            ":exercises",
            "let x = 1;",
            "",
            "  \n",
        ] {
            assert_eq!(parse(cell), None, "{cell:?}");
        }
    }

    #[test]
    fn wrong_arguments_are_explained() {
        assert_eq!(
            parse(":exercise"),
            Some(Err(MagicError::MissingArgument {
                magic: ":exercise",
                usage: ":exercise <id>"
            }))
        );
        let err = parse(":hint a b c").unwrap().unwrap_err();
        assert!(err.to_string().contains("`b c`"), "{err}");
        let err = parse(":reset now").unwrap().unwrap_err();
        assert!(err.to_string().contains("no arguments"), "{err}");
        assert_eq!(
            parse(":exercise ../etc"),
            Some(Err(MagicError::InvalidId {
                id: "../etc".to_string()
            }))
        );
    }

    #[test]
    fn magics_stand_alone() {
        assert_eq!(
            parse(":reset\nlet x = 1;"),
            Some(Err(MagicError::NotAlone { magic: ":reset" }))
        );
    }

    #[test]
    fn exercise_ids() {
        assert!(is_exercise_id("sqs-first-queue"));
        assert!(is_exercise_id("lambda2"));
        assert!(!is_exercise_id("SQS"));
        assert!(!is_exercise_id("a/b"));
        assert!(!is_exercise_id("-x"));
        assert!(!is_exercise_id(""));
    }
}
