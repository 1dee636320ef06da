//! The memory estimate blames the setting that makes a run large (issue: `t_end = 1e11`,
//! `dv = 1e-7` and `v_f = 1e6` were all blamed on `output.density_interval`).
//!
//! Oracle: which factor was made huge in each case, by construction.

use multiscale::{MemoryEstimate, RunConfig, SolverKind, plan};
use nlif_model::{InitialDensity, Input, ModelParams};

fn blamed(params: ModelParams, edit: impl Fn(&mut RunConfig)) -> &'static str {
    let mut config = RunConfig {
        kind: SolverKind::Macro,
        t_end: 10.0,
        sample_interval: 1e-2,
        density_interval: Some(0.1),
        ..RunConfig::default()
    };
    config.macro_config.dt = 1e-3;
    edit(&mut config);
    let initial = InitialDensity::Gaussian {
        mean: 0.0,
        var: 0.5,
    };
    let (grid, memory) = plan(&params, &Input::None, &initial, &config).unwrap();
    assert_eq!(memory, MemoryEstimate::of(&config, grid.len()));
    memory.largest_part()
}

#[test]
fn the_largest_part_is_blamed_on_its_own_setting() {
    let p = ModelParams::default();
    assert_eq!(blamed(p, |c| c.t_end = 1e11), "t_end");
    assert_eq!(
        blamed(p, |c| {
            c.t_end = 1e6;
            c.sample_interval = 1e-3;
            c.density_interval = None;
        }),
        "output.interval"
    );
    assert_eq!(blamed(p, |c| c.macro_config.dv = 1e-7), "solver.macro.dv");
    let far = ModelParams { v_f: 1e6, ..p };
    assert_eq!(blamed(far, |_| ()), "model.v_f");
    assert_eq!(
        blamed(p, |c| c.macro_config.v_min = -1e6),
        "solver.macro.v_min"
    );
    assert_eq!(
        blamed(p, |c| {
            c.t_end = 1e6;
            c.density_interval = Some(1e-2);
        }),
        "output.density_interval"
    );
    assert_eq!(
        blamed(p, |c| {
            c.kind = SolverKind::Micro;
            c.micro.particles = 1 << 30;
        }),
        "solver.micro.particles"
    );
}
