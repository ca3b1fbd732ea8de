//! Applications as the course's first lesson describes them: components with
//! CPU, memory and storage needs, a mix of request kinds, and the two ways to
//! deploy them: a **monolith** (every component on one instance type that
//! covers the largest need of each kind, scaled as a whole) or **tiers** (one
//! instance type per component).

use std::fmt;

use super::instances::{INSTANCE_TYPES, InstanceType};
use crate::error::{CloudError, CloudResult};
use crate::render::{Table, section};

/// One component of an application and what it needs.
#[derive(Clone, Debug, PartialEq)]
pub struct Component {
    /// Name (`web`, `catalog`).
    pub name: String,
    /// CPU time one request takes, vCPU-milliseconds.
    pub cpu_ms: f64,
    /// Time one request waits without using CPU (database, disk), milliseconds.
    pub io_ms: f64,
    /// Memory the component needs on its instance, MiB.
    pub memory_mib: u32,
    /// Disk the component needs, GB (an EBS gp3 root volume).
    pub storage_gb: u32,
    /// Requests one vCPU works on at once (threads or workers per vCPU).
    pub workers_per_vcpu: u32,
}

impl Component {
    /// A component needing `cpu_ms` of CPU per request, 512 MiB, 8 GB.
    pub fn new(name: &str, cpu_ms: f64) -> Component {
        Component {
            name: name.to_string(),
            cpu_ms,
            io_ms: 0.0,
            memory_mib: 512,
            storage_gb: 8,
            workers_per_vcpu: 8,
        }
    }

    /// Waiting time per request that uses no CPU.
    pub fn io_ms(mut self, ms: f64) -> Component {
        self.io_ms = ms;
        self
    }

    /// Memory the component needs, GiB.
    pub fn memory_gib(mut self, gib: f64) -> Component {
        self.memory_mib = (gib * 1024.0).round() as u32;
        self
    }

    /// Disk the component needs, GB.
    pub fn storage_gb(mut self, gb: u32) -> Component {
        self.storage_gb = gb;
        self
    }

    /// Requests in progress per vCPU (default 8).
    pub fn workers_per_vcpu(mut self, n: u32) -> Component {
        self.workers_per_vcpu = n.max(1);
        self
    }
}

/// A kind of request: its share of the traffic and the components it uses.
#[derive(Clone, Debug, PartialEq)]
pub struct RequestKind {
    /// Name (`browse`).
    pub name: String,
    /// Share of all requests (shares are normalised).
    pub share: f64,
    /// Indexes of the components it passes through, in order.
    pub path: Vec<usize>,
}

/// An application: components and the request mix.
///
/// ```
/// use cloudlab::servers::{App, Component};
/// let shop = App::new("shop")
///     .component(Component::new("web", 20.0).memory_gib(1.0).storage_gb(4))
///     .component(Component::new("catalog", 5.0).memory_gib(4.0).storage_gb(2))
///     .component(Component::new("reports", 80.0).memory_gib(1.0).storage_gb(10))
///     .request("browse", 0.9, &["web", "catalog"])
///     .request("report", 0.1, &["web", "reports"]);
/// let need = shop.monolith_need();
/// assert_eq!((need.memory_mib, need.storage_gb), (4096, 10)); // the max of each need
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct App {
    /// Name.
    pub name: String,
    /// Components.
    pub components: Vec<Component>,
    /// Request kinds (empty: one kind through every component).
    pub kinds: Vec<RequestKind>,
}

/// What one instance must have.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Need {
    /// Memory, MiB.
    pub memory_mib: u32,
    /// Disk, GB.
    pub storage_gb: u32,
}

impl App {
    /// An application with no components yet.
    pub fn new(name: &str) -> App {
        App {
            name: name.to_string(),
            components: Vec::new(),
            kinds: Vec::new(),
        }
    }

    /// Adds a component.
    pub fn component(mut self, c: Component) -> App {
        self.components.push(c);
        self
    }

    /// Adds a request kind using the named components (unknown names are
    /// reported when the app is deployed or sized).
    pub fn request(mut self, name: &str, share: f64, path: &[&str]) -> App {
        let path = path
            .iter()
            .map(|p| {
                self.components
                    .iter()
                    .position(|c| c.name == *p)
                    .unwrap_or(usize::MAX)
            })
            .collect();
        self.kinds.push(RequestKind {
            name: name.to_string(),
            share,
            path,
        });
        self
    }

