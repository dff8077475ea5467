//! Resolve + validate + binary-encode the parameters of 100,000 apps in a
//! 3-level hierarchy, against the floor of `apache_avro`'s own
//! `Value::validate` + `to_avro_datum` on the same data.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    missing_docs,
    deprecated,
    clippy::cast_possible_truncation,
    reason = "tests and benchmarks fail loudly on what they do not expect"
)]

use std::time::Instant;

use aoa_core::schema::binary::encode_into;
use aoa_core::schema::resolve::Resolver;
use aoa_core::schema::{AppParams, ParamTree, ParsedSchema, validate};
use apache_avro::Schema as AvroSchema;
use apache_avro::types::Value as AvroValue;
use serde_json::{Map, Value, json};

const APPS: u32 = 100_000;
const MIDS: u32 = 100;

/// xorshift64* PRNG.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn word(&mut self) -> String {
        (0..4 + self.below(8))
            .map(|_| (b'a' + self.below(26) as u8) as char)
            .collect()
    }
}

const SCHEMA: &str = r#"{"type":"record","name":"Params","namespace":"bench","fields":[
 {"name":"global","type":{"type":"record","name":"Global","fields":[
   {"name":"region","type":"string"},{"name":"env","type":{"type":"enum","name":"Env","symbols":["DEV","STAGING","PROD"]}},
   {"name":"replicas","type":"int"},{"name":"debug","type":"boolean"}]}},
 {"name":"db","type":{"type":"record","name":"Db","fields":[
   {"name":"host","type":"string"},{"name":"port","type":"int"},{"name":"pool","type":"long"},
   {"name":"tls","type":"boolean"},{"name":"user","type":["null","string"]},{"name":"timeout_ms","type":"long"}]}},
 {"name":"resources","type":{"type":"record","name":"Resources","fields":[
   {"name":"cpu","type":"double"},{"name":"memory","type":"long"},{"name":"gpu","type":["null","int"]},
   {"name":"limits","type":{"type":"map","values":"double"}}]}},
 {"name":"name","type":"string"},{"name":"owner","type":["null","string"]},
 {"name":"tier","type":{"type":"enum","name":"Tier","symbols":["GOLD","SILVER","BRONZE"]}},
 {"name":"tags","type":{"type":"array","items":"string"}},
 {"name":"i1","type":"int"},{"name":"i2","type":"int"},{"name":"i3","type":"int"},{"name":"i4","type":"int"},
 {"name":"l1","type":"long"},{"name":"l2","type":"long"},{"name":"l3","type":"long"},{"name":"l4","type":"long"},
 {"name":"s1","type":"string"},{"name":"s2","type":"string"},{"name":"s3","type":"string"},{"name":"s4","type":"string"},
 {"name":"b1","type":"boolean"},{"name":"b2","type":"boolean"},{"name":"b3","type":"boolean"},
 {"name":"d1","type":"double"},{"name":"d2","type":"double"},
 {"name":"u1","type":["null","long"]},{"name":"u2","type":["null","string"]},{"name":"u3","type":["null","boolean"]},
 {"name":"e1","type":{"type":"enum","name":"Color","symbols":["RED","GREEN","BLUE"]}},
 {"name":"e2","type":"Tier"}]}"#;

struct App {
    parent: Option<u32>,
    name: String,
    params: Map<String, Value>,
    shared: Map<String, Value>,
}

struct Tree {
    apps: Vec<App>,
    schema: ParsedSchema,
}

impl ParamTree for Tree {
    fn app_count(&self) -> u32 {
        self.apps.len() as u32
    }
    fn parent(&self, app: u32) -> Option<u32> {
        self.apps[app as usize].parent
    }
    fn name(&self, app: u32) -> &str {
        &self.apps[app as usize].name
    }
    fn params(&self, app: u32) -> AppParams<'_> {
        let a = &self.apps[app as usize];
        AppParams {
            params: Some(&a.params),
            shared_params: Some(&a.shared),
            locked: &[],
            required_shared: &[],
        }
    }
    fn schema(&self, app: u32) -> Option<&ParsedSchema> {
        // Apps 0..=MIDS share values only; leaves carry the schema.
        (app > MIDS).then_some(&self.schema)
    }
}

