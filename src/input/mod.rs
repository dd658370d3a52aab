//! Reading the tables users hand us (placeholder; being written).