    /// The request kinds, shares normalised to sum to 1.
    pub fn mix(&self) -> CloudResult<Vec<RequestKind>> {
        if self.components.is_empty() {
            return Err(invalid(format!("The app {} has no components.", self.name)));
        }
        if self.kinds.is_empty() {
            return Ok(vec![RequestKind {
                name: "request".into(),
                share: 1.0,
                path: (0..self.components.len()).collect(),
            }]);
        }
        let total: f64 = self.kinds.iter().map(|k| k.share.max(0.0)).sum();
        if total <= 0.0 {
            return Err(invalid("Request shares must add up to more than 0."));
        }
        for k in &self.kinds {
            if k.path.iter().any(|i| *i >= self.components.len()) || k.path.is_empty() {
                return Err(invalid(format!(
                    "Request kind {} names a component the app does not have.",
                    k.name
                )));
            }
        }
        Ok(self
            .kinds
            .iter()
            .map(|k| RequestKind {
                share: k.share.max(0.0) / total,
                ..k.clone()
            })
            .collect())
    }

    /// What a monolith instance needs: the largest memory and the largest
    /// disk any component needs (the course's sizing rule).
    pub fn monolith_need(&self) -> Need {
        Need {
            memory_mib: self
                .components
                .iter()
                .map(|c| c.memory_mib)
                .max()
                .unwrap_or(0),
            storage_gb: self
                .components
                .iter()
                .map(|c| c.storage_gb)
                .max()
                .unwrap_or(0),
        }
    }

    /// CPU milliseconds per second of traffic at `rps` that the components
    /// `group` (indexes) do.
    pub fn cpu_ms_per_second(&self, rps: f64, group: &[usize]) -> CloudResult<f64> {
        let mut total = 0.0;
        for k in self.mix()? {
            let per: f64 = k
                .path
                .iter()
                .filter(|i| group.contains(i))
                .map(|i| self.components[*i].cpu_ms)
                .sum();
            total += k.share * rps * per;
        }
        Ok(total)
    }

    /// Sizes a monolith for `peak_rps` at `target_cpu` utilisation (0-1): the
    /// cheapest fleet of one type covering [`App::monolith_need`].
    pub fn size_monolith(&self, peak_rps: f64, target_cpu: f64) -> CloudResult<Plan> {
        let all: Vec<usize> = (0..self.components.len()).collect();
        let need = self.monolith_need();
        let work = self.cpu_ms_per_second(peak_rps, &all)?;
        let group = size_group("monolith", need, work, target_cpu)?;
        Ok(Plan {
            app: self.name.clone(),
            layout: "monolith".into(),
            groups: vec![group],
        })
    }

    /// Sizes tiers: one group per component, each the cheapest fleet covering
    /// that component's own needs.
    pub fn size_tiers(&self, peak_rps: f64, target_cpu: f64) -> CloudResult<Plan> {
        let mut groups = Vec::new();
        for (i, c) in self.components.iter().enumerate() {
            let work = self.cpu_ms_per_second(peak_rps, &[i])?;
            let need = Need {
                memory_mib: c.memory_mib,
                storage_gb: c.storage_gb,
            };
            groups.push(size_group(&c.name, need, work, target_cpu)?);
        }
        Ok(Plan {
            app: self.name.clone(),
            layout: "tiers".into(),
            groups,
        })
    }
}

pub(crate) fn invalid(message: impl Into<String>) -> CloudError {
    CloudError::new("ValidationError", message)
}

fn size_group(name: &str, need: Need, work_ms: f64, target_cpu: f64) -> CloudResult<PlanGroup> {
    if !(0.05..=1.0).contains(&target_cpu) {
        return Err(invalid(
            "Target CPU utilisation must be between 0.05 and 1.",
        ));
    }
    let best = INSTANCE_TYPES
        .iter()
        .filter(|t| t.memory_mib >= need.memory_mib)
        .map(|t| {
            let per = t.vcpus as f64 * 1000.0 * target_cpu;
            let n = ((work_ms / per).ceil() as u32).max(1);
            (n as f64 * t.hourly_usd(), n, *t)
        })
        .min_by(|a, b| a.0.total_cmp(&b.0).then(a.2.name.cmp(b.2.name)));
    let (_, count, instance_type) = best.ok_or_else(|| {
        invalid(format!(
            "No instance type has the {} MiB of memory {name} needs.",
            need.memory_mib
        ))
    })?;
    Ok(PlanGroup {
        name: name.to_string(),
        instance_type,
        count,
        storage_gb: need.storage_gb.max(8),
        cpu_ms_per_second: work_ms,
    })
}

/// One group of a sizing plan.
#[derive(Clone, Debug, PartialEq)]
pub struct PlanGroup {
    /// Component name, or `monolith`.
    pub name: String,
    /// Instance type chosen.
    pub instance_type: InstanceType,
    /// Instances needed at peak.
    pub count: u32,
    /// Root volume per instance, GB.
    pub storage_gb: u32,
    /// CPU work at peak, vCPU-ms per second.
    pub cpu_ms_per_second: f64,
}

