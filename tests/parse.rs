//! Parse → print → parse round trips.
