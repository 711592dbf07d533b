//! The cgroup core (being written).
