//! The injected components of a run, bundled so that a [`Simulation`](crate::Simulation)
//! has one type parameter and its bounds are written once.

use std::fmt::Debug;
use std::marker::PhantomData;

use fp_macro::{FluxScheme, Scheme};
use nlif_micro::{Reduction, SingleProcess, Stepper, SubthresholdStepper};

use crate::policy::{BuiltinPolicy, SwitchingPolicy};

/// The four strategies of a run: when to switch, how the density's flux is weighted, how a
/// particle moves below threshold, and how the particles' counts are summed over the
/// parts of a distributed run.
///
/// Implemented by [`With`], the bundle of four concrete types; a user names
/// `Simulation<With<MyPolicy>>` (the others default to the built-ins) and never
/// implements this trait directly.
pub trait Components {
    /// The switching policy.
    type Policy: SwitchingPolicy;
    /// The flux scheme of the density phases.
    type Scheme: FluxScheme + Clone + Debug + Send;
    /// The sub-threshold stepper of the particle phases.
    type Stepper: SubthresholdStepper + Clone + Debug + Send + 'static;
    /// Sums the particle counts over the parts of a distributed run.
    type Reduction: Reduction;
}

/// The components `P` (policy), `S` (flux scheme), `T` (stepper) and `R` (reduction) of a
/// run, as a type: [`Simulation<With<P, S, T, R>>`](crate::Simulation). Every parameter
/// defaults to the built-in one.
pub struct With<P = BuiltinPolicy, S = Scheme, T = Stepper, R = SingleProcess>(
    PhantomData<Types<P, S, T, R>>,
);

/// The four types, as a marker that owns none of them (`With` is `Send`, `Sync` and
/// `'static` whatever they are).
type Types<P, S, T, R> = fn() -> (P, S, T, R);

/// The components `C` with the policy `Q` instead of its own.
pub type WithPolicy<C, Q> =
    With<Q, <C as Components>::Scheme, <C as Components>::Stepper, <C as Components>::Reduction>;

impl<P, S, T, R> Components for With<P, S, T, R>
where
    P: SwitchingPolicy,
    S: FluxScheme + Clone + Debug + Send,
    T: SubthresholdStepper + Clone + Debug + Send + 'static,
    R: Reduction,
{
    type Policy = P;
    type Scheme = S;
    type Stepper = T;
    type Reduction = R;
}

/// The built-in components: the config's policy, scheme and stepper, in one process.
pub type Builtin = With;

/// What a saved state records of the components that wrote it, so that a restore with
/// other components is refused instead of continuing differently: each component's type
/// (without its module path, so that moving a type between modules keeps old states
/// readable) and, for a component with settings (a built-in enum, a custom scheme's
/// parameters), its `Debug` text.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Identity {
    /// The policy's type.
    pub policy: String,
    /// The flux scheme: type and value.
    pub scheme: String,
    /// The stepper: type and value.
    pub stepper: String,
}

impl Identity {
    /// The identity of `scheme` and `stepper` in a run of components `C`.
    pub fn of<C: Components>(scheme: &C::Scheme, stepper: &C::Stepper) -> Self {
        Identity {
            policy: type_name::<C::Policy>(),
            scheme: format!("{} = {scheme:?}", type_name::<C::Scheme>()),
            stepper: format!("{} = {stepper:?}", type_name::<C::Stepper>()),
        }
    }
}

/// `T`'s name with every module path left out: `a::b::C<d::E>` is `C<E>` (module names
/// are lower case, type names upper camel case).
fn type_name<T: ?Sized>() -> String {
    let full = std::any::type_name::<T>();
    let mut out = String::with_capacity(full.len());
    let mut segment = String::new();
    let mut chars = full.chars().peekable();
    while let Some(c) = chars.next() {
        if c == ':' && chars.peek() == Some(&':') {
            chars.next();
            segment.clear(); // a module path segment: dropped
        } else if c.is_alphanumeric() || c == '_' {
            segment.push(c);
        } else {
            out.push_str(&segment);
            segment.clear();
            out.push(c);
        }
    }
    out.push_str(&segment);
    out
}

#[cfg(test)]
mod tests {
    /// Oracle: the names written out by hand.
    #[test]
    fn type_names_leave_out_module_paths() {
        assert_eq!(super::type_name::<fp_macro::Scheme>(), "Scheme");
        assert_eq!(
            super::type_name::<Option<std::vec::Vec<u8>>>(),
            "Option<Vec<u8>>"
        );
        assert_eq!(super::type_name::<(f64, u64)>(), "(f64, u64)");
    }
}
