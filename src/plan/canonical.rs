//! Canonical JSON (object keys sorted, no whitespace) written straight from a `Serialize`
//! value, byte for byte the text of `serde_json::to_value(value)?.to_string()` without building
//! the `Value` tree: run ids and digests are hashes of this text.
//!
//! Leaves (strings, numbers) are written by serde_json's own serializer, so escaping and number
//! formatting are serde_json's. A floating-point `f32` is widened to `f64` first, as `Value`
//! does. The few shapes this writer does not handle (map keys other than strings, integers and
//! unit variants; 128-bit integers) make it fall back to the `Value` path, never to a
//! different text.

use serde::Serialize;
use serde::ser::{self, Error as _, Serializer as _};
use std::borrow::Cow;
use std::ops::Range;

type Error = serde_json::Error;

/// The canonical JSON text of `value`: what `serde_json::to_value(value)?.to_string()` gives.
pub fn to_canonical_string<T: Serialize + ?Sized>(value: &T) -> Result<String, Error> {
    let mut out = Vec::with_capacity(128);
    write_canonical(&mut out, value)?;
    String::from_utf8(out).map_err(Error::custom)
}

/// Appends the canonical JSON text of `value` to `out` (see [`to_canonical_string`]); on error
/// `out` is left as it was.
pub fn write_canonical<T: Serialize + ?Sized>(out: &mut Vec<u8>, value: &T) -> Result<(), Error> {
    let start = out.len();
    if value.serialize(Writer { out: &mut *out }).is_ok() {
        return Ok(());
    }
    out.truncate(start);
    let text = serde_json::to_value(value)?.to_string();
    out.extend_from_slice(text.as_bytes());
    Ok(())
}

fn unsupported() -> Error {
    Error::custom("not handled by the canonical writer")
}

/// serde_json's compact serializer over `out`, for one leaf.
fn leaf(out: &mut Vec<u8>) -> serde_json::Serializer<&mut Vec<u8>> {
    serde_json::Serializer::new(out)
}

/// Writes one value into `out`.
struct Writer<'a> {
    out: &'a mut Vec<u8>,
}

impl<'a> ser::Serializer for Writer<'a> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Array<'a>;
    type SerializeTuple = Array<'a>;
    type SerializeTupleStruct = Array<'a>;
    type SerializeTupleVariant = Array<'a>;
    type SerializeMap = Object<'a>;
    type SerializeStruct = Object<'a>;
    type SerializeStructVariant = Object<'a>;

    fn serialize_bool(self, v: bool) -> Result<(), Error> {
        leaf(self.out).serialize_bool(v)
    }
    fn serialize_i8(self, v: i8) -> Result<(), Error> {
        leaf(self.out).serialize_i8(v)
    }
    fn serialize_i16(self, v: i16) -> Result<(), Error> {
        leaf(self.out).serialize_i16(v)
    }
    fn serialize_i32(self, v: i32) -> Result<(), Error> {
        leaf(self.out).serialize_i32(v)
    }
    fn serialize_i64(self, v: i64) -> Result<(), Error> {
        leaf(self.out).serialize_i64(v)
    }
    fn serialize_i128(self, _: i128) -> Result<(), Error> {
        Err(unsupported())
    }
    fn serialize_u8(self, v: u8) -> Result<(), Error> {
        leaf(self.out).serialize_u8(v)
    }
    fn serialize_u16(self, v: u16) -> Result<(), Error> {
        leaf(self.out).serialize_u16(v)
    }
    fn serialize_u32(self, v: u32) -> Result<(), Error> {
        leaf(self.out).serialize_u32(v)
    }
    fn serialize_u64(self, v: u64) -> Result<(), Error> {
        leaf(self.out).serialize_u64(v)
    }
    fn serialize_u128(self, _: u128) -> Result<(), Error> {
        Err(unsupported())
    }
    fn serialize_f32(self, v: f32) -> Result<(), Error> {
        // `Value` holds every float as `f64`.
        leaf(self.out).serialize_f64(f64::from(v))
    }
    fn serialize_f64(self, v: f64) -> Result<(), Error> {
        // Non-finite numbers are written `null`, as `Value` holds them.
        leaf(self.out).serialize_f64(v)
    }
    fn serialize_char(self, v: char) -> Result<(), Error> {
        leaf(self.out).serialize_char(v)
    }
    fn serialize_str(self, v: &str) -> Result<(), Error> {
        leaf(self.out).serialize_str(v)
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<(), Error> {
        // `Value` holds bytes as an array of numbers.
        leaf(self.out).collect_seq(v)
    }
    fn serialize_none(self) -> Result<(), Error> {
        self.serialize_unit()
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Error> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), Error> {
        self.out.extend_from_slice(b"null");
        Ok(())
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<(), Error> {
        self.serialize_unit()
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, variant: &str) -> Result<(), Error> {
        self.serialize_str(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        open_variant(self.out, variant)?;
        value.serialize(Writer {
            out: &mut *self.out,
        })?;
        self.out.push(b'}');
        Ok(())
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Array<'a>, Error> {
        Ok(Array::open(self.out, false))
    }
    fn serialize_tuple(self, len: usize) -> Result<Array<'a>, Error> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(self, _: &'static str, len: usize) -> Result<Array<'a>, Error> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Array<'a>, Error> {
        open_variant(self.out, variant)?;
        Ok(Array::open(self.out, true))
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Object<'a>, Error> {
        Ok(Object::new(self.out, false))
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Object<'a>, Error> {
        Ok(Object::new(self.out, false))
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Object<'a>, Error> {
        open_variant(self.out, variant)?;
        Ok(Object::new(self.out, true))
    }
}

/// `{"variant":`, the start of an externally tagged variant with content.
fn open_variant(out: &mut Vec<u8>, variant: &str) -> Result<(), Error> {
    out.push(b'{');
    leaf(out).serialize_str(variant)?;
    out.push(b':');
    Ok(())
}

/// A JSON array, written as its elements come.
struct Array<'a> {
    out: &'a mut Vec<u8>,
    first: bool,
    /// Inside a tuple variant's `{"variant":…}`.
    in_variant: bool,
}

