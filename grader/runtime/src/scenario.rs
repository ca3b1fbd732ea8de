//! Scenarios: named, pointed functions that exercise a solution, possibly
//! over several seeds (each seed earns its share of the points).

use cloudlab::Cloud;

use crate::check::Fail;

/// What a scenario function returns: `Ok(())` or the first failed check.
pub type Outcome = Result<(), Fail>;

/// The seed a scenario runs with when it names none.
pub const DEFAULT_SEED: u64 = 42;

/// One scenario: a name learners see, points, feedback shown when it fails,
/// the seeds it runs over and the function that runs it.
#[derive(Clone, Debug)]
pub struct Scenario {
    /// Shown in every report (also for hidden scenarios).
    pub name: String,
    /// Points for passing every seed.
    pub points: u32,
    /// Shown when the scenario fails: what to think about, not the answer.
    pub feedback: String,
    /// The seeds to run (points are shared evenly between them).
    pub seeds: Vec<u64>,
    /// Whether [`Ctx::cloud`] turns on standard-queue anomalies.
    pub anomalies: bool,
    /// The scenario.
    pub run: fn(&mut Ctx) -> Outcome,
}

impl Scenario {
    /// A scenario worth `points`, run once with [`DEFAULT_SEED`].
    pub fn new(name: &str, points: u32, run: fn(&mut Ctx) -> Outcome) -> Scenario {
        Scenario {
            name: name.to_string(),
            points,
            feedback: String::new(),
            seeds: vec![DEFAULT_SEED],
            anomalies: false,
            run,
        }
    }

    /// Feedback shown when it fails.
    pub fn feedback(mut self, text: &str) -> Scenario {
        self.feedback = text.to_string();
        self
    }

    /// Runs once per seed; each passing seed earns `points / seeds`.
    pub fn seeds(mut self, seeds: impl IntoIterator<Item = u64>) -> Scenario {
        self.seeds = seeds.into_iter().collect();
        if self.seeds.is_empty() {
            self.seeds.push(DEFAULT_SEED);
        }
        self
    }

    /// [`Ctx::cloud`] gives clouds with standard-queue anomalies (duplicates, reordering).
    pub fn anomalies(mut self) -> Scenario {
        self.anomalies = true;
        self
    }
}

/// What a scenario function gets: its seed, a cloud factory and notes.
#[derive(Debug)]
pub struct Ctx {
    seed: u64,
    anomalies: bool,
    pub(crate) notes: Vec<String>,
}

impl Ctx {
    /// A context for one run of a scenario.
    pub fn new(seed: u64, anomalies: bool) -> Ctx {
        Ctx {
            seed,
            anomalies,
            notes: Vec::new(),
        }
    }

    /// This run's seed.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// A fresh cloud with this run's seed (and anomalies if the scenario asked).
    pub fn cloud(&self) -> Cloud {
        Cloud::with_seed(self.seed).with_anomalies(self.anomalies)
    }

    /// A line of context shown with a failure (what the scenario did so far).
    pub fn note(&mut self, text: impl Into<String>) {
        self.notes.push(text.into());
    }
}
