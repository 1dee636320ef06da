//! The visitor side of the walk: a value the path goes through is read by its own type's
//! visitor, wrapped here so that what it visits is passed on unchanged except for the
//! child on the path, which is read through [`At`] (module [`super`]).
//!
//! [`Inside`] wraps the visitor of such a value; [`Fields`] picks the field the path names
//! from a struct or struct variant, [`Elements`] the element it indexes from a list,
//! [`Variants`] and [`Variant`] follow an enum into its current variant. A value without
//! fields or elements met before the path ends is refused through [`Node::below_leaf`].

use std::fmt;

use serde::de::{
    self, DeserializeSeed, Deserializer, EnumAccess, IntoDeserializer, MapAccess, SeqAccess,
    VariantAccess, Visitor,
};

use super::{At, Node};
use crate::set::SetError;
use crate::set::path::Step;

impl<'a, 'w, 'de> Node<'a, 'w, 'de> {
    /// The visitor of this node, which the path goes through.
    pub(super) fn inside<V>(self, visitor: V, variant: Option<&'a str>) -> Inside<'a, 'w, 'de, V> {
        Inside {
            visitor,
            node: self,
            variant,
        }
    }
}

/// The visitor of a node the path goes through: what it visits is passed on, the child
/// on the path read through [`At`].
pub(super) struct Inside<'a, 'w, 'de, V> {
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
