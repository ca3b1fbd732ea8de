//! The contract of an exercise: the names and signatures a solution must define.
//!
//! In `exercise.toml`:
//!
//! ```toml
//! [contract]
//! types = ["Ledger"]                                  # structs, enums or type aliases
//! fns = ["fn drain(cloud: &mut Cloud, queue: &Queue, ledger: &mut Ledger) -> CloudResult<usize>"]
//!
//! [contract.methods]                                  # fns inside `impl Ledger { ... }`
//! Ledger = ["fn new() -> Ledger", "fn seen(&self, id: &str) -> bool"]
//! ```
//!
//! Signatures match when their parameter types, receiver, generics and return
//! type are the same tokens; parameter names do not matter, and `Self` inside
//! an `impl` counts as the type's name.

use std::collections::BTreeMap;
use std::ops::Range;

use quote::ToTokens;
use serde::Deserialize;
use toml::Spanned;

/// `[contract]` as written in `exercise.toml`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawContract {
    #[serde(default)]
    types: Vec<Spanned<String>>,
    #[serde(default)]
    fns: Vec<Spanned<String>>,
    #[serde(default)]
    methods: BTreeMap<String, Vec<Spanned<String>>>,
}

/// A contract entry that does not parse.
#[derive(Debug)]
pub(crate) struct ContractParseError {
    pub span: Option<Range<usize>>,
    pub message: String,
}

/// One required function signature.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FnSig {
    /// The function's name.
    pub name: String,
    /// The signature as the author wrote it (shown in messages).
    pub text: String,
    shape: String,
}

/// What a solution must define.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Contract {
    /// Types (struct, enum, union or type alias) by name.
    pub types: Vec<String>,
    /// Free functions.
    pub fns: Vec<FnSig>,
    /// Methods, by the type whose `impl` holds them.
    pub methods: BTreeMap<String, Vec<FnSig>>,
}

/// One way a solution misses its contract.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Miss {
    /// The line in the solution, when the item exists but is wrong.
    pub line: Option<usize>,
    /// What is wrong, in words for the learner.
    pub message: String,
}

impl Contract {
    pub(crate) fn parse(raw: RawContract) -> Result<Contract, ContractParseError> {
        let parse_all = |list: Vec<Spanned<String>>| -> Result<Vec<FnSig>, ContractParseError> {
            list.into_iter().map(parse_entry).collect()
        };
        let mut methods = BTreeMap::new();
        for (ty, list) in raw.methods {
            methods.insert(ty, parse_all(list)?);
        }
        Ok(Contract {
            types: raw.types.into_iter().map(Spanned::into_inner).collect(),
            fns: parse_all(raw.fns)?,
            methods,
        })
    }

    /// True when the contract asks for nothing.
    pub fn is_empty(&self) -> bool {
        self.types.is_empty() && self.fns.is_empty() && self.methods.is_empty()
    }

    /// Every way `file` misses the contract (empty when it fulfils it).
    pub fn check(&self, file: &syn::File) -> Vec<Miss> {
        let mut misses = Vec::new();
        for ty in &self.types {
            if !defines_type(file, ty) {
                misses.push(Miss {
                    line: None,
                    message: format!("the contract asks for a type `{ty}` (a struct, enum or type alias); none is defined"),
                });
            }
        }
        let free: Vec<&syn::Signature> = file
            .items
            .iter()
            .filter_map(|i| match i {
                syn::Item::Fn(f) => Some(&f.sig),
                _ => None,
            })
            .collect();
        for want in &self.fns {
            check_fn(want, &free, None, &mut misses);
        }
        for (ty, wants) in &self.methods {
            let found = methods_of(file, ty);
            for want in wants {
                check_fn(want, &found, Some(ty), &mut misses);
            }
        }
        misses
    }
}

fn parse_entry(entry: Spanned<String>) -> Result<FnSig, ContractParseError> {
    let span = entry.span();
    let text = entry.into_inner();
    let sig: syn::Signature = syn::parse_str(&text).map_err(|e| ContractParseError {
        span: Some(span.clone()),
        message: format!("contract entry `{text}` is not a Rust fn signature: {e}"),
    })?;
    Ok(FnSig {
        name: sig.ident.to_string(),
        shape: shape(&sig, None),
        text,
    })
}

fn check_fn(want: &FnSig, found: &[&syn::Signature], ty: Option<&str>, misses: &mut Vec<Miss>) {
    let owner = ty.map(|t| format!("in `impl {t}` ")).unwrap_or_default();
    match found.iter().find(|s| s.ident == want.name) {
        None => misses.push(Miss {
            line: None,
            message: format!(
                "the contract asks for `{}` {owner}; it is not defined",
                want.text
            ),
        }),
        Some(sig) if shape(sig, ty) != want.shape => misses.push(Miss {
            line: Some(sig.ident.span().start().line),
            message: format!(
                "`{}` {owner}has the signature `{}`; the contract asks for `{}`",
                want.name,
                normalize(&sig.to_token_stream().to_string()),
                want.text
            ),
        }),
        Some(_) => {}
    }
}

