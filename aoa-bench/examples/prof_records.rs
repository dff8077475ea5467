//! Times the steps of building a manifest from records (a profiling aid for the bindings).
#![allow(
    clippy::unwrap_used,
    reason = "a profiling aid: a missing argument or file should stop it loudly"
)]
fn main() {
    let path = std::env::args().nth(1).unwrap();
    let text = std::fs::read_to_string(path).unwrap();
    let t = std::time::Instant::now();
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    println!("parse value {:?}", t.elapsed());
    let records = doc["apps"].as_array().unwrap();
    let t = std::time::Instant::now();
    let m = aoa_core::Manifest::from_records(records).unwrap();
    println!("from_records {:?}", t.elapsed());
    let t = std::time::Instant::now();
    let p = m.plan(&aoa_core::PlanOptions::default()).unwrap();
    println!("plan {:?} {}", t.elapsed(), p.waves.len());
    let t = std::time::Instant::now();
    let v = aoa_core::dispatch::to_value(&p).unwrap();
    println!("to_value {:?} {}", t.elapsed(), v["app_count"]);
    let records_text = serde_json::to_string(records).unwrap();
    let t = std::time::Instant::now();
    let m = aoa_core::dispatch::records_from_json(&records_text).unwrap();
    println!("records_from_json {:?} {}", t.elapsed(), m.len());
    let t = std::time::Instant::now();
    let m = aoa_core::Manifest::from_str(&text, aoa_core::Format::Json).unwrap();
    println!("from_str json {:?} {}", t.elapsed(), m.len());
}
