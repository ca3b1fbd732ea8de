//! EC2 instance types: vCPUs, memory and the hourly price (from the one
//! dated price table, [`crate::billing::PRICES`]). Storage is an EBS gp3 root
//! volume sized per deployment, billed per GB-hour.

use std::fmt;

use crate::billing::price;
use crate::error::{CloudError, CloudResult};
use crate::render::{Table, section};

/// An EC2 instance type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct InstanceType {
    /// API name, `m5.large`.
    pub name: &'static str,
    /// Virtual CPUs.
    pub vcpus: u32,
    /// Memory, MiB.
    pub memory_mib: u32,
    /// Price key in the bill.
    pub price_key: &'static str,
}

impl InstanceType {
    /// Linux on-demand price per hour, USD (us-east-1).
    pub fn hourly_usd(&self) -> f64 {
        price(self.price_key).map_or(0.0, |p| p.usd_per_unit)
    }

    /// Memory in GiB.
    pub fn memory_gib(&self) -> f64 {
        self.memory_mib as f64 / 1024.0
    }

    /// The type called `name`.
    pub fn named(name: &str) -> CloudResult<InstanceType> {
        INSTANCE_TYPES
            .iter()
            .find(|t| t.name == name)
            .copied()
            .ok_or_else(|| {
                let known: Vec<&str> = INSTANCE_TYPES.iter().map(|t| t.name).collect();
                CloudError::new(
                    "InvalidInstanceType",
                    format!(
                        "The instance type '{name}' is not offered here. Types: {}.",
                        known.join(", ")
                    ),
                )
            })
    }

    /// True when the type has at least `vcpus` vCPUs and `memory_mib` MiB.
    pub fn covers(&self, vcpus: u32, memory_mib: u32) -> bool {
        self.vcpus >= vcpus && self.memory_mib >= memory_mib
    }
}

impl fmt::Display for InstanceType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} ({} vCPU, {} GiB, ${}/h)",
            self.name,
            self.vcpus,
            self.memory_gib(),
            self.hourly_usd()
        )
    }
}

macro_rules! types {
    ($($name:literal $v:literal $m:literal),* $(,)?) => {
        /// The instance types offered (general purpose t3/m5, compute c5, memory r5).
        pub const INSTANCE_TYPES: &[InstanceType] = &[$(InstanceType {
            name: $name,
            vcpus: $v,
            memory_mib: $m,
            price_key: concat!("ec2.", $name, ".hours"),
        }),*];
    };
}

types! {
    "t3.micro" 2 1024, "t3.small" 2 2048, "t3.medium" 2 4096, "t3.large" 2 8192,
    "m5.large" 2 8192, "m5.xlarge" 4 16384, "m5.2xlarge" 8 32768,
    "c5.large" 2 4096, "c5.xlarge" 4 8192, "c5.2xlarge" 8 16384,
    "r5.large" 2 16384, "r5.xlarge" 4 32768,
}

/// The cheapest type with at least `vcpus` vCPUs and `memory_mib` MiB.
pub fn cheapest_covering(vcpus: u32, memory_mib: u32) -> Option<InstanceType> {
    INSTANCE_TYPES
        .iter()
        .filter(|t| t.covers(vcpus, memory_mib))
        .min_by(|a, b| {
            a.hourly_usd()
                .total_cmp(&b.hourly_usd())
                .then(a.name.cmp(b.name))
        })
        .copied()
}

/// The instance types as a table.
pub fn table() -> InstanceTypesView {
    InstanceTypesView
}

/// A table of the instance types and prices.
#[derive(Clone, Copy, Debug)]
pub struct InstanceTypesView;

impl InstanceTypesView {
    fn table(&self) -> Table {
        let mut t = Table::new(["Type", "vCPU", "Memory", "$/hour", "$/month (730 h)"]);
        for it in INSTANCE_TYPES {
            t.row([
                it.name.to_string(),
                it.vcpus.to_string(),
                format!("{} GiB", it.memory_gib()),
                format!("{:.4}", it.hourly_usd()),
                format!("{:.2}", it.hourly_usd() * 730.0),
            ]);
        }
        t
    }

    /// The table as HTML.
    pub fn to_html(&self) -> String {
        section(
            &format!(
                "EC2 instance types (us-east-1, Linux on demand, prices as of {})",
                crate::billing::PRICES_AS_OF
            ),
            &self.table().to_html(),
        )
    }
}

impl fmt::Display for InstanceTypesView {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.table().to_text())
    }
}

crate::display_as_html!(InstanceTypesView);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_type_is_priced() {
        for t in INSTANCE_TYPES {
            assert!(t.hourly_usd() > 0.0, "{}", t.name);
        }
        assert_eq!(InstanceType::named("m5.large").unwrap().hourly_usd(), 0.096);
        assert_eq!(
            InstanceType::named("m9.huge").unwrap_err().code,
            "InvalidInstanceType"
        );
    }

    #[test]
    fn cheapest_covering_picks_by_price() {
        assert_eq!(cheapest_covering(1, 512).unwrap().name, "t3.micro");
        // 4 GiB: t3.medium ($0.0416) beats c5.large ($0.085).
        assert_eq!(cheapest_covering(2, 4096).unwrap().name, "t3.medium");
        // 16 GiB on 2 vCPUs: r5.large, cheaper than m5.xlarge.
        assert_eq!(cheapest_covering(2, 16384).unwrap().name, "r5.large");
        assert!(cheapest_covering(64, 1024).is_none());
    }
}
