//! What every compiled submission links: the scenario API (being built).