fn defines_type(file: &syn::File, name: &str) -> bool {
    file.items.iter().any(|i| match i {
        syn::Item::Struct(s) => s.ident == name,
        syn::Item::Enum(e) => e.ident == name,
        syn::Item::Type(t) => t.ident == name,
        syn::Item::Union(u) => u.ident == name,
        _ => false,
    })
}

fn methods_of<'f>(file: &'f syn::File, ty: &str) -> Vec<&'f syn::Signature> {
    file.items
        .iter()
        .filter_map(|i| match i {
            syn::Item::Impl(imp) if self_type_name(&imp.self_ty).as_deref() == Some(ty) => {
                Some(imp)
            }
            _ => None,
        })
        .flat_map(|imp| {
            imp.items.iter().filter_map(|it| match it {
                syn::ImplItem::Fn(f) => Some(&f.sig),
                _ => None,
            })
        })
        .collect()
}

fn self_type_name(ty: &syn::Type) -> Option<String> {
    match ty {
        syn::Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    }
}

/// The parts of a signature that must match, as one normalized string.
fn shape(sig: &syn::Signature, self_ty: Option<&str>) -> String {
    let inputs: Vec<String> = sig
        .inputs
        .iter()
        .map(|arg| match arg {
            syn::FnArg::Receiver(r) => match &r.reference {
                Some((_, lt)) => format!(
                    "&{} {}self",
                    lt.as_ref().map(|l| l.to_string()).unwrap_or_default(),
                    if r.mutability.is_some() { "mut " } else { "" }
                ),
                None => "self".to_string(),
            },
            syn::FnArg::Typed(t) => t.ty.to_token_stream().to_string(),
        })
        .collect();
    let output = match &sig.output {
        syn::ReturnType::Default => "()".to_string(),
        syn::ReturnType::Type(_, ty) => ty.to_token_stream().to_string(),
    };
    let generics = sig.generics.to_token_stream().to_string();
    let wheres = sig.generics.where_clause.to_token_stream().to_string();
    let text = format!(
        "{}fn {generics} ({}) -> {output} {wheres}",
        if sig.asyncness.is_some() {
            "async "
        } else {
            ""
        },
        inputs.join(", ")
    );
    let text = normalize(&text);
    match self_ty {
        Some(ty) => text
            .split(' ')
            .map(|w| if w == "Self" { ty } else { w })
            .collect::<Vec<_>>()
            .join(" "),
        None => text,
    }
}

/// Collapses whitespace so token strings compare equal.
fn normalize(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contract(toml_text: &str) -> Contract {
        #[derive(Deserialize)]
        struct Wrap {
            contract: RawContract,
        }
        let w: Wrap = toml::from_str(toml_text).unwrap();
        Contract::parse(w.contract).unwrap()
    }

    fn misses(c: &Contract, src: &str) -> Vec<String> {
        c.check(&syn::parse_file(src).unwrap())
            .into_iter()
            .map(|m| m.message)
            .collect()
    }

    const C: &str = r#"
[contract]
types = ["Ledger"]
fns = ["fn drain(cloud: &mut Cloud, queue: &Queue, ledger: &mut Ledger) -> CloudResult<usize>"]
[contract.methods]
Ledger = ["fn new() -> Ledger", "fn seen(&self, id: &str) -> bool"]
"#;

    #[test]
    fn a_matching_solution_has_no_misses_whatever_its_parameter_names() {
        let c = contract(C);
        let src = r#"
            pub struct Ledger { ids: Vec<String> }
            impl Ledger {
                pub fn new() -> Self { Ledger { ids: vec![] } }
                pub fn seen(&self, message_id: &str) -> bool { self.ids.iter().any(|i| i == message_id) }
            }
            pub fn drain(c: &mut Cloud, q: &Queue, l: &mut Ledger) -> CloudResult<usize> { Ok(0) }
        "#;
        assert_eq!(misses(&c, src), Vec::<String>::new());
    }

    #[test]
    fn missing_and_mismatched_items_are_each_reported() {
        let c = contract(C);
        let src = r#"
            pub fn drain(c: &mut Cloud, q: &Queue) -> CloudResult<usize> { Ok(0) }
        "#;
        let m = misses(&c, src);
        assert_eq!(m.len(), 4, "{m:#?}");
        assert!(m[0].contains("type `Ledger`"));
        assert!(m[1].contains("`drain` has the signature"));
        assert!(m[1].contains("the contract asks for `fn drain(cloud: &mut Cloud"));
        assert!(m[2].contains("`fn new() -> Ledger` in `impl Ledger`"));
    }

    #[test]
    fn the_miss_names_the_line_of_a_wrong_signature() {
        let c = contract(C);
        let src = "pub struct Ledger;\n\nfn drain() {}\n";
        let got = c.check(&syn::parse_file(src).unwrap());
        let drain = got.iter().find(|m| m.message.contains("drain")).unwrap();
        assert_eq!(drain.line, Some(3));
    }
}