fn leaf_params(rng: &mut Rng, i: u32) -> Map<String, Value> {
    let opt = |coin: u64, v: Value| if coin == 0 { Value::Null } else { v };
    let tiers = ["GOLD", "SILVER", "BRONZE"];
    let colors = ["RED", "GREEN", "BLUE"];
    let (tier, color, tier2) = (
        tiers[rng.below(3) as usize],
        colors[rng.below(3) as usize],
        tiers[rng.below(3) as usize],
    );
    let mut m = json!({
        "db": {"port": 1024 + rng.below(60000), "pool": rng.below(1 << 40), "user": opt(rng.below(2), json!(rng.word()))},
        "resources": {"cpu": rng.below(64000) as f64 / 1000.0, "memory": rng.below(1 << 36),
            "gpu": opt(rng.below(2), json!(rng.below(8))), "limits": {"cpu": 2.5, "mem": rng.below(100) as f64 + 0.5}},
        "name": format!("app-{i}"), "owner": opt(rng.below(2), json!(rng.word())),
        "tier": tier, "tags": [rng.word(), rng.word()],
        "i1": rng.below(1 << 31) as i64 - (1 << 30), "i2": rng.below(100), "i3": 1_000_000, "i4": -5,
        "l1": rng.next() as i64, "l2": rng.below(1 << 53) + 1, "l3": 0, "l4": -(rng.below(1000) as i64),
        "s1": rng.word(), "s2": rng.word(), "s3": rng.word(), "s4": "constant",
        "b1": rng.below(2) == 0, "b2": true, "b3": false,
        "d1": rng.below(1000) as f64 / 7.0, "d2": 0.25,
        "u1": opt(rng.below(2), json!(rng.next() as i64)), "u2": opt(rng.below(2), json!(rng.word())), "u3": opt(rng.below(2), json!(true)),
        "e1": color, "e2": tier2
    });
    m.as_object_mut().map(std::mem::take).unwrap()
}

fn build_tree() -> Tree {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut apps = vec![App {
        parent: None,
        name: "root".into(),
        params: Map::new(),
        shared:
            json!({"global": {"region": "eu-west-1", "env": "PROD", "replicas": 3, "debug": false},
            "db": {"host": "db.internal", "tls": true, "timeout_ms": 5000}, "undeclared": 1})
            .as_object()
            .unwrap()
            .clone(),
    }];
    for m in 0..MIDS {
        apps.push(App {
            parent: Some(0),
            name: format!("mid-{m}"),
            params: Map::new(),
            shared: json!({"global": {"replicas": 1 + rng.below(9)}, "db": {"host": format!("db-{m}.internal")}})
                .as_object()
                .unwrap()
                .clone(),
        });
    }
    let mut i = 0;
    while (apps.len() as u32) < APPS {
        apps.push(App {
            parent: Some(1 + i % MIDS),
            name: format!("app-{i}"),
            params: leaf_params(&mut rng, i),
            shared: Map::new(),
        });
        i += 1;
    }
    Tree {
        apps,
        schema: ParsedSchema::parse_str(SCHEMA).unwrap(),
    }
}

/// Our JSON value as an `apache_avro` value, following the schema.
fn to_avro(
    schema: &AvroSchema,
    value: &Value,
    names: &std::collections::HashMap<String, AvroSchema>,
) -> AvroValue {
    match (schema, value) {
        (AvroSchema::Ref { name }, v) => to_avro(&names[&name.fullname(None)], v, names),
        (AvroSchema::Null, _) => AvroValue::Null,
        (AvroSchema::Boolean, Value::Bool(b)) => AvroValue::Boolean(*b),
        (AvroSchema::Int, Value::Number(n)) => AvroValue::Int(n.as_i64().unwrap() as i32),
        (AvroSchema::Long, Value::Number(n)) => AvroValue::Long(n.as_i64().unwrap()),
        (AvroSchema::Double, Value::Number(n)) => AvroValue::Double(n.as_f64().unwrap()),
        (AvroSchema::String, Value::String(s)) => AvroValue::String(s.clone()),
        (AvroSchema::Enum(e), Value::String(s)) => AvroValue::Enum(
            e.symbols.iter().position(|x| x == s).unwrap() as u32,
            s.clone(),
        ),
        (AvroSchema::Array(a), Value::Array(items)) => {
            AvroValue::Array(items.iter().map(|v| to_avro(&a.items, v, names)).collect())
        }
        (AvroSchema::Map(m), Value::Object(map)) => AvroValue::Map(
            map.iter()
                .map(|(k, v)| (k.clone(), to_avro(&m.types, v, names)))
                .collect(),
        ),
        (AvroSchema::Union(u), v) => {
            let index = usize::from(!v.is_null());
            AvroValue::Union(
                index as u32,
                Box::new(to_avro(&u.variants()[index], v, names)),
            )
        }
        (AvroSchema::Record(r), Value::Object(map)) => AvroValue::Record(
            r.fields
                .iter()
                .map(|f| (f.name.clone(), to_avro(&f.schema, &map[&f.name], names)))
                .collect(),
        ),
        (s, v) => panic!("bench converter: {s:?} / {v}"),
    }
}

