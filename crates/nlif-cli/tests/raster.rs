//! `--set output.raster=K` through the program: `spikes.csv` of at most `K` neurons and
//! `raster.png`, every other output as without a raster; a value above the largest
//! refused by name.
//!
//! Oracle: the same run with `output.raster=0` (its `rate.csv` and `.npy` files).

mod common;

use common::{VALID, fails, nlif, scratch, status, stderr};

#[test]
fn set_raster_writes_the_sampled_spikes_and_changes_nothing_else() {
    let dir = scratch("raster");
    std::fs::write(dir.join("valid.ron"), VALID).unwrap();
    let run = |raster: &str, out: &str| {
        let set = format!("output.raster={raster}");
        let o = nlif(
            &["run", "valid.ron", "--set", &set, "--out", out, "--quiet"],
            &dir,
        );
        assert_eq!(status(&o), 0, "{}", stderr(&o));
    };
    run("5", "five");
    run("0", "none");
    let (five, none) = (dir.join("five"), dir.join("none"));
    assert!(five.join("raster.png").is_file());
    assert!(!none.join("spikes.csv").exists() && !none.join("raster.png").exists());
    for file in ["rate.csv", "density.npy", "density_t.npy", "grid.npy"] {
        let read = |d: &std::path::Path| std::fs::read(d.join(file)).unwrap();
        assert!(read(&five) == read(&none), "{file}");
    }
    let text = std::fs::read_to_string(five.join("spikes.csv")).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("t,population,neuron"));
    let mut neurons: Vec<u64> = lines
        .map(|line| {
            let f: Vec<&str> = line.split(',').collect();
            assert_eq!(f[1], "all", "{line}");
            f[2].parse().unwrap()
        })
        .collect();
    assert!(!neurons.is_empty(), "the burst fires sampled neurons");
    neurons.sort_unstable();
    neurons.dedup();
    assert!(neurons.len() <= 5, "{neurons:?}");

    let o = nlif(
        &[
            "run",
            "valid.ron",
            "--set",
            "output.raster=20000",
            "--out",
            "big",
        ],
        &dir,
    );
    fails(&o, &["output.raster", "10000"]);
    assert!(!dir.join("big").exists());
    std::fs::remove_dir_all(&dir).ok();
}
