//! Components many runs share (a model, a dataset, a template), held once in memory and
//! identified by the digest of their canonical JSON, computed once.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

/// A value shared between runs, with the blake3 (hex) of its canonical JSON.
pub struct Shared<T> {
    value: Arc<T>,
    digest: Arc<str>,
}

impl<T: Serialize> Shared<T> {
    /// Wraps `value`, computing its digest.
    pub fn new(value: T) -> Self {
        let digest = digest(&value);
        Self {
            value: Arc::new(value),
            digest: digest.into(),
        }
    }

    /// A copy of the value with `change` applied (the digest is recomputed).
    #[must_use]
    pub fn with(&self, change: impl FnOnce(&mut T)) -> Self
    where
        T: Clone,
    {
        let mut value = T::clone(&self.value);
        change(&mut value);
        Self::new(value)
    }
}

impl<T> Shared<T> {
    /// The blake3 (hex) of the value's canonical JSON (sorted keys, no whitespace).
    pub fn digest(&self) -> &str {
        &self.digest
    }
}

/// The blake3 (hex) of the canonical JSON of any value.
pub fn digest<T: Serialize>(value: &T) -> String {
    let canonical = super::to_canonical_string(value).unwrap_or_default();
    blake3::hash(canonical.as_bytes()).to_hex().to_string()
}

impl<T> Clone for Shared<T> {
    fn clone(&self) -> Self {
        Self {
            value: Arc::clone(&self.value),
            digest: Arc::clone(&self.digest),
        }
    }
}

impl<T> Deref for Shared<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.value
    }
}

impl<T> PartialEq for Shared<T> {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.value, &other.value) || self.digest == other.digest
    }
}

impl<T: fmt::Debug> fmt::Debug for Shared<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.value.fmt(f)
    }
}

impl<T: Serialize> Serialize for Shared<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.value.serialize(serializer)
    }
}

impl<'de, T: Serialize + Deserialize<'de>> Deserialize<'de> for Shared<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        T::deserialize(deserializer).map(Shared::new)
    }
}
