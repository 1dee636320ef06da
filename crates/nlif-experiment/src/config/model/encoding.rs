//! The `model` section as text and as bits.
//!
//! In text (RON, JSON) the single form is written exactly as the derived struct of every
//! config before the populations form: `(a0: _, a1: _, b: _, v_f: _, v_r: _, input: _)`,
//! so its bytes (the config written into an output directory, the RON hashed into a
//! checkpoint, a sweep's JSON) are those of before; `refractory`, `delay` and `prior_rate`
//! follow, left out at none, 0 and 0. The
//! populations form is written as `(populations: [..], coupling: [..], a1: [..], delay:
//! [..])`, `a1` and `delay` left out while empty. Reading
//! takes the fields of one form, each at most once, missing ones at their defaults; a field
//! of the other form is refused where it is written, naming it.
//!
//! In a binary format (a checkpoint's postcard) the section is its RON text: one string,
//! so the two forms need no tag of their own and read back as they were written.

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, Visitor};
use serde::ser::{SerializeStruct, Serializer};
use serde::{Deserialize, Serialize};

use super::{ModelSection, POPULATIONS_FIELDS, SINGLE_FIELDS};
use crate::config::Pairwise;

/// Every field of either form, as the reader declares them.
const ALL_FIELDS: &[&str] = &[
    "a0",
    "a1",
    "b",
    "v_f",
    "v_r",
    "input",
    "refractory",
    "populations",
    "coupling",
    "delay",
    "prior_rate",
];

impl Serialize for ModelSection {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if !serializer.is_human_readable() {
            let text = ron::to_string(self).map_err(serde::ser::Error::custom)?;
            return serializer.serialize_str(&text);
        }
        match &self.populations {
            None => {
                let delay = self.delay != Pairwise::Scalar(0.0);
                let refractory = !self.refractory.is_none();
                let prior = self.prior_rate != 0.0;
                let fields = 6 + usize::from(refractory) + usize::from(delay) + usize::from(prior);
                let mut s = serializer.serialize_struct("ModelSection", fields)?;
                s.serialize_field("a0", &self.a0)?;
                s.serialize_field("a1", &self.a1)?;
                s.serialize_field("b", &self.b)?;
                s.serialize_field("v_f", &self.v_f)?;
                s.serialize_field("v_r", &self.v_r)?;
                s.serialize_field("input", &self.input)?;
                if refractory {
                    s.serialize_field("refractory", &self.refractory)?;
                }
                if delay {
                    s.serialize_field("delay", &self.delay)?;
                }
                if prior {
                    s.serialize_field("prior_rate", &self.prior_rate)?;
                }
                s.end()
            }
            Some(populations) => {
                let a1 = self.a1 != Pairwise::Matrix(Vec::new());
                let delay = self.delay != Pairwise::Matrix(Vec::new());
                let fields = 2 + usize::from(a1) + usize::from(delay);
                let mut s = serializer.serialize_struct("ModelSection", fields)?;
                s.serialize_field("populations", populations)?;
                s.serialize_field("coupling", &self.coupling)?;
                if a1 {
                    s.serialize_field("a1", &self.a1)?;
                }
                if delay {
                    s.serialize_field("delay", &self.delay)?;
                }
                s.end()
            }
        }
    }
}

impl<'de> Deserialize<'de> for ModelSection {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        if !deserializer.is_human_readable() {
            let text = String::deserialize(deserializer)?;
            return ron::from_str(&text).map_err(de::Error::custom);
        }
        deserializer.deserialize_struct("ModelSection", ALL_FIELDS, Section)
    }
}