impl<'a> Array<'a> {
    fn open(out: &'a mut Vec<u8>, in_variant: bool) -> Self {
        out.push(b'[');
        Self {
            out,
            first: true,
            in_variant,
        }
    }

    fn element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        if !self.first {
            self.out.push(b',');
        }
        self.first = false;
        value.serialize(Writer {
            out: &mut *self.out,
        })
    }

    fn close(self) -> Result<(), Error> {
        self.out.push(b']');
        if self.in_variant {
            self.out.push(b'}');
        }
        Ok(())
    }
}

impl ser::SerializeSeq for Array<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.element(value)
    }
    fn end(self) -> Result<(), Error> {
        self.close()
    }
}

impl ser::SerializeTuple for Array<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.element(value)
    }
    fn end(self) -> Result<(), Error> {
        self.close()
    }
}

impl ser::SerializeTupleStruct for Array<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.element(value)
    }
    fn end(self) -> Result<(), Error> {
        self.close()
    }
}

impl ser::SerializeTupleVariant for Array<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.element(value)
    }
    fn end(self) -> Result<(), Error> {
        self.close()
    }
}

/// A JSON object: members are written to a scratch buffer as they come, then copied out in
/// sorted key order (the last of equal keys wins, as in a `Value` map).
struct Object<'a> {
    out: &'a mut Vec<u8>,
    /// Each member's key and where its value lies in `values`.
    members: Vec<(Cow<'static, str>, Range<usize>)>,
    values: Vec<u8>,
    /// A map key waiting for its value.
    key: Option<String>,
    /// Inside a struct variant's `{"variant":…}`.
    in_variant: bool,
}

impl<'a> Object<'a> {
    fn new(out: &'a mut Vec<u8>, in_variant: bool) -> Self {
        Self {
            out,
            members: Vec::new(),
            values: Vec::new(),
            key: None,
            in_variant,
        }
    }

    fn member<T: Serialize + ?Sized>(
        &mut self,
        key: Cow<'static, str>,
        value: &T,
    ) -> Result<(), Error> {
        let start = self.values.len();
        value.serialize(Writer {
            out: &mut self.values,
        })?;
        self.members.push((key, start..self.values.len()));
        Ok(())
    }

    fn close(mut self) -> Result<(), Error> {
        // Stable: among equal keys the last written stays last.
        self.members.sort_by(|a, b| a.0.cmp(&b.0));
        self.out.push(b'{');
        let mut first = true;
        for (i, (key, range)) in self.members.iter().enumerate() {
            if self.members.get(i + 1).is_some_and(|next| next.0 == *key) {
                continue;
            }
            if !first {
                self.out.push(b',');
            }
            first = false;
            leaf(self.out).serialize_str(key)?;
            self.out.push(b':');
            self.out.extend_from_slice(&self.values[range.clone()]);
        }
        self.out.push(b'}');
        if self.in_variant {
            self.out.push(b'}');
        }
        Ok(())
    }
}

impl ser::SerializeMap for Object<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Error> {
        self.key = Some(key.serialize(MapKey)?);
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        let key = self
            .key
            .take()
            .ok_or_else(|| Error::custom("map value without a key"))?;
        self.member(Cow::Owned(key), value)
    }
    fn end(self) -> Result<(), Error> {
        self.close()
    }
}

impl ser::SerializeStruct for Object<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.member(Cow::Borrowed(key), value)
    }
    fn end(self) -> Result<(), Error> {
        self.close()
    }
}

impl ser::SerializeStructVariant for Object<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.member(Cow::Borrowed(key), value)
    }
    fn end(self) -> Result<(), Error> {
        self.close()
    }
}

/// A map key as `Value` makes it: strings as they are, integers and unit variants as text.
struct MapKey;

impl ser::Serializer for MapKey {
    type Ok = String;
    type Error = Error;
    type SerializeSeq = ser::Impossible<String, Error>;
    type SerializeTuple = ser::Impossible<String, Error>;
    type SerializeTupleStruct = ser::Impossible<String, Error>;
    type SerializeTupleVariant = ser::Impossible<String, Error>;
    type SerializeMap = ser::Impossible<String, Error>;
    type SerializeStruct = ser::Impossible<String, Error>;
    type SerializeStructVariant = ser::Impossible<String, Error>;

