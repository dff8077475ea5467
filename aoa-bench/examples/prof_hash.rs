//! Times name-index building with FxHashMap and std HashMap (a profiling aid).
#![allow(clippy::unwrap_used)]
use std::collections::HashMap;
fn main() {
    let path = std::env::args().nth(1).unwrap();
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let names: Vec<&str> = doc["apps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    let t = std::time::Instant::now();
    let mut fx: rustc_hash::FxHashMap<&str, u32> = Default::default();
    for (i, n) in names.iter().enumerate() {
        fx.insert(n, i as u32);
    }
    let mut hits = 0;
    for n in &names {
        hits += fx.get(n).is_some() as u32;
    }
    println!("fx {:?} {hits}", t.elapsed());
    let t = std::time::Instant::now();
    let mut sd: HashMap<&str, u32> = Default::default();
    for (i, n) in names.iter().enumerate() {
        sd.insert(n, i as u32);
    }
    for n in &names {
        hits += sd.get(n).is_some() as u32;
    }
    println!("std {:?} {hits}", t.elapsed());
    let t = std::time::Instant::now();
    let mut v: Vec<u32> = (0..names.len() as u32).collect();
    v.sort_unstable_by(|&a, &b| {
        names[a as usize]
            .as_bytes()
            .cmp(names[b as usize].as_bytes())
    });
    println!("sort {:?}", t.elapsed());
}
