//! The walk of [`super::assign`]: the config is written out as RON and read back through
//! [`At`], a deserializer that passes everything through but the node at the path, which
//! it reads from the override's text instead.
//!
//! Structs and variants are followed by the field names their `Deserialize` declares, so
//! a path that does not exist is refused with those names; lists by the index of an
//! element (`coupling[0][1]`), refused past the list's end with its length; the value is
//! read by the same call the field's type makes, so it is read exactly as `ron::from_str`
//! would read it.
//!
//! This file holds the deserializer side: the walk's state ([`Walk`]), the node on the
//! path with its refusals ([`Node`]) and [`At`], which answers each `deserialize_*` call
//! of the type being read. A value the path goes through (a struct, variant, list,
//! option) is handed on to the visitor side, module [`inside`], which finds the child on
//! the path and reads it through [`At`] again.

mod inside;

use std::cell::RefCell;

use serde::de::{self, Deserializer, IgnoredAny, Visitor};
use serde::{Deserialize, Serialize};

use super::SetError;
use super::path::{Step, render};

/// What is replaced, and the first refusal met on the way.
struct Walk<'w, 'de> {
    path: &'w [Step<'w>],
    value: &'de str,
    failure: RefCell<Option<SetError>>,
    replaced: RefCell<bool>,
}

impl Walk<'_, '_> {
    /// Records `error` (the first one wins) and gives the deserializer's error that stops
    /// the read.
    fn fail<E: de::Error>(&self, error: SetError) -> E {
        self.failure.borrow_mut().get_or_insert(error);
        E::custom("override refused")
    }
}

/// `value` written out and read back with the node at `path` replaced by `text`.
pub(super) fn replace<T>(value: &T, path: &[Step<'_>], text: &str) -> Result<T, SetError>
where
    T: Serialize + for<'de> Deserialize<'de>,
{
    let written = ron::to_string(value).map_err(|e| SetError::Reread(e.to_string()))?;
    let walk = Walk {
        path,
        value: text,
        failure: RefCell::new(None),
        replaced: RefCell::new(false),
    };
    let read = (|| -> Result<T, ron::Error> {
        let mut de = ron::Deserializer::from_str(&written).map_err(|e| e.code)?;
        let node = Node {
            walk: &walk,
            depth: 0,
            in_variant: None,
        };
        let at = At { de: &mut de, node };
        let value = T::deserialize(at)?;
        de.end()?;
        Ok(value)
    })();
    if let Some(failure) = walk.failure.into_inner() {
        return Err(failure);
    }
    match read {
        Ok(value) if walk.replaced.into_inner() => Ok(value),
        Ok(_) => Err(SetError::Reread(format!(
            "`{}` is not written out",
            render(path)
        ))),
        Err(e) => Err(SetError::Reread(e.to_string())),
    }
}

/// A node of the config on the path: `depth` components of the path lead to it, and
/// `in_variant` names the variant whose field it is, if any.
#[derive(Clone, Copy)]
struct Node<'a, 'w, 'de> {
    walk: &'a Walk<'w, 'de>,
    depth: usize,
    in_variant: Option<&'a str>,
}

impl<'a, 'w, 'de> Node<'a, 'w, 'de> {
    /// The path's components from this node on.
    fn rest(&self) -> &'w [Step<'w>] {
        &self.walk.path[self.depth..]
    }

    /// The path of this node.
    fn place(&self) -> String {
        render(&self.walk.path[..self.depth])
    }

    /// The next step's field name, or the refusal of its index: this node is not a list.
    fn next_name<E: de::Error>(&self) -> Result<&'w str, E> {
        match self.rest()[0] {
            Step::Field(name) => Ok(name),
            Step::Index(index) => Err(self.walk.fail(SetError::NotAList {
                at: self.place(),
                index,
            })),
        }
    }

    /// The child on the path, a field of the struct or variant `in_variant` at this node.
    fn child(self, in_variant: Option<&'a str>) -> Self {
        Node {
            depth: self.depth + 1,
            in_variant,
            ..self
        }
    }

    /// The path goes on below a value without fields (`plain`: a number, text or flag;
    /// `variant`: the enum's variant).
    fn below_leaf<E: de::Error>(&self, plain: bool, variant: Option<&str>) -> E {
        let name = match self.next_name() {
            Ok(name) => name,
            Err(refusal) => return refusal,
        };
        let error = match self.in_variant {
            Some(outer) if plain => SetError::BelowVariantField {
                at: render(&self.walk.path[..self.depth - 1]),
                variant: outer.to_owned(),
                rest: render(&self.walk.path[self.depth - 1..]),
            },
            _ => SetError::NoSubField {
                at: self.place(),
                name: name.to_owned(),
                variant: variant.map(str::to_owned),
            },
        };
        self.walk.fail(error)
    }

    /// Refuses a field name the struct (or the struct variant `variant`) does not declare.
    fn known<E: de::Error>(
        &self,
        fields: &'static [&'static str],
        variant: Option<&str>,
    ) -> Result<(), E> {
        let name = self.next_name()?;
        if fields.contains(&name) {
            return Ok(());
        }
        let (at, name, expected) = (self.place(), name.to_owned(), fields.to_vec());
        Err(self.walk.fail(match variant {
            None => SetError::NoField { at, name, expected },
            Some(variant) => SetError::NoVariantField {
                at,
                variant: variant.to_owned(),
                name,
                expected,
            },
        }))
    }
}