    fn serialize_str(self, v: &str) -> Result<String, Error> {
        Ok(v.to_owned())
    }
    fn serialize_char(self, v: char) -> Result<String, Error> {
        Ok(v.to_string())
    }
    fn serialize_i8(self, v: i8) -> Result<String, Error> {
        Ok(v.to_string())
    }
    fn serialize_i16(self, v: i16) -> Result<String, Error> {
        Ok(v.to_string())
    }
    fn serialize_i32(self, v: i32) -> Result<String, Error> {
        Ok(v.to_string())
    }
    fn serialize_i64(self, v: i64) -> Result<String, Error> {
        Ok(v.to_string())
    }
    fn serialize_u8(self, v: u8) -> Result<String, Error> {
        Ok(v.to_string())
    }
    fn serialize_u16(self, v: u16) -> Result<String, Error> {
        Ok(v.to_string())
    }
    fn serialize_u32(self, v: u32) -> Result<String, Error> {
        Ok(v.to_string())
    }
    fn serialize_u64(self, v: u64) -> Result<String, Error> {
        Ok(v.to_string())
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<String, Error> {
        Ok(variant.to_owned())
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<String, Error> {
        value.serialize(self)
    }

    // Everything below is rare in a key and left to the `Value` path.
    fn serialize_bool(self, _: bool) -> Result<String, Error> {
        Err(unsupported())
    }
    fn serialize_f32(self, _: f32) -> Result<String, Error> {
        Err(unsupported())
    }
    fn serialize_f64(self, _: f64) -> Result<String, Error> {
        Err(unsupported())
    }
    fn serialize_bytes(self, _: &[u8]) -> Result<String, Error> {
        Err(unsupported())
    }
    fn serialize_none(self) -> Result<String, Error> {
        Err(unsupported())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, _: &T) -> Result<String, Error> {
        Err(unsupported())
    }
    fn serialize_unit(self) -> Result<String, Error> {
        Err(unsupported())
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<String, Error> {
        Err(unsupported())
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<String, Error> {
        Err(unsupported())
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, Error> {
        Err(unsupported())
    }
    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, Error> {
        Err(unsupported())
    }
    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct, Error> {
        Err(unsupported())
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, Error> {
        Err(unsupported())
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, Error> {
        Err(unsupported())
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeStruct, Error> {
        Err(unsupported())
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, Error> {
        Err(unsupported())
    }
}

#[cfg(test)]
mod tests {
    use super::to_canonical_string;
    use proptest::prelude::*;
    use serde::Serialize;
    use serde_json::{Value, json};
    use std::collections::{BTreeMap, HashMap};

    fn through_value<T: Serialize + ?Sized>(value: &T) -> String {
        serde_json::to_value(value).expect("serialises").to_string()
    }

    #[derive(Serialize)]
    #[serde(rename_all = "snake_case")]
    enum Shape {
        Unit,
        Newtype(f32),
        Tuple(u8, Option<String>),
        Struct { zeta: i64, alpha: Vec<bool> },
    }

    #[derive(Serialize)]
    struct Inner {
        b: f64,
        a: &'static str,
    }

    #[derive(Serialize)]
    struct Outer {
        z: Shape,
        #[serde(flatten)]
        inner: Inner,
        m: BTreeMap<u32, char>,
        h: HashMap<String, ()>,
        #[serde(skip_serializing_if = "Option::is_none")]
        skipped: Option<u8>,
        bytes: serde_json::Map<String, Value>,
        wide: u128,
        flags: BTreeMap<bool, u8>,
    }

    #[test]
    fn every_shape_reads_as_its_value_form() {
        for shape in [
            Shape::Unit,
            Shape::Newtype(0.1),
            Shape::Tuple(7, None),
            Shape::Struct {
                zeta: -3,
                alpha: vec![true, false],
            },
        ] {
            let outer = Outer {
                z: shape,
                inner: Inner {
                    b: f64::NAN,
                    a: "quote \" and \u{1} and é",
                },
                m: BTreeMap::from([(10, 'x'), (9, 'y')]),
                h: HashMap::from([("b".into(), ()), ("a".into(), ())]),
                skipped: None,
                bytes: json!({ "y": [1.5, 1e300, -0.0], "x": {} })
                    .as_object()
                    .cloned()
                    .unwrap_or_default(),
                wide: 5,
                flags: BTreeMap::from([(true, 1)]),
            };
            assert_eq!(
                to_canonical_string(&outer).ok(),
                Some(through_value(&outer))
            );
        }
    }

    fn json_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            any::<u64>().prop_map(Value::from),
            any::<f64>().prop_map(Value::from),
            ".{0,8}".prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 48, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                prop::collection::vec((".{0,4}", inner), 0..6)
                    .prop_map(|members| Value::Object(members.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #[test]
        fn any_json_value_reads_as_its_value_form(value in json_value()) {
            prop_assert_eq!(to_canonical_string(&value).ok(), Some(value.to_string()));
        }
    }
}
