//! Components many runs share (a model, a dataset, a template, a training profile, a set of
//! input hashes), held once in memory with their canonical JSON and its digest, computed once.

use crate::check::study::{LoraParams, TrainingParams};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::collections::BTreeMap;
use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

/// A value shared between runs, with its canonical JSON and the blake3 (hex) of that text.
pub struct Shared<T> {
    inner: Arc<Inner<T>>,
}

struct Inner<T> {
    value: T,
    /// `None` when the value does not serialise (its digest is then that of `""`).
    canonical: Option<String>,
    digest: String,
}

impl<T: Serialize> Shared<T> {
    /// Wraps `value`, computing its canonical JSON and digest.
    pub fn new(value: T) -> Self {
        let canonical = super::to_canonical_string(&value).ok();
        let digest = blake3::hash(canonical.as_deref().unwrap_or_default().as_bytes())
            .to_hex()
            .to_string();
        Self {
            inner: Arc::new(Inner {
                value,
                canonical,
                digest,
            }),
        }
    }

    /// A copy of the value with `change` applied (the digest is recomputed).
    #[must_use]
    pub fn with(&self, change: impl FnOnce(&mut T)) -> Self
    where
        T: Clone,
    {
        let mut value = T::clone(self);
        change(&mut value);
        Self::new(value)
    }
}

impl<T> Shared<T> {
    /// The blake3 (hex) of the value's canonical JSON.
    pub fn digest(&self) -> &str {
        &self.inner.digest
    }

    /// Whether `self` and `other` are the very same shared value (not only equal ones).
    pub fn same(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }

    /// The value's canonical JSON (sorted keys, no whitespace); `None` if it does not
    /// serialise.
    pub fn canonical(&self) -> Option<&str> {
        self.inner.canonical.as_deref()
    }
}

impl<T> Clone for Shared<T> {
    fn clone(&self) -> Self {
        Self {
            inner: Arc::clone(&self.inner),
        }
    }
}

impl<T> Deref for Shared<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.inner.value
    }
}

impl<T> PartialEq for Shared<T> {
    fn eq(&self, other: &Self) -> bool {
        self.same(other) || self.digest() == other.digest()
    }
}

impl<T: fmt::Debug> fmt::Debug for Shared<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.inner.value.fmt(f)
    }
}

impl<T: Serialize> Serialize for Shared<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.inner.value.serialize(serializer)
    }
}

impl<'de, T: Serialize + Deserialize<'de>> Deserialize<'de> for Shared<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        T::deserialize(deserializer).map(Shared::new)
    }
}

/// Equality in every bit (floats by their bits, so `0.0` and `-0.0` differ): two identical
/// values have the same canonical JSON, which `PartialEq` alone does not promise.
pub trait Identical {
    /// Whether `self` and `other` are the same in every bit.
    fn identical(&self, other: &Self) -> bool;
}

impl Identical for BTreeMap<String, String> {
    fn identical(&self, other: &Self) -> bool {
        self == other
    }
}

impl Identical for TrainingParams {
    fn identical(&self, other: &Self) -> bool {
        // Every field by name: a new field is a compile error here until it is compared.
        let TrainingParams {
            epochs,
            learning_rate,
            batch_size,
            grad_accumulation,
            warmup_ratio,
            weight_decay,
            adam_beta1,
            adam_beta2,
            adam_epsilon,
            max_grad_norm,
            max_source_tokens,
            max_target_tokens,
            selection,
            lora,
            precision,
        } = self;
        let same = |a: &f64, b: &f64| a.to_bits() == b.to_bits();
        *epochs == other.epochs
            && same(learning_rate, &other.learning_rate)
            && *batch_size == other.batch_size
            && *grad_accumulation == other.grad_accumulation
            && same(warmup_ratio, &other.warmup_ratio)
            && same(weight_decay, &other.weight_decay)
            && same(adam_beta1, &other.adam_beta1)
            && same(adam_beta2, &other.adam_beta2)
            && same(adam_epsilon, &other.adam_epsilon)
            && same(max_grad_norm, &other.max_grad_norm)
            && *max_source_tokens == other.max_source_tokens
            && *max_target_tokens == other.max_target_tokens
            && *selection == other.selection
            && *precision == other.precision
            && match (lora, &other.lora) {
                (None, None) => true,
                (Some(a), Some(b)) => a.identical(b),
                _ => false,
            }
    }
}

impl Identical for LoraParams {
    fn identical(&self, other: &Self) -> bool {
        let LoraParams {
            rank,
            alpha,
            dropout,
            targets,
        } = self;
        *rank == other.rank
            && alpha.to_bits() == other.alpha.to_bits()
            && dropout.to_bits() == other.dropout.to_bits()
            && *targets == other.targets
    }
}

/// Makes one [`Shared`] of each run of identical values: a value identical to one of the last
/// few handed out reuses it (with its canonical JSON and digest) instead of being serialised
/// and hashed again. Plans list runs grid by grid, so equal parts come in runs.
pub struct Interner<T> {
    /// Most recently used last.
    recent: Vec<Shared<T>>,
}

impl<T> Default for Interner<T> {
    fn default() -> Self {
        Self { recent: Vec::new() }
    }
}

/// How many distinct values an [`Interner`] remembers.
const RECENT: usize = 8;

impl<T: Serialize + Identical> Interner<T> {
    /// `value` as a [`Shared`], reusing an identical recent one.
    pub fn intern(&mut self, value: T) -> Shared<T> {
        self.intern_with(value, T::identical, |value| value)
    }
}

impl<T: Serialize> Interner<T> {
    /// A value read in another form (`probe`) as a [`Shared`]: a recent value for which
    /// `identical` holds is reused, otherwise `make` turns the probe into a new one.
    pub fn intern_with<Q>(
        &mut self,
        probe: Q,
        identical: impl Fn(&T, &Q) -> bool,
        make: impl FnOnce(Q) -> T,
    ) -> Shared<T> {
        if let Some(last) = self.recent.last()
            && identical(last, &probe)
        {
            return last.clone();
        }
        if let Some(index) = self.recent.iter().position(|seen| identical(seen, &probe)) {
            let seen = self.recent.remove(index);
            self.recent.push(seen.clone());
            return seen;
        }
        let shared = Shared::new(make(probe));
        if self.recent.len() == RECENT {
            self.recent.remove(0);
        }
        self.recent.push(shared.clone());
        shared
    }
}