fn collect_names(schema: &AvroSchema, names: &mut std::collections::HashMap<String, AvroSchema>) {
    if let (Some(name), false) = (schema.name(), matches!(schema, AvroSchema::Ref { .. })) {
        names.insert(name.fullname(None), schema.clone());
    }
    if let AvroSchema::Record(r) = schema {
        for f in &r.fields {
            collect_names(&f.schema, names);
        }
    }
}

fn peak_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        })
        .unwrap_or(0)
}

fn rate(n: usize, secs: f64) -> String {
    format!("{:>10.0} apps/s ({:.3} s)", n as f64 / secs, secs)
}

fn main() {
    let tree = build_tree();
    let leaves: Vec<u32> = (MIDS + 1..APPS).collect();
    let n = leaves.len();
    println!("apps: {APPS} ({n} leaves with ~40 fields, 3 levels)");
    println!("peak memory after generation: {} MiB", peak_kib() / 1024);

    // Full pipeline: resolve (merge + provenance) + validate + defaults + encode.
    let start = Instant::now();
    let mut buffer = Vec::with_capacity(512);
    let mut total_bytes = 0usize;
    let mut resolved = Vec::with_capacity(n);
    let mut resolver = Resolver::new(&tree);
    for &app in &leaves {
        let params = resolver.resolve_validated(app).expect("valid");
        buffer.clear();
        encode_into(&tree.schema, &params.value, &mut buffer).unwrap();
        total_bytes += buffer.len();
        resolved.push(params.value);
    }
    let full = start.elapsed().as_secs_f64();
    println!(
        "resolve + validate + encode: {}, {} bytes",
        rate(n, full),
        total_bytes
    );

    // The least any resolution returning owned values does: clone each leaf's own params.
    let start = Instant::now();
    let clones: Vec<Map<String, Value>> = leaves
        .iter()
        .map(|&app| tree.apps[app as usize].params.clone())
        .collect();
    let cloning = start.elapsed().as_secs_f64();
    drop(clones);
    println!("clone of own params alone:   {}", rate(n, cloning));

    // Ours on the resolved values: full path-reporting validation + encode.
    let start = Instant::now();
    for value in &resolved {
        assert!(validate(&tree.schema, value).is_empty());
        buffer.clear();
        encode_into(&tree.schema, value, &mut buffer).unwrap();
    }
    let ours = start.elapsed().as_secs_f64();
    println!("ours validate + encode:      {}", rate(n, ours));

    // The crate's floor on the same data, converted beforehand.
    let avro = tree.schema.avro();
    let mut names = std::collections::HashMap::new();
    collect_names(avro, &mut names);
    let start = Instant::now();
    let converted: Vec<AvroValue> = resolved.iter().map(|v| to_avro(avro, v, &names)).collect();
    let conversion = start.elapsed().as_secs_f64();
    let start = Instant::now();
    let mut crate_bytes = 0;
    for value in converted {
        assert!(value.validate(avro));
        crate_bytes += apache_avro::to_avro_datum(avro, value).unwrap().len();
    }
    let floor = start.elapsed().as_secs_f64();
    assert_eq!(crate_bytes, total_bytes);
    println!("crate validate + to_avro_datum (floor): {}", rate(n, floor));
    println!(
        "json -> crate value conversion alone:   {}",
        rate(n, conversion)
    );
    println!(
        "convert + crate encode (alternative):   {}",
        rate(n, conversion + floor)
    );
    println!("ours / floor: {:.2}x", ours / floor);
    println!("peak memory (VmHWM): {} MiB", peak_kib() / 1024);
}