/// A field name of the section.
#[derive(Clone, Copy, PartialEq)]
enum Field {
    /// `a1`, of both forms.
    A1,
    /// `delay`, of both forms.
    Delay,
    /// A field of the single form only.
    Single(&'static str),
    /// A field of the populations form only.
    Populations(&'static str),
}

/// Reads a field name; an unknown one is refused with the fields of the form read so far
/// (`populations`: `Some(true)`), or of both while none is known.
struct Key {
    form: Option<bool>,
}

impl<'de> DeserializeSeed<'de> for Key {
    type Value = Field;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Field, D::Error> {
        deserializer.deserialize_identifier(self)
    }
}

impl<'de> Visitor<'de> for Key {
    type Value = Field;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a field of `model`")
    }

    fn visit_str<E: de::Error>(self, name: &str) -> Result<Field, E> {
        match name {
            "a1" => return Ok(Field::A1),
            "delay" => return Ok(Field::Delay),
            _ => {}
        }
        if let Some(single) = SINGLE_FIELDS.iter().find(|f| **f == name) {
            return Ok(Field::Single(single));
        }
        if let Some(field) = POPULATIONS_FIELDS.iter().find(|f| **f == name) {
            return Ok(Field::Populations(field));
        }
        let expected = match self.form {
            None => ALL_FIELDS,
            Some(false) => SINGLE_FIELDS,
            Some(true) => POPULATIONS_FIELDS,
        };
        Err(E::unknown_field(name, expected))
    }
}

/// The section's fields, read one by one.
struct Section;

/// The refusal of a single-form `field` given with a populations-form field `other`.
fn mixed<E: de::Error>(field: &str, other: &str) -> E {
    E::custom(format!(
        "`model.{field}` is a field of the single-population form (a0, a1, b, v_f, v_r, input, refractory, delay, prior_rate) and cannot be given beside `{other}` (the populations form: populations, coupling, a1, delay); each population carries its own a0, v_f, v_r, input, refractory and prior_rate, and `coupling` replaces b"
    ))
}

impl<'de> Visitor<'de> for Section {
    type Value = ModelSection;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the model: (a0, a1, b, v_f, v_r, input) or (populations, coupling, a1)")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<ModelSection, A::Error> {
        let mut model = ModelSection::default();
        let (mut a1, mut delay, mut populations, mut coupling) = (None, None, None, None);
        // The first field of each form that was read, and every field read.
        let (mut single, mut network): (Option<&str>, Option<&str>) = (None, None);
        let mut seen: Vec<&str> = Vec::new();
        let form = |single: Option<&str>, network: Option<&str>| match (single, network) {
            (_, Some(_)) => Some(true),
            (Some(_), None) => Some(false),
            (None, None) => None,
        };
        while let Some(field) = map.next_key_seed(Key {
            form: form(single, network),
        })? {
            let name = match field {
                Field::A1 => "a1",
                Field::Delay => "delay",
                Field::Single(name) | Field::Populations(name) => name,
            };
            if seen.contains(&name) {
                return Err(de::Error::duplicate_field(name));
            }
            seen.push(name);
            match field {
                Field::A1 => a1 = Some(map.next_value::<Pairwise>()?),
                Field::Delay => delay = Some(map.next_value::<Pairwise>()?),
                Field::Single(name) => {
                    if let Some(other) = network {
                        return Err(mixed(name, other));
                    }
                    single.get_or_insert(name);
                    match name {
                        "a0" => model.a0 = map.next_value()?,
                        "b" => model.b = map.next_value()?,
                        "v_f" => model.v_f = map.next_value()?,
                        "v_r" => model.v_r = map.next_value()?,
                        "refractory" => model.refractory = map.next_value()?,
                        "prior_rate" => model.prior_rate = map.next_value()?,
                        _ => model.input = map.next_value()?,
                    }
                }
                Field::Populations(name) => {
                    if let Some(first) = single {
                        return Err(mixed(first, name));
                    }
                    network.get_or_insert(name);
                    if name == "populations" {
                        populations = Some(map.next_value()?);
                    } else {
                        coupling = Some(map.next_value()?);
                    }
                }
            }
        }
        if network.is_none() {
            model.a1 = a1.unwrap_or_default();
            model.delay = delay.unwrap_or_default();
            return Ok(model);
        }
        model.populations =
            Some(populations.ok_or_else(|| de::Error::missing_field("populations"))?);
        model.coupling = coupling.ok_or_else(|| de::Error::missing_field("coupling"))?;
        model.a1 = a1.unwrap_or(Pairwise::Matrix(Vec::new()));
        model.delay = delay.unwrap_or(Pairwise::Matrix(Vec::new()));
        Ok(model)
    }
}