/// The deserializer of a node on the path.
struct At<'a, 'w, 'de, D> {
    de: D,
    node: Node<'a, 'w, 'de>,
}

impl<'de, D: Deserializer<'de>> At<'_, '_, 'de, D> {
    fn rest_is_empty(&self) -> bool {
        self.node.rest().is_empty()
    }

    /// The node is the one replaced: skip what is written, read the override instead with
    /// the call the field's type made.
    fn replace<V: Visitor<'de>>(
        self,
        visitor: V,
        read: impl FnOnce(&mut ron::Deserializer<'de>, V) -> Result<V::Value, ron::Error>,
    ) -> Result<V::Value, D::Error> {
        self.de.deserialize_ignored_any(IgnoredAny)?;
        let walk = self.node.walk;
        *walk.replaced.borrow_mut() = true;
        let parsed = (|| {
            let mut de = ron::Deserializer::from_str(walk.value).map_err(|e| e.code)?;
            let parsed = read(&mut de, visitor)?;
            de.end()?;
            Ok(parsed)
        })();
        parsed.map_err(|reason: ron::Error| {
            walk.fail(SetError::Value {
                value: walk.value.to_owned(),
                reason: reason.to_string(),
            })
        })
    }
}

/// Deserializer methods of values without fields: replaced here, or refused when the path
/// goes on.
macro_rules! plain {
    ($($method:ident),* $(,)?) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
            if self.rest_is_empty() {
                self.replace(visitor, |de, v| de.$method(v))
            } else {
                Err(self.node.below_leaf(true, None))
            }
        }
    )*};
}

/// Deserializer methods of values the path may go through: replaced here, or read
/// through [`Inside`](inside::Inside).
macro_rules! through {
    ($method:ident($($arg:ident: $t:ty),*)) => {
        fn $method<V: Visitor<'de>>(self, $($arg: $t,)* visitor: V) -> Result<V::Value, D::Error> {
            if self.rest_is_empty() {
                return self.replace(visitor, |de, v| de.$method($($arg,)* v));
            }
            let inside = self.node.inside(visitor, None);
            self.de.$method($($arg,)* inside)
        }
    };
}

/// Deserializer methods of compound values without named fields: replaced here, or
/// refused when the path goes on.
macro_rules! unnamed {
    ($method:ident($($arg:ident: $t:ty),*)) => {
        fn $method<V: Visitor<'de>>(self, $($arg: $t,)* visitor: V) -> Result<V::Value, D::Error> {
            if self.rest_is_empty() {
                return self.replace(visitor, |de, v| de.$method($($arg,)* v));
            }
            Err(self.node.below_leaf(false, None))
        }
    };
}

impl<'de, D: Deserializer<'de>> Deserializer<'de> for At<'_, '_, 'de, D> {
    type Error = D::Error;

    plain!(
        deserialize_bool,
        deserialize_i8,
        deserialize_i16,
        deserialize_i32,
        deserialize_i64,
        deserialize_i128,
        deserialize_u8,
        deserialize_u16,
        deserialize_u32,
        deserialize_u64,
        deserialize_u128,
        deserialize_f32,
        deserialize_f64,
        deserialize_char,
        deserialize_str,
        deserialize_string,
        deserialize_bytes,
        deserialize_byte_buf,
        deserialize_unit,
        deserialize_identifier,
        deserialize_ignored_any,
    );
    unnamed!(deserialize_map());
    unnamed!(deserialize_unit_struct(name: &'static str));
    unnamed!(deserialize_tuple(len: usize));
    unnamed!(deserialize_tuple_struct(name: &'static str, len: usize));
    // A value read by what it is (a number or a list: `model.a1`) or a list may have
    // elements on the path.
    through!(deserialize_any());
    through!(deserialize_seq());
    through!(deserialize_option());
    through!(deserialize_newtype_struct(name: &'static str));
    through!(deserialize_enum(name: &'static str, variants: &'static [&'static str]));

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        if self.rest_is_empty() {
            return self.replace(visitor, |de, v| de.deserialize_struct(name, fields, v));
        }
        self.node.known(fields, None)?;
        let inside = self.node.inside(visitor, None);
        self.de.deserialize_struct(name, fields, inside)
    }

    fn is_human_readable(&self) -> bool {
        self.de.is_human_readable()
    }
}