impl PlanGroup {
    /// Instances + storage per hour, USD.
    pub fn hourly_usd(&self) -> f64 {
        self.count as f64
            * (self.instance_type.hourly_usd()
                + self.storage_gb as f64
                    * crate::billing::price("ebs.gp3.gb_hours").map_or(0.0, |p| p.usd_per_unit))
    }
}

/// A sizing: instance types and counts per group, and what it costs.
#[derive(Clone, Debug, PartialEq)]
pub struct Plan {
    /// App name.
    pub app: String,
    /// `monolith` or `tiers`.
    pub layout: String,
    /// Groups.
    pub groups: Vec<PlanGroup>,
}

impl Plan {
    /// Instances, storage and one load balancer per group, per hour, USD
    /// (LCUs not included).
    pub fn hourly_usd(&self) -> f64 {
        let alb = crate::billing::price("elb.alb.hours").map_or(0.0, |p| p.usd_per_unit);
        self.groups.iter().map(|g| g.hourly_usd() + alb).sum()
    }

    /// Instances in total.
    pub fn instances(&self) -> u32 {
        self.groups.iter().map(|g| g.count).sum()
    }

    fn table(&self) -> Table {
        let mut t = Table::new(["Group", "Type", "Count", "Disk", "CPU at peak", "$/hour"]);
        for g in &self.groups {
            t.row([
                g.name.clone(),
                g.instance_type.name.to_string(),
                g.count.to_string(),
                format!("{} GB", g.storage_gb),
                format!("{:.2} vCPU", g.cpu_ms_per_second / 1000.0),
                format!("{:.4}", g.hourly_usd()),
            ]);
        }
        t
    }

    /// The plan as HTML.
    pub fn to_html(&self) -> String {
        section(
            &format!(
                "{} as {}: {} instances, ${:.4}/hour with {} load balancer(s), ${:.2}/month",
                self.app,
                self.layout,
                self.instances(),
                self.hourly_usd(),
                self.groups.len(),
                self.hourly_usd() * 730.0
            ),
            &self.table().to_html(),
        )
    }
}

impl fmt::Display for Plan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{} as {}: ${:.4}/hour",
            self.app,
            self.layout,
            self.hourly_usd()
        )?;
        write!(f, "{}", self.table().to_text())
    }
}

crate::display_as_html!(Plan);

#[cfg(test)]
mod tests {
    use super::*;

    fn shop() -> App {
        App::new("shop")
            .component(Component::new("web", 20.0).memory_gib(1.0).storage_gb(4))
            .component(
                Component::new("catalog", 5.0)
                    .memory_gib(12.0)
                    .storage_gb(2),
            )
            .component(
                Component::new("reports", 80.0)
                    .memory_gib(1.0)
                    .storage_gb(40),
            )
            .request("browse", 9.0, &["web", "catalog"])
            .request("report", 1.0, &["web", "reports"])
    }

    #[test]
    fn monolith_covers_the_max_of_every_need() {
        let p = shop().size_monolith(100.0, 0.6).unwrap();
        let g = &p.groups[0];
        assert!(g.instance_type.memory_mib >= 12 * 1024);
        assert_eq!(g.storage_gb, 40);
        // 100 rps: 100*20 + 90*5 + 10*80 = 3,250 vCPU-ms per second.
        assert_eq!(g.cpu_ms_per_second, 3250.0);
        assert!(g.count as f64 * g.instance_type.vcpus as f64 * 600.0 >= 3250.0);
    }

    #[test]
    fn tiers_size_each_component_on_its_own() {
        let app = shop();
        let tiers = app.size_tiers(100.0, 0.6).unwrap();
        assert_eq!(tiers.groups.len(), 3);
        let web = &tiers.groups[0];
        assert_eq!(web.instance_type.name, "t3.micro");
        let catalog = &tiers.groups[1];
        assert_eq!(catalog.instance_type.name, "r5.large");
        assert_eq!(catalog.count, 1);
        // Only the reports tier carries 40 GB disks.
        assert_eq!(
            tiers.groups.iter().filter(|g| g.storage_gb == 40).count(),
            1
        );
        let mono = app.size_monolith(100.0, 0.6).unwrap();
        assert!(tiers.hourly_usd() < mono.hourly_usd(), "{tiers}\n{mono}");
    }

    #[test]
    fn impossible_needs_are_errors_not_panics() {
        let big = App::new("big").component(Component::new("db", 1.0).memory_gib(512.0));
        assert!(
            big.size_monolith(1.0, 0.5)
                .unwrap_err()
                .message
                .contains("memory")
        );
        let bad = App::new("x")
            .component(Component::new("a", 1.0))
            .request("r", 1.0, &["nope"]);
        assert!(bad.mix().is_err());
        assert!(App::new("empty").mix().is_err());
        assert!(shop().size_tiers(1.0, 0.0).is_err());
    }
}
