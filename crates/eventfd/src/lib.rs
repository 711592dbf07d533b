//! eventfd (being written).
