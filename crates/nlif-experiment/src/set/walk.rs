//! The walk of [`super::assign`]: the config is written out as RON and read back through
//! [`At`], a deserializer that passes everything through but the node at the path, which
//! it reads from the override's text instead.
//!
//! Structs and variants are followed by the field names their `Deserialize` declares, so
//! a path that does not exist is refused with those names; lists by the index of an
//! element (`coupling[0][1]`), refused past the list's end with its length; the value is
//! read by the same call the field's type makes, so it is read exactly as `ron::from_str`
//! would read it.

use std::cell::RefCell;
use std::fmt;

use serde::de::{
    self, DeserializeSeed, Deserializer, EnumAccess, IgnoredAny, IntoDeserializer, MapAccess,
    SeqAccess, VariantAccess, Visitor,
};
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

    /// The visitor of this node, which the path goes through.
    fn inside<V>(self, visitor: V, variant: Option<&'a str>) -> Inside<'a, 'w, 'de, V> {
        Inside {
            visitor,
            node: self,
            variant,
        }
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
/// through [`Inside`].
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

/// The visitor of a node the path goes through: what it visits is passed on, the child
/// on the path read through [`At`].
struct Inside<'a, 'w, 'de, V> {
    visitor: V,
    node: Node<'a, 'w, 'de>,
    /// The variant being read, for the fields of a struct variant.
    variant: Option<&'a str>,
}

/// Visits of a value without fields or elements, which the path cannot go through.
macro_rules! below {
    ($($method:ident($t:ty)),* $(,)?) => {$(
        fn $method<E: de::Error>(self, _: $t) -> Result<Self::Value, E> {
            Err(self.node.below_leaf(true, None))
        }
    )*};
}

impl<'de, V: Visitor<'de>> Visitor<'de> for Inside<'_, '_, 'de, V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.visitor.expecting(f)
    }

    below!(
        visit_bool(bool),
        visit_i64(i64),
        visit_i128(i128),
        visit_u64(u64),
        visit_u128(u128),
        visit_f64(f64),
        visit_char(char),
        visit_str(&str),
        visit_borrowed_str(&'de str),
        visit_string(String),
        visit_bytes(&[u8]),
        visit_borrowed_bytes(&'de [u8]),
        visit_byte_buf(Vec<u8>),
    );

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        self.visitor.visit_unit()
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Err(self.node.below_leaf(false, None))
    }

    fn visit_some<D: Deserializer<'de>>(self, de: D) -> Result<Self::Value, D::Error> {
        let node = self.node;
        self.visitor.visit_some(At { de, node })
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, de: D) -> Result<Self::Value, D::Error> {
        let node = self.node;
        self.visitor.visit_newtype_struct(At { de, node })
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        let Step::Index(target) = self.node.rest()[0] else {
            return Err(self.node.below_leaf(false, None));
        };
        let elements = Elements {
            seq,
            node: self.node,
            target,
            next: 0,
        };
        self.visitor.visit_seq(elements)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        let fields = Fields {
            map,
            node: self.node,
            variant: self.variant,
            on_path: false,
        };
        self.visitor.visit_map(fields)
    }

    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<Self::Value, A::Error> {
        let node = self.node;
        self.visitor.visit_enum(Variants { data, node })
    }
}

/// The fields of a struct (or struct variant) on the path: the one the path names is read
/// through [`At`].
struct Fields<'a, 'w, 'de, A> {
    map: A,
    node: Node<'a, 'w, 'de>,
    variant: Option<&'a str>,
    on_path: bool,
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for Fields<'_, '_, 'de, A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        let Some((key, name)) = self.map.next_key_seed(Named(seed))? else {
            return Ok(None);
        };
        self.on_path = self.node.rest()[0] == Step::Field(&name);
        Ok(Some(key))
    }

    fn next_value_seed<S: DeserializeSeed<'de>>(&mut self, seed: S) -> Result<S::Value, A::Error> {
        if !self.on_path {
            return self.map.next_value_seed(seed);
        }
        let node = self.node.child(self.variant);
        self.map.next_value_seed(Child { seed, node })
    }

    fn size_hint(&self) -> Option<usize> {
        self.map.size_hint()
    }
}

/// The seed of the node on the path.
struct Child<'a, 'w, 'de, S> {
    seed: S,
    node: Node<'a, 'w, 'de>,
}

impl<'de, S: DeserializeSeed<'de>> DeserializeSeed<'de> for Child<'_, '_, 'de, S> {
    type Value = S::Value;

    fn deserialize<D: Deserializer<'de>>(self, de: D) -> Result<S::Value, D::Error> {
        self.seed.deserialize(At {
            de,
            node: self.node,
        })
    }
}

/// A field or variant name read as the identifier it is, and handed on to the seed that
/// asked for it.
struct Named<S>(S);

impl<'de, S: DeserializeSeed<'de>> DeserializeSeed<'de> for Named<S> {
    type Value = (S::Value, String);

    fn deserialize<D: Deserializer<'de>>(self, de: D) -> Result<Self::Value, D::Error> {
        de.deserialize_identifier(self)
    }
}

impl<'de, S: DeserializeSeed<'de>> Visitor<'de> for Named<S> {
    type Value = (S::Value, String);

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a field or variant name")
    }

    fn visit_str<E: de::Error>(self, name: &str) -> Result<Self::Value, E> {
        let value = self.0.deserialize(name.into_deserializer())?;
        Ok((value, name.to_owned()))
    }
}

/// An enum on the path: its variant is read as written, its fields through [`Fields`].
struct Variants<'a, 'w, 'de, A> {
    data: A,
    node: Node<'a, 'w, 'de>,
}

impl<'a, 'w, 'de, A: EnumAccess<'de>> EnumAccess<'de> for Variants<'a, 'w, 'de, A> {
    type Error = A::Error;
    type Variant = Variant<'a, 'w, 'de, A::Variant>;

    fn variant_seed<S: DeserializeSeed<'de>>(
        self,
        seed: S,
    ) -> Result<(S::Value, Self::Variant), A::Error> {
        let ((value, name), access) = self.data.variant_seed(Named(seed))?;
        let node = self.node;
        Ok((value, Variant { access, name, node }))
    }
}

/// The variant of an enum on the path.
struct Variant<'a, 'w, 'de, A> {
    access: A,
    name: String,
    node: Node<'a, 'w, 'de>,
}

impl<'de, A: VariantAccess<'de>> VariantAccess<'de> for Variant<'_, '_, 'de, A> {
    type Error = A::Error;

    fn unit_variant(self) -> Result<(), A::Error> {
        Err(self.node.below_leaf(false, Some(&self.name)))
    }

    fn newtype_variant_seed<S: DeserializeSeed<'de>>(self, seed: S) -> Result<S::Value, A::Error> {
        // The path goes on into the variant's one value, as if it were the enum itself.
        let node = Node {
            in_variant: None,
            ..self.node
        };
        self.access.newtype_variant_seed(Child { seed, node })
    }

    fn tuple_variant<V: Visitor<'de>>(self, _: usize, _: V) -> Result<V::Value, A::Error> {
        Err(self.node.below_leaf(false, Some(&self.name)))
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, A::Error> {
        let Variant { access, name, node } = self;
        node.known(fields, Some(&name))?;
        access.struct_variant(fields, node.inside(visitor, Some(&name)))
    }
}

/// The elements of a list on the path: element `target` is read through [`At`]; a list
/// that ends before it is refused with its length.
struct Elements<'a, 'w, 'de, A> {
    seq: A,
    node: Node<'a, 'w, 'de>,
    target: usize,
    /// The index of the next element.
    next: usize,
}

impl<'de, A: SeqAccess<'de>> SeqAccess<'de> for Elements<'_, '_, 'de, A> {
    type Error = A::Error;

    fn next_element_seed<S: DeserializeSeed<'de>>(
        &mut self,
        seed: S,
    ) -> Result<Option<S::Value>, A::Error> {
        let index = self.next;
        self.next += 1;
        let element = if index == self.target {
            let node = self.node.child(None);
            self.seq.next_element_seed(Child { seed, node })?
        } else {
            self.seq.next_element_seed(seed)?
        };
        if element.is_none() && index <= self.target {
            return Err(self.node.walk.fail(SetError::IndexOutOfRange {
                at: self.node.place(),
                index: self.target,
                len: index,
            }));
        }
        Ok(element)
    }

    fn size_hint(&self) -> Option<usize> {
        self.seq.size_hint()
    }
}
